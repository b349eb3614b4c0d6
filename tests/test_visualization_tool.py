"""ml_visualization_ex: confusion matrix, curves, learning curves."""

import pandas as pd
import pytest
from conftest import TEST_DATA, write_tsv


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
    assert "must hold numbers only" in err
