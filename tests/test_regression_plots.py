"""ml_visualization_ex's regression plots: true vs predicted values, residuals, values per sample."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import TEST_DATA, write_tsv

from galaxy_keras.regression_plots import Pairs
from galaxy_keras.tables import ColumnSelector

ALL = {"selected_column_selector_option": "all_columns"}
TRUE, PREDICTED = TEST_DATA / "viz_regression_true.tsv", TEST_DATA / "viz_regression_predicted.tsv"


def params(plot_type: str, fmt: str = "png", **options) -> dict:
    return {"plotting_selection": {"plot_type": plot_type, "header_true": True, "column_selector_options_true": ALL,
                                   "header_predicted": True, "column_selector_options_predicted": ALL, "title": "",
                                   "plot_format": fmt, **options}}


def test_metrics_are_sklearns():
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    rng = np.random.default_rng(0)
    true = rng.normal(10, 3, 50)
    predicted = true + rng.normal(0, 1, 50)
    pairs = Pairs(true, predicted, "y", "predicted")
    assert pairs.r2() == pytest.approx(r2_score(true, predicted))
    assert pairs.rmse() == pytest.approx(np.sqrt(mean_squared_error(true, predicted)))
    assert pairs.mae() == pytest.approx(mean_absolute_error(true, predicted))
    assert (pairs.residuals == predicted - true).all()  # predicted - true, as the GTN FNN tutorial plots them


def test_r2_of_constant_true_values_is_undefined():
    pairs = Pairs(np.array([2.0, 2.0, 2.0]), np.array([1.0, 2.0, 3.0]), "y", "p")
    assert pairs.r2() is None
    assert "R2 undefined (the true values are all equal)" in pairs.summary()


@pytest.mark.parametrize("plot_type, options", [
    ("regression_scatter", {}),
    ("regression_residuals", {"residual_plots": "both"}),
    ("regression_residuals", {"residual_plots": "vs_predicted"}),
    ("regression_residuals", {"residual_plots": "histogram"}),
    ("regression_curves", {}),
])
def test_plots_are_written(tool, tmp_path, capsys, plot_type, options):
    out = tmp_path / "plot.png"
    tool("ml_visualization_ex", params(plot_type, **options), "--infile-true", TRUE, "--infile-predicted",
         PREDICTED, "--output", out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "R2 0.944, RMSE 2.689, MAE 2.118, n = 30" in capsys.readouterr().out


def test_scatter_shows_r2_and_rmse_and_the_y_equals_x_line(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from galaxy_keras.regression_plots import read_pairs, scatter

    pairs = read_pairs(str(TRUE), True, ColumnSelector(), str(PREDICTED), True, ColumnSelector())
    scatter(pairs, plt, "t")
    ax = plt.gcf().axes[0]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    plt.close("all")
    assert labels == ["R2 = 0.944, RMSE = 2.689 (n = 30)", "y = x"]


@pytest.mark.parametrize("fmt, magic", [("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_many_points_stay_small_in_vector_formats(tool, tmp_path, fmt, magic):
    rng = np.random.default_rng(1)
    true = rng.normal(0, 1, 20_000)
    t = write_tsv(tmp_path / "t.tsv", true[:, None], header=["y"])
    p = write_tsv(tmp_path / "p.tsv", (true + rng.normal(0, 0.3, true.size))[:, None], header=["predicted"])
    out = tmp_path / f"s.{fmt}"
    tool("ml_visualization_ex", params("regression_scatter", fmt), "--infile-true", t, "--infile-predicted", p,
         "--output", out)
    assert out.read_bytes().startswith(magic)
    assert out.stat().st_size < 3_000_000  # the markers are one image, not 20,000 paths


def test_columns_are_selected_as_in_the_other_plots(tool, tmp_path):
    t = write_tsv(tmp_path / "t.tsv", [[1, 10.0], [2, 20.0], [3, 30.0]], header=["id", "price"])
    out = tmp_path / "s.png"
    chosen = {"selected_column_selector_option": "by_header_name", "col1": "price"}
    tool("ml_visualization_ex", params("regression_scatter", column_selector_options_true=chosen),
         "--infile-true", t, "--infile-predicted", write_tsv(tmp_path / "p.tsv", [[11], [19], [31]],
                                                              header=["predicted"]), "--output", out)
    assert out.stat().st_size > 1000


@pytest.mark.parametrize("true_rows, predicted_rows, header_true, message", [
    ([[1.5], [2.5], [3.5]], [[1], [2]], True, "the true values have 3 rows but the predicted values have 2"),
    ([[1.5], [2.5]], [[1], ["cat"]], True, "the predicted values: line 3 holds 'cat', not a finite number; these "
                                           "plots take a regressor's values"),
    ([[1.5], [2.5]], [[1], [float("nan")]], True, "the predicted values: line 3 holds 'nan', a missing or infinite "
                                                  "value"),
    ([["target"], [1.5], [2.5]], [[1], [2], [3]], False, "the true values: line 1 holds 'target', not a finite "
                                                         "number (if the first line holds the column's name, set "
                                                         "'header')"),
    ([[1.5]], [[1]], True, "the true and predicted values have 1 row; these plots need at least 2"),
])
def test_bad_values_are_refused(tool, tmp_path, true_rows, predicted_rows, header_true, message):
    t = write_tsv(tmp_path / "t.tsv", true_rows, header=["y"] if header_true else None)
    p = write_tsv(tmp_path / "p.tsv", predicted_rows, header=["predicted"])
    out = tmp_path / "s.png"
    out.write_text("")
    err = tool.fails("ml_visualization_ex", params("regression_scatter", header_true=header_true), "--infile-true",
                     t, "--infile-predicted", p, "--output", out)
    assert message in err
    assert not out.exists()


def test_unknown_residual_plot_is_refused(tool, tmp_path):
    err = tool.fails("ml_visualization_ex", params("regression_residuals", residual_plots="qq"), "--infile-true",
                     TRUE, "--infile-predicted", PREDICTED, "--output", tmp_path / "o.png")
    assert "parameter 'plotting_selection|residual_plots' must be one of both, histogram, vs_predicted" in err


def test_too_many_points_are_refused(tool, tmp_path, monkeypatch):
    from galaxy_keras import regression_plots

    monkeypatch.setattr(regression_plots, "MAX_POINTS", 10)
    t = write_tsv(tmp_path / "t.tsv", [[i] for i in range(11)], header=["y"])
    err = tool.fails("ml_visualization_ex", params("regression_curves"), "--infile-true", t, "--infile-predicted",
                     write_tsv(tmp_path / "p.tsv", [[i] for i in range(11)], header=["p"]), "--output",
                     tmp_path / "o.png")
    assert "the true and predicted values have 11 rows; these plots draw at most 10 points" in err


def test_curves_of_too_many_samples_are_refused(tool, tmp_path, monkeypatch):
    from galaxy_keras import regression_plots

    monkeypatch.setattr(regression_plots, "MAX_CURVE_POINTS", 5)
    t = write_tsv(tmp_path / "t.tsv", [[i] for i in range(6)], header=["y"])
    p = write_tsv(tmp_path / "p.tsv", [[i] for i in range(6)], header=["p"])
    err = tool.fails("ml_visualization_ex", params("regression_curves"), "--infile-true", t, "--infile-predicted", p,
                     "--output", tmp_path / "o.png")
    assert "the values of every sample are drawn for at most 5" in err
    tool("ml_visualization_ex", params("regression_scatter"), "--infile-true", t, "--infile-predicted", p,
         "--output", tmp_path / "s.png")  # the scatter takes them
