"""ml_visualization_ex: confusion matrix, curves, learning curves."""

import pandas as pd
import pytest
from conftest import TEST_DATA, write_tsv

from galaxy_keras.errors import UserError


def confusion_params(fmt="png", header_true=False, header_predicted=True):
    return {"plotting_selection": {"plot_type": "classification_confusion_matrix", "header_true": header_true,
                                   "column_selector_options_true": {"selected_column_selector_option": "all_columns"},
                                   "header_predicted": header_predicted, "title": "t", "plot_format": fmt,
                                   "plot_color": "Greens"}}


def test_confusion_matrix_counts_and_report(tool, tmp_path, capsys):
    true = write_tsv(tmp_path / "t.tsv", [[0], [0], [1], [1], [1]])
    predicted = write_tsv(tmp_path / "p.tsv", [[0], [1], [1], [1], [0]], header=["predicted"])
    out, report = tmp_path / "cm.png", tmp_path / "report.tsv"
    tool("ml_visualization_ex", confusion_params(), "--infile-true", true, "--infile-predicted", predicted,
         "--output", out, "--output-report", report)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(report, sep="\t")
    row1 = table[table["class"] == "1"].iloc[0]
    assert row1["precision"] == pytest.approx(2 / 3) and row1["recall"] == pytest.approx(2 / 3)
    assert table.iloc[-1]["class"] == "accuracy" and table.iloc[-1]["precision"] == pytest.approx(0.6)
    printed = capsys.readouterr().out
    assert "true 0" in printed and "pred 1" in printed


@pytest.mark.parametrize("fmt, magic", [("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_formats(tool, tmp_path, fmt, magic):
    out = tmp_path / f"cm.{fmt}"
    tool("ml_visualization_ex", confusion_params(fmt, header_true=True), "--infile-true",
         TEST_DATA / "labels_true_text.tsv", "--infile-predicted", TEST_DATA / "labels_predicted_text.tsv",
         "--output", out, "--output-report", tmp_path / "r.tsv")
    assert out.read_bytes().startswith(magic)


@pytest.mark.parametrize("kind", ["roc_curve", "pr_curve"])
def test_curves(tool, tmp_path, kind):
    out = tmp_path / "c.png"
    tool("ml_visualization_ex", {"plotting_selection": {"plot_type": kind, "header_true": False,
                                                        "header_predicted": True, "plot_format": "png"}},
         "--infile-true", TEST_DATA / "imdb_y_test_sample.tsv",
         "--infile-predicted", TEST_DATA / "tiny_lstm_probabilities.tsv", "--output", out)
    assert out.stat().st_size > 1000


def test_learning_curves(tool, tmp_path):
    out = tmp_path / "l.png"
    tool("ml_visualization_ex", {"plotting_selection": {"plot_type": "learning_curve", "plot_format": "png"}},
         "--infile-history", TEST_DATA / "tiny_lstm_history.tsv", "--output", out)
    assert out.stat().st_size > 1000


def test_curve_needs_numbers(tool, tmp_path):
    err = tool.fails("ml_visualization_ex", {"plotting_selection": {"plot_type": "roc_curve", "header_true": True, "plot_format": "png"}},
                     "--infile-true", TEST_DATA / "labels_true_text.tsv",
                     "--infile-predicted", TEST_DATA / "labels_predicted_text.tsv", "--output", tmp_path / "o.png")
    assert err == ("Error: the predicted probabilities: line 2, column 'predicted' is 'cat', not a probability "
                   "from 0 to 1; use the 'predict_proba' method of Model Prediction for class probabilities")


def test_one_probability_column_is_the_larger_class(tool, tmp_path):
    true = write_tsv(tmp_path / "t.tsv", [[0], [1], [1], [0]])
    predicted = write_tsv(tmp_path / "p.tsv", [[0.1], [0.8], [0.6], [0.3]], header=["p"])
    out = tmp_path / "c.png"
    tool("ml_visualization_ex", {"plotting_selection": {"plot_type": "roc_curve", "header_predicted": True}},
         "--infile-true", true, "--infile-predicted", predicted, "--output", out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_named_probability_columns_are_matched_to_the_true_labels():
    import ml_visualization_ex as tool

    true = pd.Series([0, 2, 2, 0])  # class 1 is absent: its column must not shift class 2 onto it
    table = pd.DataFrame({"probability_0": [0.7, 0.1, 0.2, 0.6], "probability_1": [0.2, 0.1, 0.1, 0.3],
                          "probability_2": [0.1, 0.8, 0.7, 0.1]})
    pairs = tool.curve_columns(true, False, [0, 2], table, table.to_numpy(), header=True)
    assert [label for label, _ in pairs] == [0, 2]
    assert pairs[1][1].tolist() == [0.1, 0.8, 0.7, 0.1]
    # Without Model Prediction's names the columns are the sorted classes, and their number must match.
    unnamed = table.set_axis(["a", "b", "c"], axis=1)
    with pytest.raises(UserError, match="have 3 columns but the true labels have 2 classes"):
        tool.curve_columns(true, False, [0, 2], unnamed, unnamed.to_numpy(), header=True)


def test_dollar_signs_and_long_names_are_drawn_as_text(tool, tmp_path):
    """A '$' would start matplotlib's mathtext (which fails on '\\frac{'); a long name is cut in the picture only."""
    long_name = "y" * 20_000  # drawn whole, it would stretch the figure past 2**16 pixels
    labels = [["$\\frac{$"], [long_name], ["$5"], [long_name]]
    true = write_tsv(tmp_path / "t.tsv", labels)
    predicted = write_tsv(tmp_path / "p.tsv", labels, header=["predicted"])
    out, report = tmp_path / "cm.png", tmp_path / "report.tsv"
    params = confusion_params()
    params["plotting_selection"]["title"] = "cost in $\\frac{$"
    tool("ml_visualization_ex", params, "--infile-true", true, "--infile-predicted", predicted, "--output", out,
         "--output-report", report)
    png = out.read_bytes()
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and width < 3000 and height < 3000, (width, height)
    assert set(pd.read_csv(report, sep="\t")["class"]) == {"$\\frac{$", long_name, "$5", "accuracy"}
