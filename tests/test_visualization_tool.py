"""ml_visualization_ex: confusion matrix, curves, learning curves, and Galaxy-ML's plot types and parameters."""

import json

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
    tool("ml_visualization_ex", {"plotting_selection": {"plot_type": "roc_curve", "header_true": False,
                                                        "header_predicted": True}},
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


# --- Galaxy-ML's plot types and parameters (1.0.11) -------------------------------------------------

CONNECTED = {"__class__": "ConnectedValue"}
ALL = {"selected_column_selector_option": "all_columns", "__current_case__": 4}
# The tool_state of each plot type as Galaxy-ML 1.0.11's form stores it (the confusion matrix verbatim from
# the GTN CNN workflow, Intro_To_CNN_v1_0_11_0.ga).
GALAXY_ML_STATES = {
    "classification_confusion_matrix": {
        "plot_type": "classification_confusion_matrix", "__current_case__": 6, "infile_true": CONNECTED,
        "header_true": False, "column_selector_options_true": ALL, "infile_predicted": CONNECTED,
        "header_predicted": True, "title": "Confusion matrix between true and predicted labels",
        "plot_format": "png", "plot_color": "Greens"},
    "learning_curve": {"plot_type": "learning_curve", "__current_case__": 0, "infile1": CONNECTED,
                       "plot_std_err": False, "title": "", "plot_format": "html"},
    "pr_curve": {"plot_type": "pr_curve", "__current_case__": 1, "infile1": CONNECTED, "infile2": CONNECTED,
                 "pos_label": "", "title": "", "report_minimum_n_positives": None, "plot_format": "plotly_html"},
    "roc_curve": {"plot_type": "roc_curve", "__current_case__": 2, "infile1": CONNECTED, "infile2": CONNECTED,
                  "pos_label": "", "drop_intermediate": True, "title": "", "report_minimum_n_positives": None,
                  "plot_format": "matplotlib_svg"},
    "rfecv_gridscores": {"plot_type": "rfecv_gridscores", "__current_case__": 3, "infile1": CONNECTED,
                         "steps": "", "title": "", "plot_format": "html"},
    "feature_importances": {"plot_type": "feature_importances", "__current_case__": 4,
                            "infile_estimator": CONNECTED, "infile1": CONNECTED,
                            "column_selector_options": ALL, "threshold": None, "title": "", "plot_format": "html"},
    "keras_plot_model": {"plot_type": "keras_plot_model", "__current_case__": 5, "infile_model_config": CONNECTED,
                         "title": "", "plot_format": "png"},
}


@pytest.mark.parametrize("plot_type", GALAXY_ML_STATES)
def test_galaxy_ml_tool_states_import_without_corrections(plot_type):
    from galaxy_forms import inputs, problems

    assert problems(inputs("ml_visualization_ex"), {"plotting_selection": GALAXY_ML_STATES[plot_type]}) == []


def test_the_form_check_sees_a_wrong_state():
    from galaxy_forms import inputs, problems

    state = {"plotting_selection": {**GALAXY_ML_STATES["roc_curve"], "plot_format": "gif", "kwargs": ""}}
    assert problems(inputs("ml_visualization_ex"), state) == [
        "plotting_selection|plot_format: 'gif' is not one of ['png', 'svg', 'pdf', 'plotly_html', 'matplotlib_svg']",
        "plotting_selection|kwargs: no such parameter"]


def galaxy_params(plot_type: str, **changes) -> dict:
    """What Galaxy writes to inputs.json for a Galaxy-ML tool state: its values, no datasets."""
    state = {key: value for key, value in GALAXY_ML_STATES[plot_type].items()
             if value is not CONNECTED and not key.startswith("__")}
    return {"plotting_selection": {**state, **changes}}


def test_galaxy_ml_confusion_matrix_state_runs(tool, tmp_path):
    out = tmp_path / "cm.png"
    tool("ml_visualization_ex", galaxy_params("classification_confusion_matrix"), "--infile-true",
         TEST_DATA / "imdb_y_test_sample.tsv", "--infile-predicted", TEST_DATA / "tiny_lstm_predictions.tsv",
         "--output", out, "--output-report", tmp_path / "r.tsv")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("color", ["purples", "Summer", "Autumn", "Winter"])
def test_galaxy_ml_colour_names(tool, tmp_path, color):
    out = tmp_path / "cm.png"
    tool("ml_visualization_ex", galaxy_params("classification_confusion_matrix", plot_color=color), "--infile-true",
         TEST_DATA / "imdb_y_test_sample.tsv", "--infile-predicted", TEST_DATA / "tiny_lstm_predictions.tsv",
         "--output", out, "--output-report", tmp_path / "r.tsv")
    assert out.stat().st_size > 1000


def test_galaxy_ml_html_format_is_a_page_with_the_png(tool, tmp_path):
    out = tmp_path / "roc.html"
    true = write_tsv(tmp_path / "t.tsv", [[0], [1], [1], [0], [1]], header=["label"])
    probabilities = write_tsv(tmp_path / "p.tsv", [[0.2], [0.7], [0.9], [0.4], [0.6]], header=["score"])
    tool("ml_visualization_ex", galaxy_params("roc_curve", plot_format="plotly_html"), "--infile-true", true,
         "--infile-predicted", probabilities, "--output", out)
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and '<img alt="roc_curve"' in page
    assert "data:image/png;base64,iVBORw0KGgo" in page


def test_galaxy_ml_matplotlib_svg_is_svg(tool, tmp_path):
    out = tmp_path / "roc.svg"
    true = write_tsv(tmp_path / "t.tsv", [[0], [1], [1], [0]], header=["label"])
    probabilities = write_tsv(tmp_path / "p.tsv", [[0.2], [0.7], [0.9], [0.4]], header=["score"])
    tool("ml_visualization_ex", galaxy_params("roc_curve"), "--infile-true", true, "--infile-predicted",
         probabilities, "--output", out)
    assert b"<svg" in out.read_bytes()[:2000]


def curve_pairs(params, true, probabilities, header_true=False, header_predicted=True):
    """The curves curve_plot would draw, as (label, positives, scores)."""
    import argparse

    import ml_visualization_ex as tool

    from galaxy_keras.params import Params

    plotted = []

    class Axes:
        def plot(self, x, y, label=None, **_):
            plotted.append(label)

        def __getattr__(self, _name):
            return lambda *args, **kwargs: None

    class Plot:
        def subplots(self, *args, **kwargs):
            return None, Axes()

    args = argparse.Namespace(infile_true=str(true), infile_predicted=str(probabilities))
    form = Params({"header_true": header_true, "header_predicted": header_predicted, **params})
    tool.curve_plot(params.get("kind", "roc_curve"), form, args, Plot())
    return [label for label in plotted if label and label.startswith("class")]


def test_pos_label_draws_that_class_and_one_column_is_its_probability(tmp_path):
    true = write_tsv(tmp_path / "t.tsv", [[0], [1], [1], [0]])
    one = write_tsv(tmp_path / "p1.tsv", [[0.8], [0.3], [0.1], [0.6]], header=["p"])
    # The single column is the probability of class 0 here: a perfect ranking, AUC 1.
    assert curve_pairs({"pos_label": "0"}, true, one) == ["class 0 (AUC 1.000)"]
    two = TEST_DATA / "tiny_lstm_probabilities.tsv"
    labels = curve_pairs({"pos_label": "0"}, TEST_DATA / "imdb_y_test_sample.tsv", two)
    assert len(labels) == 1 and labels[0].startswith("class 0 ")


def test_drop_intermediate_keeps_every_threshold(tmp_path, monkeypatch):
    import sklearn.metrics

    seen = []
    original = sklearn.metrics.roc_curve
    monkeypatch.setattr(sklearn.metrics, "roc_curve", lambda *a, **k: seen.append(k) or original(*a, **k))
    true = write_tsv(tmp_path / "t.tsv", [[0], [1], [1], [0]])
    one = write_tsv(tmp_path / "p1.tsv", [[0.2], [0.7], [0.9], [0.4]], header=["p"])
    curve_pairs({"drop_intermediate": False}, true, one)
    assert seen == [{"drop_intermediate": False}]


def test_one_hot_true_labels_give_a_curve_per_column(tmp_path):
    labels = curve_pairs({}, TEST_DATA / "viz_onehot_true.tsv", TEST_DATA / "viz_probabilities_3.tsv",
                         header_true=True)
    assert [label.split(" (")[0] for label in labels] == ["class 0", "class 1", "class 2"]


def test_report_minimum_n_positives_skips_rare_classes(tmp_path, capsys):
    rows = [[1, 0, 0]] * 6 + [[0, 1, 0]] * 6 + [[0, 0, 1]] * 2
    true = write_tsv(tmp_path / "t.tsv", rows, header=["a", "b", "c"])
    probabilities = write_tsv(tmp_path / "p.tsv", [[0.6, 0.3, 0.1]] * 14, header=["pa", "pb", "pc"])
    labels = curve_pairs({"report_minimum_n_positives": 3}, true, probabilities, header_true=True)
    assert [label.split(" (")[0] for label in labels] == ["class a", "class b"]
    assert "no curve for c" in capsys.readouterr().out


def test_multi_label_true_labels_need_no_row_sums_of_1(tmp_path):
    rows = [[1, 1], [0, 1], [1, 0], [0, 0]]
    true = write_tsv(tmp_path / "t.tsv", rows, header=["x", "y"])
    probabilities = write_tsv(tmp_path / "p.tsv", [[0.9, 0.8], [0.2, 0.7], [0.6, 0.1], [0.1, 0.3]],
                              header=["px", "py"])
    assert len(curve_pairs({}, true, probabilities, header_true=True)) == 2


@pytest.mark.parametrize("params, rows, message", [
    ({"pos_label": "2"}, None, "parameter 'plotting_selection|pos_label' is '2', which is not one of the true "
                               "labels (0, 1)"),
    ({"pos_label": "0"}, [[1, 0], [0, 1]], "one-hot true labels (several 0/1 columns) have the positive label 1"),
    ({}, [[1, 0], [0, 2]], "the true labels: line 3, column 'b' is '2', not 0 or 1"),
    ({"report_minimum_n_positives": 5}, [[1, 0], [0, 1]], "no class has both positive and negative samples and "
                                                          "at least 5 positives"),
])
def test_curve_parameters_refused(tmp_path, params, rows, message):
    if rows is None:
        true, header = write_tsv(tmp_path / "t.tsv", [[0], [1], [1], [0]]), False
        probabilities = write_tsv(tmp_path / "p.tsv", [[0.2], [0.7], [0.9], [0.4]], header=["p"])
    else:
        true, header = write_tsv(tmp_path / "t.tsv", rows, header=["a", "b"]), True
        probabilities = write_tsv(tmp_path / "p.tsv", [[0.6, 0.4]] * len(rows), header=["pa", "pb"])
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)").replace("|", r"\|")):
        curve_pairs(params, true, probabilities, header_true=header)


def test_galaxy_ml_learning_curve_table_with_standard_errors(tool, tmp_path):
    out = tmp_path / "lc.html"
    tool("ml_visualization_ex", galaxy_params("learning_curve", plot_std_err=True), "--infile-history",
         TEST_DATA / "viz_learning_curve.tsv", "--output", out)
    assert "data:image/png;base64," in out.read_text()


def test_plot_std_err_needs_the_standard_error_columns(tool, tmp_path):
    table = write_tsv(tmp_path / "lc.tsv", [[10, 0.9, 0.7], [20, 0.85, 0.75]],
                      header=["train_sizes_abs", "mean_train_scores", "mean_test_scores"])
    err = tool.fails("ml_visualization_ex", galaxy_params("learning_curve", plot_std_err=True), "--infile-history",
                     table, "--output", tmp_path / "o.html")
    assert err == ("Error: parameter 'plotting_selection|plot_std_err' is yes, but the learning curve table has no "
                   "column 'std_train_scores', 'std_test_scores'; set it to no")


def test_galaxy_ml_grid_scores(tool, tmp_path):
    out = tmp_path / "g.html"
    tool("ml_visualization_ex", galaxy_params("rfecv_gridscores", steps="[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"),
         "--infile-grid-scores", TEST_DATA / "viz_grid_scores.tsv", "--output", out)
    assert "data:image/png" in out.read_text()


@pytest.mark.parametrize("steps, message", [
    ("list(range(10))", "these tools evaluate no Python expressions such as list(range(10))"),
    ("__import__('os').system('id')", "must be numbers separated by commas"),
    ("1, 2", "has 2 numbers but the grid scores have 10 rows"),
])
def test_grid_score_steps_refused(tool, tmp_path, steps, message):
    err = tool.fails("ml_visualization_ex", galaxy_params("rfecv_gridscores", steps=steps, plot_format="png"),
                     "--infile-grid-scores", TEST_DATA / "viz_grid_scores.tsv", "--output", tmp_path / "o.png")
    assert message in err


@pytest.mark.parametrize("model", ["tutorial_model.json", "tiny_lstm_model.json", "regression_model.json"])
def test_keras_plot_model_draws_the_layers(tool, tmp_path, model, capsys):
    out = tmp_path / "m.png"
    tool("ml_visualization_ex", galaxy_params("keras_plot_model"), "--model-config", TEST_DATA / model,
         "--output", out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "layers drawn" in capsys.readouterr().out


def test_keras_plot_model_reads_a_functional_keras_2_model(tmp_path):
    from galaxy_keras.model_diagram import read_layers

    model = {"class_name": "Functional", "keras_version": "2.10.0", "config": {"name": "model", "layers": [
        {"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_input_shape": [None, 4]},
         "inbound_nodes": []},
        {"class_name": "Dense", "name": "a", "config": {"name": "a", "units": 3},
         "inbound_nodes": [[["in", 0, 0, {}]]]},
        {"class_name": "Dense", "name": "b", "config": {"name": "b", "units": 2},
         "inbound_nodes": [[["in", 0, 0, {}]]]},
        {"class_name": "Concatenate", "name": "c", "config": {"name": "c", "axis": -1},
         "inbound_nodes": [[["a", 0, 0, {}], ["b", 0, 0, {}]]]}]}}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(model))
    kind, layers = read_layers(path)
    assert kind == "Functional"
    assert [(layer.name, layer.inputs) for layer in layers] == [("in", ()), ("a", ("in",)), ("b", ("in",)),
                                                                ("c", ("a", "b"))]
    assert layers[1].settings == "units=3"


@pytest.mark.parametrize("content, message", [
    ('{"name": "not a model"}', "is not a Keras model JSON"),
    ("[" * 100_000, "nested too deeply"),
    ('{"class_name": "Sequential", "config": {"layers": []}}', "lists no layers"),
])
def test_keras_plot_model_refuses(tool, tmp_path, content, message):
    path = tmp_path / "m.json"
    path.write_text(content)
    err = tool.fails("ml_visualization_ex", galaxy_params("keras_plot_model"), "--model-config", path,
                     "--output", tmp_path / "o.png")
    assert message in err


def test_feature_importances_is_refused_naming_the_parameter(tool, tmp_path):
    out = tmp_path / "f.html"
    out.write_text("")
    err = tool.fails("ml_visualization_ex", galaxy_params("feature_importances"), "--output", out)
    assert err.startswith("Error: parameter 'plotting_selection|plot_type' is 'feature_importances': it draws the "
                          "coef_ or feature_importances_ of a fitted scikit-learn estimator")
    assert not out.exists()


def test_a_format_of_another_plot_type_is_refused(tool, tmp_path):
    err = tool.fails("ml_visualization_ex", galaxy_params("keras_plot_model", plot_format="html"),
                     "--model-config", TEST_DATA / "tutorial_model.json", "--output", tmp_path / "o")
    assert "parameter 'plotting_selection|plot_format' must be one of pdf, png, svg; got 'html'" in err


def test_galaxy_imports_galaxy_ml_states_without_a_correction(galaxy_import_reports):
    """Galaxy's own check (no server): nothing dropped, nothing filled in, nothing refused."""
    report = galaxy_import_reports["ml_visualization_ex"]  # test-data/viz_galaxy_ml_states.json
    assert len(report) == 7
    assert {name: entry for name, entry in report.items() if any(entry.values())} == {}
