"""sklearn_to_categorical: class labels -> a one-hot table, as keras.utils.to_categorical."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, TEST_DATA, write_tsv

from galaxy_keras.one_hot_labels import MAX_CLASSES

XML = ROOT / "tools" / "sklearn_to_categorical.xml"


def run(tool, tmp_path, labels, params=None, header=None):
    infile = write_tsv(tmp_path / "labels.tsv", [[label] for label in labels], header=header)
    out = tmp_path / "onehot.tsv"
    tool("sklearn_to_categorical", params if params is not None else {"header0": header is not None},
         "--infile", infile, "--outfile", out)
    return out


def read(out, header=False) -> pd.DataFrame:
    return pd.read_csv(out, sep="\t", header=0 if header else None, dtype=str, keep_default_na=False)


def test_whole_numbers_are_keras_class_indices(tool, tmp_path):
    import keras

    labels = [3, 0, 1, 3, 5]
    table = read(run(tool, tmp_path, labels, {"header0": False}))
    expected = keras.utils.to_categorical(labels).astype(int)
    assert table.astype(int).to_numpy().tolist() == expected.tolist()
    assert table.shape == (5, 6)  # class 2 and 4 have no rows but keep their columns, as in Keras


def test_galaxy_ml_test_data(tool, tmp_path):
    """Galaxy-ML's own test: labels 0-3 with a header, num_classes 4 or 5."""
    out = tmp_path / "o.tsv"
    tool("sklearn_to_categorical", {"header0": False, "num_classes": 4}, "--infile",
         TEST_DATA / "categorical_labels.tsv", "--outfile", out)
    assert out.read_text() == (TEST_DATA / "categorical_onehot_4.tsv").read_text()
    tool("sklearn_to_categorical", {"header0": True, "num_classes": "5"}, "--infile",
         TEST_DATA / "categorical_labels_header.tsv", "--outfile", out)
    table = read(out, header=True)
    assert list(table.columns) == ["0", "1", "2", "3", "4"] and len(table) == 8
    assert set(table["4"]) == {"0"}


@pytest.mark.parametrize("state", [
    {"header0": False, "num_classes": "10"},  # GTN CNN workflow, To categorical 1.0.10.0
    {"header0": "false", "num_classes": "10", "__page__": None, "__rerun_remap_job_id__": None},  # 1.0.8.3
])
def test_the_gtn_cnn_tool_state_runs(tool, tmp_path, state, capsys):
    out = run(tool, tmp_path, [7, 2, 1, 0, 4, 1, 4, 9, 5, 9], state)
    table = read(out).astype(int)
    assert table.shape == (10, 10) and table.to_numpy().sum(axis=1).tolist() == [1] * 10
    assert table.iloc[0].tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
    printed = capsys.readouterr().out
    assert "classes in column order: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9" in printed
    assert "no row has the class 3, 6, 8" in printed


def test_text_labels_sorted_and_named_in_the_header(tool, tmp_path, capsys):
    out = run(tool, tmp_path, ["dog", "cat", "Bird", "cat"], header=["species"])
    table = read(out, header=True)
    assert list(table.columns) == ["Bird", "cat", "dog"]  # character order, as LabelEncoder sorts
    assert table.astype(int).to_numpy().tolist() == [[0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 1, 0]]
    assert "classes in column order: Bird, cat, dog" in capsys.readouterr().out


def test_a_label_with_a_tab_is_quoted_in_the_header(tool, tmp_path):
    infile = tmp_path / "l.tsv"
    infile.write_text('label\n"a\tb"\nc\n')
    out = tmp_path / "o.tsv"
    tool("sklearn_to_categorical", {"header0": True}, "--infile", infile, "--outfile", out)
    assert list(pd.read_csv(out, sep="\t").columns) == ["a\tb", "c"]


def test_whole_floats_and_signs_are_whole_numbers(tool, tmp_path):
    table = read(run(tool, tmp_path, ["1.0", "+2", "0", "2e0"], {"header0": False}))
    assert table.astype(int).to_numpy().argmax(axis=1).tolist() == [1, 2, 0, 2]


def test_trailing_blank_lines_are_not_labels(tool, tmp_path):
    infile = tmp_path / "l.tsv"
    infile.write_text("0\n1\n\n\n")
    out = tmp_path / "o.tsv"
    tool("sklearn_to_categorical", {"header0": False}, "--infile", infile, "--outfile", out)
    assert out.read_text() == "1\t0\n0\t1\n"


def test_large_input_is_written_in_blocks(tool, tmp_path):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 700, 3000)
    table = read(run(tool, tmp_path, labels.tolist(), {"header0": False, "num_classes": 700})).astype(int)
    assert table.shape == (3000, 700)
    assert (table.to_numpy().argmax(axis=1) == labels).all() and table.to_numpy().sum() == 3000


@pytest.mark.parametrize("labels, params, message", [
    ([0, 2, -1], {}, "line 3 holds -1; whole-number labels are class indices from 0"),
    ([0.5, 1, 2], {}, "line 1 holds '0.5', a number that is not a whole number"),
    ([0, 1, "cat", 1], {}, "line 3 holds 'cat' (text) among whole-number labels (line 1 holds 0)"),
    ([0, 1, "NaN"], {}, "line 3 holds 'NaN' (a missing value) among whole-number labels"),
    (["label", 0, 1], {}, "line 1 holds 'label' but every other line a whole number; if the first line holds the "
                          "column's name, set 'Does the dataset contain header?' (header0) to yes"),
    ([0, 1, 2, 3], {"num_classes": 3}, "line 4 holds 3, but the total number of classes ('num_classes') is 3: the "
                                       "labels must be from 0 to 2"),
    ([0, 5000], {}, "the largest label, 5,000, makes 5,001 classes, more than the 1,000 columns"),
    (["a", "b", "c"], {"num_classes": 2}, "the labels hold 3 classes ('a', 'b', 'c'), more than the total number of "
                                          "classes ('num_classes') 2"),
    (["a", "b"], {"num_classes": 3}, "the total number of classes ('num_classes') is 3, but the text labels hold 2"),
    ([f"c{i}" for i in range(MAX_CLASSES + 1)], {}, "the labels hold 1,001 classes, more than the 1,000 columns"),
    ([0, 1], {"num_classes": 5000}, "parameter 'num_classes' must be at most 1,000"),
    ([0, 1], {"num_classes": 0}, "parameter 'num_classes' must be at least 1, got 0"),
    ([0, 1], {"num_class": 2}, "unknown parameter 'num_class'"),
])
def test_refused_labels(tool, tmp_path, labels, params, message):
    infile = write_tsv(tmp_path / "labels.tsv", [[label] for label in labels])
    out = tmp_path / "onehot.tsv"
    out.write_text("")  # Galaxy creates the output before the job starts
    err = tool.fails("sklearn_to_categorical", {"header0": False, **params}, "--infile", infile, "--outfile", out)
    assert message in err
    assert not out.exists()


@pytest.mark.parametrize("content, header, message", [
    ("0\n\n1\n", False, "the labels dataset: line 2 is empty; every row needs a class label"),
    ("0\t1\n1\t0\n", False, "expected one column of class labels, got 2 columns"),
    ("label\n", True, "the labels dataset: the table has a header but no rows"),
])
def test_refused_tables(tool, tmp_path, content, header, message):
    infile = tmp_path / "l.tsv"
    infile.write_text(content)
    err = tool.fails("sklearn_to_categorical", {"header0": header}, "--infile", infile, "--outfile", tmp_path / "o")
    assert message in err


def test_form_has_galaxy_ml_names_only():
    """Galaxy-ML's To categorical (1.0.8.3 to 1.0.11.x) has exactly infile, header0, num_classes."""
    import xml.etree.ElementTree as ET

    root = ET.parse(XML).getroot()
    names = [param.get("name") for param in root.find("inputs").iter("param")]
    assert names == ["infile", "header0", "num_classes"]


@pytest.mark.parametrize("state", [
    # GTN CNN workflow (Intro_To_CNN_v1_0_11_0.ga), To categorical 1.0.10.0
    {"header0": False, "infile": {"__class__": "RuntimeValue"}, "num_classes": "10", "__page__": None,
     "__rerun_remap_job_id__": None},
    # GTN CNN workflow (Intro_To_CNN.ga), To categorical 1.0.8.3
    {"__input_ext": "input", "chromInfo": "/opt/galaxy/tool-data/shared/ucsc/chrom/?.len", "header0": "false",
     "infile": {"__class__": "ConnectedValue"}, "num_classes": "10", "__page__": None,
     "__rerun_remap_job_id__": None},
    # 1.0.11.x: the same three parameters; num_classes left empty
    {"header0": True, "infile": {"__class__": "ConnectedValue"}, "num_classes": None},
])
def test_gtn_tool_states_import_without_corrections(state):
    from galaxy_forms import inputs, problems

    assert problems(inputs("sklearn_to_categorical"), state) == []


def test_galaxy_imports_the_gtn_cnn_states_without_a_correction(galaxy_import_reports):
    """Galaxy's own check (no server): nothing dropped, nothing filled in, nothing refused."""
    report = galaxy_import_reports["sklearn_to_categorical"]  # test-data/categorical_galaxy_ml_states.json
    assert len(report) == 2
    assert {name: entry for name, entry in report.items() if any(entry.values())} == {}
