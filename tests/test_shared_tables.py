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


@pytest.mark.parametrize("content, message", [
    ("1\t2\ninf\t4\n", "line 2, column 1 is 'inf', not a finite number"),
    ("1\t-inf\n3\t4\n", "line 1, column 2 is '-inf', not a finite number"),
    ("1\t2\n3\t1e39\n", "line 2, column 2 is '1e[+]39', not a finite number"),  # beyond float32
    ("1\t2\n\n3\t4\n", "line 2, column 1 is empty"),
    ("1\t2\nnan\t4\n", "line 2, column 1 is 'nan', not a number"),
])
def test_infinite_and_missing_cells_are_named(tmp_path, content, message):
    path = tmp_path / "bad.tsv"
    path.write_text(content)
    with pytest.raises(UserError, match=message):
        read_matrix(path, False, ColumnSelector(), "X")


def test_cells_are_named_by_the_dataset_column_after_selection(tmp_path):
    path = write_tsv(tmp_path / "x.tsv", [[1, 2, 3], [4, 5, "x"]])
    with pytest.raises(UserError, match="line 2, column 3 is 'x'"):
        read_matrix(path, False, ColumnSelector("by_index_number", ("1", "3")), "X")
    path = write_tsv(tmp_path / "h.tsv", [[1, 2], [4, "inf"]], header=["a", "b"])
    with pytest.raises(UserError, match="line 3, column 'b' is 'inf'"):
        read_matrix(path, True, ColumnSelector(), "X")


def test_trailing_blank_lines_are_not_rows(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("1\t2\n3\t4\n\n\n")
    assert read_matrix(path, False, ColumnSelector(), "X").shape == (2, 2)
    path.write_text("0\n1\n\n")
    assert read_vector(path, False, ColumnSelector(), "y").tolist() == [0, 1]


@pytest.mark.parametrize("content, message", [
    ("0\n1\n\n1\n", "y: line 3 is empty; every row needs a label"),  # pandas used to skip it: "3 rows but 4"
    ("0\n1\nNaN\n1\n", "y: line 3 holds 'NaN', a missing or infinite value"),
    ("0.5\n1.5\ninf\n", "y: line 3 holds 'inf', a missing or infinite value"),
    ("0\n1\nNA\n", "y: line 3 holds 'NA'"),
])
def test_label_cells_without_a_value_are_named(tmp_path, content, message):
    path = tmp_path / "y.tsv"
    path.write_text(content)
    with pytest.raises(UserError, match=message):
        read_vector(path, False, ColumnSelector(), "y")


def test_text_labels_may_be_words_that_look_missing(tmp_path):
    path = tmp_path / "y.tsv"
    path.write_text("EU\nNA\nEU\n")  # NA: North America
    assert read_vector(path, False, ColumnSelector(), "y").tolist() == ["EU", "NA", "EU"]
