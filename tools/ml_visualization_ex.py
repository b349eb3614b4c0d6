#!/usr/bin/env python
"""Machine Learning Visualization Extension: classifier, regressor and training plots.

Galaxy tool ``ml_visualization_ex``. Every plot is written as PNG, SVG or PDF
(and, where Galaxy-ML offered HTML, as an HTML page holding the PNG); the
confusion matrix also gets a table of per-class precision, recall and F1.

The form has every plot type and parameter of Galaxy-ML's tool of this id, so
that its workflows import unchanged; the one plot whose meaning cannot be
honoured here (feature importances of a scikit-learn estimator) fails with a
one-line error naming the parameter.

Every input is checked before a figure is made: a picture that would be
unreadable (hundreds of classes), drawn from the wrong numbers (scores instead
of probabilities, text in a history) or too large to render is refused with a
one-line error instead.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import pandas as pd

from galaxy_keras import result_plots
from galaxy_keras.errors import UserError, atomic_outputs, outputs_removed_on_error, run_tool
from galaxy_keras.errors import shown as escaped
from galaxy_keras.model_data import class_labels, plain
from galaxy_keras.params import Params
from galaxy_keras.plot_common import (LazyPyplot, numeric_cells, plot_title, probability, quoted, save_figure, shown,
                                      whole)
from galaxy_keras.tables import ColumnSelector, read_table, read_vector, write_table

IMAGE = ("png", "svg", "pdf")
# Each plot type and the plot_format values it takes (Galaxy-ML's own values included).
PLOT_TYPES = {
    "classification_confusion_matrix": IMAGE,
    "roc_curve": IMAGE + ("plotly_html", "matplotlib_svg"),
    "pr_curve": IMAGE + ("plotly_html", "matplotlib_svg"),
    "learning_curve": IMAGE + ("html",),
    "regression_scatter": IMAGE,
    "regression_residuals": IMAGE,
    "regression_curves": IMAGE,
    "rfecv_gridscores": IMAGE + ("html",),
    "feature_importances": IMAGE + ("html",),
    "keras_plot_model": IMAGE,
}
REGRESSION_PLOTS = ("regression_scatter", "regression_residuals", "regression_curves")
# The colour map names of the form -> matplotlib's; Galaxy-ML's own names (purples, Summer, ...) included.
COLOR_MAPS = {name: name for name in ("Blues", "Greens", "Oranges", "Purples", "Reds", "Greys", "viridis",
                                       "cividis", "magma", "YlGnBu")}
COLOR_MAPS.update({"purples": "Purples", "Summer": "summer", "Autumn": "autumn", "Winter": "winter"})
# Beyond this many classes neither the cells of a confusion matrix nor the curves of a legend can be
# read; the confusion matrix figure also grows with them (0.6 inch a class at 150 dpi).
MAX_CLASSES = 50
# Learning curves draw one 5-inch panel a metric.
MAX_METRICS = 20
# Rows of class probabilities add up to 1 up to float32 rounding; anything further off is not probabilities.
SUM_TOLERANCE = 1e-3
PROBABILITY_PREFIX = "probability_"  # Model Prediction's predict_proba column names
PROBABILITY_ADVICE = "use the 'predict_proba' method of Model Prediction for class probabilities"
ONE_HOT_ADVICE = ("several columns of true labels are one column a class, of 0 and 1 (a one-hot table such as "
                  "'To categorical' writes)")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", required=True, help="the tool's parameters (JSON written by Galaxy)")
    parser.add_argument("--infile-true", help="true labels or values table")
    parser.add_argument("--infile-predicted", help="predicted labels, probabilities or values table")
    parser.add_argument("--infile-history", help="training history, or Galaxy-ML's learning_curve table")
    parser.add_argument("--infile-grid-scores", help="RFECV grid scores table (rfecv_gridscores)")
    parser.add_argument("--model-config", help="Keras model JSON (keras_plot_model)")
    parser.add_argument("--output", required=True, help="the plot")
    parser.add_argument("--output-report", help="per-class precision, recall, F1 (confusion matrix)")
    return parser.parse_args(argv)


def _require(path: str | None, what: str) -> str:
    if not path:
        raise UserError(f"this plot needs {what}")
    return path


def title(params: Params, default: str) -> str:
    return plot_title(params, default)


def selector(params: Params, side: str) -> ColumnSelector:
    key = f"column_selector_options_{side}"
    return ColumnSelector.from_params(params.section(key)) if params.has(key) else ColumnSelector()


def read_labels(params: Params, path: str | None, side: str, what: str, header_default: bool = False,
                selectable: bool = True) -> pd.Series:
    chosen = selector(params, side) if selectable else ColumnSelector()
    return read_vector(_require(path, what), params.bool(f"header_{side}", header_default), chosen, what).map(plain)


def check_class_count(labels: list[Any], what: str, picture: str) -> None:
    """Refuse more classes than a picture can show, before anything is drawn."""
    if len(labels) <= MAX_CLASSES:
        return
    if all(isinstance(label, (int, float)) and not isinstance(label, bool) for label in labels):
        advice = ("these are numbers with many values, which look like scores or probabilities rather than "
                  "class labels: use the 'predict' method of Model Prediction for predicted labels")
    else:
        advice = "check that the selected columns hold class labels"
    raise UserError(f"{what} hold {len(labels)} distinct labels, more than the {MAX_CLASSES} classes a {picture} "
                    f"can show; {advice}")


def confusion_matrix_plot(params: Params, args: argparse.Namespace, plt, report_path) -> None:
    heading = title(params, "Confusion matrix")
    true = read_labels(params, args.infile_true, "true", "true labels")
    # Galaxy-ML's form (and the GTN CNN workflow's step) has no column selection of the predicted labels.
    predicted = read_labels(params, args.infile_predicted, "predicted", "predicted labels", header_default=True,
                            selectable=False)
    if len(true) != len(predicted):
        raise UserError(f"the true labels have {len(true)} rows but the predicted labels have {len(predicted)} "
                        f"(check the 'header' settings)")
    labels = class_labels(pd.concat([true, predicted]))
    check_class_count(labels, f"the true labels ({true.nunique()} distinct) and predicted labels "
                      f"({predicted.nunique()} distinct) together", "confusion matrix")
    # scikit-learn takes about a CPU second to import: after the checks, so that bad input fails without it.
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    as_text = {label: str(label) for label in labels}
    true_s, predicted_s = true.map(as_text), predicted.map(as_text)
    names = [as_text[label] for label in labels]
    matrix = confusion_matrix(true_s, predicted_s, labels=names)
    precision, recall, f1, support = precision_recall_fscore_support(true_s, predicted_s, labels=names, zero_division=0)
    accuracy = float(np.trace(matrix)) / matrix.sum()

    summary = [f"accuracy {accuracy:.3f}", ""] + [
        f"{shown(name)}: precision {p:.3f}\n   recall {r:.3f}  F1 {f:.3f}" for name, p, r, f in
        zip(names, precision, recall, f1)][:12]
    result_plots.confusion_matrix(plt, matrix, names, heading, COLOR_MAPS[params.choice("plot_color", COLOR_MAPS,
                                                                                         "Blues")], "\n".join(summary))
    report = pd.DataFrame({"class": names, "precision": precision, "recall": recall, "f1": f1,
                           "support": support})
    report.loc[len(report)] = ["accuracy", accuracy, accuracy, accuracy, int(matrix.sum())]
    if report_path is not None:
        write_table(report, report_path)
    print(pd.DataFrame(matrix, index=[f"true {n}" for n in names], columns=[f"pred {n}" for n in names]).to_string())
    print(report.to_string(index=False))


def read_probabilities(params: Params, args: argparse.Namespace, n_true: int,
                       sums_to_one: bool = True) -> tuple[pd.DataFrame, np.ndarray]:
    """The probabilities table and its values: numbers from 0 to 1, rows adding up to 1 (for classes)."""
    what = "the predicted probabilities"
    header = params.bool("header_predicted", True)
    table = read_table(_require(args.infile_predicted, what), header, what)
    if len(table) != n_true:
        raise UserError(f"the true labels have {n_true} rows but the probabilities have {len(table)} "
                        f"(check the 'header' settings)")
    values = numeric_cells(table, what, header, probability, "a probability from 0 to 1", PROBABILITY_ADVICE)
    if values.shape[1] > 1 and sums_to_one:
        sums = values.sum(axis=1)
        off = np.flatnonzero(np.abs(sums - 1) > SUM_TOLERANCE)
        if off.size:
            row = int(off[0])
            raise UserError(f"{what}: line {row + 1 + header} adds up to {sums[row]:.6g}, not 1, so these are not "
                            f"class probabilities (one column a class, each row adding up to 1); {PROBABILITY_ADVICE}")
    return table, values


def curve_columns(true: pd.Series, true_header: bool, classes: list[Any], table: pd.DataFrame,
                  values: np.ndarray, header: bool, positive: Any = None) -> list[tuple[Any, np.ndarray]]:
    """(class, its probabilities) for each curve.

    Columns named ``probability_<label>`` (Model Prediction's header) are matched
    to the true labels by name, so that classes missing from the true labels do
    not shift the others. Without those names the columns are the classes in
    sorted order: one column a class, or one column for the larger of two
    classes (or for ``positive``, Galaxy-ML's pos_label). Two classes (of two
    columns) give one curve, of the larger class or of ``positive``; more give
    one a class, or only ``positive``'s.
    """
    names = [str(name) for name in table.columns]
    if header and all(name.startswith(PROBABILITY_PREFIX) for name in names):
        position = {name[len(PROBABILITY_PREFIX):]: i for i, name in enumerate(names)}
        for line, label in enumerate(true.tolist(), start=1 + true_header):
            if str(label) not in position:
                raise UserError(f"true labels: the label {quoted(label)} (line {line}) is not among the classes "
                                f"of the probability columns ({', '.join(map(shown, list(position)[:10]))})")
        columns = [values[:, position[str(label)]] for label in classes]
        pairs = list(zip(classes, columns))
        two = len(names) == 2 and len(classes) == 2
    elif values.shape[1] == 1:
        if len(classes) != 2:
            raise UserError(f"the predicted probabilities have one column, the probability of the larger of two "
                            f"classes, but the true labels have {len(classes)} classes; give one column a class "
                            f"({PROBABILITY_ADVICE})")
        return [(positive if positive is not None else classes[1], values[:, 0])]
    elif values.shape[1] != len(classes):
        raise UserError(f"the predicted probabilities have {values.shape[1]} columns but the true labels have "
                        f"{len(classes)} classes; give one column a class, in the sorted order of the labels, or "
                        f"the header of Model Prediction's 'predict_proba' output (probability_<label>)")
    else:
        pairs = [(label, values[:, i]) for i, label in enumerate(classes)]
        two = len(classes) == 2
    if positive is not None:
        return [pair for pair in pairs if pair[0] == positive]
    return pairs[1:] if two else pairs


def positive_label(params: Params, classes: list[Any]) -> Any:
    """Galaxy-ML's pos_label: the class whose curve is drawn (empty: the larger of two classes, or every class)."""
    text = (params.str("pos_label", "") or "").strip()
    if not text:
        return None
    for label in classes:
        if str(label) == text:
            return label
    raise UserError(f"parameter 'plotting_selection|pos_label' is {quoted(text)}, which is not one of the true labels "
                    f"({', '.join(map(quoted, classes[:10]))}{', ...' if len(classes) > 10 else ''})")


def read_true_table(params: Params, args: argparse.Namespace, header: bool) -> pd.DataFrame:
    what = "true labels"
    return selector(params, "true").apply(read_table(_require(args.infile_true, what), header, what), what)


def one_hot_pairs(params: Params, args: argparse.Namespace, true_table: pd.DataFrame,
                  header: bool) -> list[tuple[Any, np.ndarray, np.ndarray]]:
    """Galaxy-ML's multi-label curves: a 0/1 column of true labels and a column of probabilities per class."""
    values = numeric_cells(true_table, "the true labels", header, lambda v: (v == 0) | (v == 1), "0 or 1",
                           ONE_HOT_ADVICE)
    text = (params.str("pos_label", "") or "").strip()
    if text not in ("", "1"):
        raise UserError(f"parameter 'plotting_selection|pos_label' is {quoted(text)}, but one-hot true labels "
                        f"(several 0/1 columns) have the positive label 1; leave it empty or set 1")
    one_class = bool((values.sum(axis=1) == 1).all())
    table, probabilities = read_probabilities(params, args, len(true_table), sums_to_one=one_class)
    if probabilities.shape[1] != values.shape[1]:
        raise UserError(f"the true labels have {values.shape[1]} columns (one a class) but the predicted "
                        f"probabilities have {probabilities.shape[1]}; give one column of probabilities a class, "
                        f"in the same order")
    names = [str(name) for name in true_table.columns] if header else [f"column {i + 1}" for i in
                                                                       range(values.shape[1])]
    return [(name, values[:, j] == 1, probabilities[:, j]) for j, name in enumerate(names)]


def curve_plot(kind: str, params: Params, args: argparse.Namespace, plt) -> None:
    """ROC or precision-recall curves, with Galaxy-ML's parameters.

    Galaxy-ML's form reads both tables with their header row and has no column
    selection; ``header_true``, ``header_predicted`` and
    ``column_selector_options_true`` are read when given (an API call, a
    hand-written parameter file) and default to that.
    """
    picture = "ROC curve" if kind == "roc_curve" else "precision-recall curve"
    heading = title(params, "ROC curve" if kind == "roc_curve" else "Precision-recall curve")
    drop_intermediate = params.bool("drop_intermediate", True) if kind == "roc_curve" else True
    minimum = params.int("report_minimum_n_positives", None, minimum=0)
    header_true = params.bool("header_true", True)
    true_table = read_true_table(params, args, header_true)
    if true_table.shape[1] > 1:
        if true_table.shape[1] > MAX_CLASSES:
            raise UserError(f"the true labels have {true_table.shape[1]} columns, more than the {MAX_CLASSES} "
                            f"classes a {picture} can show")
        curves = one_hot_pairs(params, args, true_table, header_true)
    else:
        true = read_labels(params, args.infile_true, "true", "true labels", header_default=True)
        table, values = read_probabilities(params, args, len(true))
        classes = class_labels(true)
        check_class_count(classes, "the true labels", picture)
        if len(classes) < 2:
            raise UserError(f"the true labels hold only one class ({quoted(classes[0])}); a {picture} needs "
                            f"samples of at least two classes")
        positive = positive_label(params, classes)
        pairs = curve_columns(true, header_true, classes, table, values, params.bool("header_predicted", True),
                              positive)
        curves = [(label, (true == label).to_numpy(), scores) for label, scores in pairs]
    drawable = [(label, is_positive, scores) for label, is_positive, scores in curves
                if 0 < is_positive.sum() < len(is_positive)]
    skipped = [str(label) for label, is_positive, _ in curves if not 0 < is_positive.sum() < len(is_positive)]
    if minimum:
        skipped += [str(label) for label, is_positive, _ in drawable if is_positive.sum() < minimum]
        drawable = [curve for curve in drawable if curve[1].sum() >= minimum]
    if skipped:
        print(f"Note: no curve for {', '.join(escaped(name, 40) for name in skipped[:20])}: "
              f"{'fewer positives than report_minimum_n_positives, or ' if minimum else ''}"
              f"no samples of that class, or only samples of it")
    if not drawable:
        enough = f" and at least {minimum} positives ('report_minimum_n_positives')" if minimum else ""
        raise UserError(f"no class has both positive and negative samples{enough}, so there is no {picture} to draw")
    result_plots.curves(plt, kind, drawable, heading, drop_intermediate)


def learning_curve_plot(params: Params, args: argparse.Namespace, plt) -> None:
    from galaxy_keras.sklearn_result_plots import is_learning_curve_table, learning_curve_table

    what = "the training history"
    heading = title(params, "Learning curves")
    plot_std_err = params.bool("plot_std_err", False)
    history = read_table(_require(args.infile_history, "the training history table"), True, what)
    if is_learning_curve_table(history):  # Galaxy-ML's Model Validation learning_curve output
        learning_curve_table(history, plot_std_err, plt, heading)
        return
    if "epoch" not in history.columns:
        raise UserError("the history table has no 'epoch' column (use the history output of training, or the "
                        "learning_curve output of Galaxy-ML's Model Validation with train_sizes_abs, "
                        "mean_train_scores and mean_test_scores)")
    if plot_std_err:
        raise UserError("parameter 'plotting_selection|plot_std_err' is yes, but a training history has one value "
                        "an epoch and no standard errors; set it to no")
    metrics = [name for name in history.columns if name != "epoch" and not str(name).startswith("val_")]
    if not metrics:
        raise UserError("the history table has no metric columns besides 'epoch' and validation columns "
                        "(use the history output of training)")
    if len(metrics) > MAX_METRICS:
        raise UserError(f"the history table has {len(metrics)} metric columns; learning curves show at most "
                        f"{MAX_METRICS} (one panel each)")
    advice = "learning curves are drawn from the 'training history' output of Deep learning training and evaluation"
    epochs = numeric_cells(history[["epoch"]], what, True, whole, "a whole number", advice)[:, 0]
    drawn = metrics + [f"val_{name}" for name in metrics if f"val_{name}" in history.columns]
    values = dict(zip(drawn, numeric_cells(history[drawn], what, True, np.isfinite, "a finite number", advice).T))
    result_plots.learning_curves(plt, epochs, values, metrics, heading)


def regression_plot(plot_type: str, params: Params, args: argparse.Namespace, plt) -> None:
    from galaxy_keras import regression_plots

    which = params.choice("residual_plots", regression_plots.RESIDUAL_PLOTS, "both") \
        if plot_type == "regression_residuals" else None
    pairs = regression_plots.read_pairs(
        _require(args.infile_true, "the true values"), params.bool("header_true", True), selector(params, "true"),
        _require(args.infile_predicted, "the predicted values"), params.bool("header_predicted", True),
        selector(params, "predicted"))
    print(pairs.summary())
    if plot_type == "regression_scatter":
        regression_plots.scatter(pairs, plt, title(params, "True vs predicted values"))
    elif plot_type == "regression_residuals":
        regression_plots.residuals(pairs, plt, title(params, "Residuals"), which)
    else:
        regression_plots.curves(pairs, plt, title(params, "True and predicted values"))


def grid_scores_plot(params: Params, args: argparse.Namespace, plt) -> None:
    from galaxy_keras.sklearn_result_plots import grid_scores

    heading = title(params, "RFECV grid scores")
    steps = params.str("steps", "")
    table = read_table(_require(args.infile_grid_scores, "the grid scores table"), True, "the grid scores")
    grid_scores(table, steps, plt, heading)


def model_diagram_plot(params: Params, args: argparse.Namespace, plt) -> None:
    from galaxy_keras.model_diagram import draw

    heading = title(params, "Model")
    layers = draw(_require(args.model_config, "the model configuration (JSON)"), plt, heading)
    print(f"{layers} layers drawn")


def refuse_feature_importances(params: Params) -> None:
    """Galaxy-ML's feature importances: read its settings, then refuse (no Keras model has them)."""
    if params.has("column_selector_options"):
        ColumnSelector.from_params(params.section("column_selector_options"))
    params.float("threshold", None, minimum=0)
    title(params, "Feature importances")
    raise UserError("parameter 'plotting_selection|plot_type' is 'feature_importances': it draws the coef_ or "
                    "feature_importances_ of a fitted scikit-learn estimator; a Keras model has neither, and these "
                    "tools do not open scikit-learn (pickled) model files")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with outputs_removed_on_error(args.output, args.output_report):
        plot(args)


def plot(args: argparse.Namespace) -> None:
    form = Params.from_file(args.inputs)
    params = form.section("plotting_selection")
    plot_type = params.choice("plot_type", PLOT_TYPES)
    plot_format = params.choice("plot_format", PLOT_TYPES[plot_type], "png")
    if plot_type == "feature_importances":
        refuse_feature_importances(params)
    report = args.output_report if plot_type == "classification_confusion_matrix" else None
    with atomic_outputs(args.output, report) as (output, report_path):
        plt = LazyPyplot()  # imported when a plot starts drawing, after its inputs are checked
        if plot_type == "classification_confusion_matrix":
            confusion_matrix_plot(params, args, plt, report_path)
        elif plot_type == "learning_curve":
            learning_curve_plot(params, args, plt)
        elif plot_type in REGRESSION_PLOTS:
            regression_plot(plot_type, params, args, plt)
        elif plot_type == "rfecv_gridscores":
            grid_scores_plot(params, args, plt)
        elif plot_type == "keras_plot_model":
            model_diagram_plot(params, args, plt)
        else:
            curve_plot(plot_type, params, args, plt)
        form.refuse_unread()  # the plots read their own settings: check once all are read
        heading = params.str("title", "") or plot_type
        save_figure(plt, output, plot_format, heading)
        plt.close("all")


if __name__ == "__main__":
    run_tool(main)
