"""Reading tables and selecting columns."""

import numpy as np
import pytest
from conftest import write_tsv

from galaxy_keras.errors import UserError
from galaxy_keras.params import Params
from galaxy_keras.tables import ColumnSelector, read_matrix, read_table, read_vector


def test_read_matrix_all_columns(tmp_path):
    path = write_tsv(tmp_path / "x.tsv", [[1, 2, 3], [4, 5, 6]])
    matrix = read_matrix(path, False, ColumnSelector(), "X")
    assert matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix, [[1, 2, 3], [4, 5, 6]])


@pytest.mark.parametrize("option, columns, expected", [
    ("by_index_number", "1,3", [[1, 3], [4, 6]]),
    ("all_but_by_index_number", "2", [[1, 3], [4, 6]]),
    ("by_header_name", "c", [[3], [6]]),
    ("all_but_by_header_name", "a,b", [[3], [6]]),
])
def test_column_selection(tmp_path, option, columns, expected):
    path = write_tsv(tmp_path / "x.tsv", [[1, 2, 3], [4, 5, 6]], header=["a", "b", "c"])
    selector = ColumnSelector.from_params(Params({"selected_column_selector_option": option, "col1": columns}))
    np.testing.assert_array_equal(read_matrix(path, True, selector, "X"), expected)


def test_data_column_list_values(tmp_path):
    selector = ColumnSelector.from_params(Params({"selected_column_selector_option": "by_index_number",
                                                  "col1": [2]}))
    path = write_tsv(tmp_path / "x.tsv", [[1, 2, 3]])
    np.testing.assert_array_equal(read_matrix(path, False, selector, "X"), [[2]])


@pytest.mark.parametrize("content, message", [
    ("", "the dataset is empty"),
    ("1\t2\t3\n4\t5\n", "line 2, column 3 is empty"),
    ("1\t2\n3\t4\t5\n", "rows have different numbers of columns"),
    ("1\t2\nx\t4\n", "line 2, column 1 is 'x', not a number"),
])
def test_bad_tables(tmp_path, content, message):
    path = tmp_path / "bad.tsv"
    path.write_text(content)
    with pytest.raises(UserError, match=message):
        read_matrix(path, False, ColumnSelector(), "X")


def test_header_but_no_rows(tmp_path):
    path = tmp_path / "h.tsv"
    path.write_text("a\tb\n")
    with pytest.raises(UserError, match="header but no rows"):
        read_table(path, True, "X")


def test_selection_errors(tmp_path):
    path = write_tsv(tmp_path / "x.tsv", [[1, 2]], header=["a", "b"])
    with pytest.raises(UserError, match="column 5 does not exist"):
        read_matrix(path, True, ColumnSelector("by_index_number", ("5",)), "X")
    with pytest.raises(UserError, match="no column named 'zz'"):
        read_matrix(path, True, ColumnSelector("by_header_name", ("zz",)), "X")
    with pytest.raises(UserError, match="leaves no columns"):
        read_matrix(path, True, ColumnSelector("all_but_by_index_number", ("1", "2")), "X")


def test_read_vector_needs_one_column(tmp_path):
    path = write_tsv(tmp_path / "y.tsv", [[1, 2]])
    with pytest.raises(UserError, match="expected one column"):
        read_vector(path, False, ColumnSelector(), "y")
    assert read_vector(path, False, ColumnSelector("by_index_number", ("2",)), "y").tolist() == [2]
