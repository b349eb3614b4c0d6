#!/usr/bin/env python
"""Machine Learning Visualization Extension: confusion matrix, ROC and PR curves, learning curves.

Galaxy tool ``ml_visualization_ex``. Every plot is written as PNG, SVG or PDF;
the confusion matrix also gets a table of per-class precision, recall and F1.

Every input is checked before a figure is made: a picture that would be
unreadable (hundreds of classes), drawn from the wrong numbers (scores instead
of probabilities, text in a history) or too large to render is refused with a
one-line error instead.
"""

from __future__ import annotations

import argparse
from typing import Any, Callable

import numpy as np
import pandas as pd

from galaxy_keras.errors import UserError, atomic_outputs, outputs_removed_on_error, run_tool
from galaxy_keras.model_data import class_labels, plain
from galaxy_keras.params import Params
from galaxy_keras.tables import ColumnSelector, read_table, read_vector, write_table

PLOT_TYPES = ("classification_confusion_matrix", "roc_curve", "pr_curve", "learning_curve")
FORMATS = ("png", "svg", "pdf")
COLOR_MAPS = ("Blues", "Greens", "Oranges", "Purples", "Reds", "Greys", "viridis", "cividis", "magma", "YlGnBu")
# Beyond this many classes neither the cells of a confusion matrix nor the curves of a legend can be
# read; the confusion matrix figure also grows with them (0.6 inch a class at 150 dpi).
MAX_CLASSES = 50
# Learning curves draw one 5-inch panel a metric.
MAX_METRICS = 20
# Longer titles run off the figure (and stretch it when it is saved with a tight box).
MAX_TITLE = 200
# Class and metric names are cut to this length in the picture; the report table keeps them whole.
MAX_SHOWN_NAME = 40
# Rows of class probabilities add up to 1 up to float32 rounding; anything further off is not probabilities.
SUM_TOLERANCE = 1e-3
PROBABILITY_PREFIX = "probability_"  # Model Prediction's predict_proba column names
PROBABILITY_ADVICE = "use the 'predict_proba' method of Model Prediction for class probabilities"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", required=True, help="the tool's parameters (JSON written by Galaxy)")
    parser.add_argument("--infile-true", help="true labels table")
    parser.add_argument("--infile-predicted", help="predicted labels or probabilities table")
    parser.add_argument("--infile-history", help="training history table (learning curves)")
    parser.add_argument("--output", required=True, help="the plot")
    parser.add_argument("--output-report", help="per-class precision, recall, F1 (confusion matrix)")
    return parser.parse_args(argv)


def _require(path: str | None, what: str) -> str:
    if not path:
        raise UserError(f"this plot needs {what}")
    return path


def literal(text: Any) -> str:
    """Text that matplotlib draws as it is: a '$' would otherwise start mathtext, which can fail to parse."""
    return str(text).replace("$", r"\$")


def shown(name: Any) -> str:
    name = str(name)
    return literal(name if len(name) <= MAX_SHOWN_NAME else name[:MAX_SHOWN_NAME - 1] + "…")


def quoted(label: Any) -> str:
    """A label in a message: text quoted (and cut), numbers as they are."""
    return repr(str(label)[:40]) if isinstance(label, str) else str(label)


def title(params: Params, default: str) -> str:
    text = params.str("title", "") or default
    if len(text) > MAX_TITLE:
        raise UserError(f"the plot title ('title') has {len(text):,} characters; at most {MAX_TITLE} fit on a plot")
    return literal(text)


def read_labels(params: Params, path: str | None, side: str, what: str) -> pd.Series:
    selector = ColumnSelector.from_params(params.section(f"column_selector_options_{side}")) \
        if params.has(f"column_selector_options_{side}") else ColumnSelector()
    return read_vector(_require(path, what), params.bool(f"header_{side}", False), selector, what).map(plain)


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


def numeric_cells(table: pd.DataFrame, what: str, header: bool, allowed: Callable[[np.ndarray], np.ndarray],
                  kind: str, advice: str) -> np.ndarray:
    """The table as float64; names the first cell (in reading order) that is not ``kind``."""
    values = table.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~allowed(values)  # text cells are NaN here, and NaN is allowed by no rule
    if not bad.any():
        return values
    row, col = (int(i) for i in np.argwhere(bad)[0])
    column = f"column '{table.columns[col]}'" if header else f"column {col + 1}"
    hint = " (if the first line holds column names, set 'header')" \
        if not header and row == 0 and np.isnan(values[row, col]) else ""
    raise UserError(f"{what}: line {row + 1 + header}, {column} is {str(table.iat[row, col])[:40]!r}, "
                    f"not {kind}{hint}; {advice}")


def whole(values: np.ndarray) -> np.ndarray:
    return np.isfinite(values) & (values == np.round(values))


def probability(values: np.ndarray) -> np.ndarray:
    return (values >= 0) & (values <= 1)


def confusion_matrix_plot(params: Params, args: argparse.Namespace, plt, report_path) -> None:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    heading = title(params, "Confusion matrix")
    true = read_labels(params, args.infile_true, "true", "true labels")
    predicted = read_labels(params, args.infile_predicted, "predicted", "predicted labels")
    if len(true) != len(predicted):
        raise UserError(f"the true labels have {len(true)} rows but the predicted labels have {len(predicted)} "
                        f"(check the 'header' settings)")
    labels = class_labels(pd.concat([true, predicted]))
    check_class_count(labels, f"the true labels ({true.nunique()} distinct) and predicted labels "
                      f"({predicted.nunique()} distinct) together", "confusion matrix")
    as_text = {label: str(label) for label in labels}
    true_s, predicted_s = true.map(as_text), predicted.map(as_text)
    names = [as_text[label] for label in labels]
    matrix = confusion_matrix(true_s, predicted_s, labels=names)
    precision, recall, f1, support = precision_recall_fscore_support(true_s, predicted_s, labels=names, zero_division=0)
    accuracy = float(np.trace(matrix)) / matrix.sum()

    drawn = [shown(name) for name in names]
    size = max(4.5, 0.6 * len(names) + 3)
    fig, ax = plt.subplots(figsize=(size + 3.2, size))
    image = ax.imshow(matrix, cmap=params.choice("plot_color", COLOR_MAPS, "Blues"))
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    row_totals = matrix.sum(axis=1, keepdims=True)
    percent = np.divide(matrix, row_totals, out=np.zeros(matrix.shape), where=row_totals > 0) * 100
    threshold = matrix.max() / 2 if matrix.size else 0
    for i in range(len(names)):
        for j in range(len(names)):
            ax.text(j, i, f"{matrix[i, j]:,}\n({percent[i, j]:.1f}%)", ha="center", va="center",
                    color="white" if matrix[i, j] > threshold else "black", fontsize=10 if len(names) < 8 else 7)
    ax.set_xticks(range(len(names)), drawn, rotation=45 if len(names) > 4 else 0)
    ax.set_yticks(range(len(names)), drawn)
    ax.set_xlabel("Predicted label")
    ax.set_ylabel("True label")
    ax.set_title(heading)
    summary = [f"accuracy {accuracy:.3f}", ""] + [
        f"{name}: precision {p:.3f}\n   recall {r:.3f}  F1 {f:.3f}" for name, p, r, f in
        zip(drawn, precision, recall, f1)][:12]
    fig.text(0.77, 0.5, "\n".join(summary), va="center", ha="left", fontsize=9, family="monospace")
    fig.subplots_adjust(right=0.70)
    report = pd.DataFrame({"class": names, "precision": precision, "recall": recall, "f1": f1,
                           "support": support})
    report.loc[len(report)] = ["accuracy", accuracy, accuracy, accuracy, int(matrix.sum())]
    if report_path is not None:
        write_table(report, report_path)
    print(pd.DataFrame(matrix, index=[f"true {n}" for n in names], columns=[f"pred {n}" for n in names]).to_string())
    print(report.to_string(index=False))


def read_probabilities(params: Params, args: argparse.Namespace, n_true: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The probabilities table and its values: numbers from 0 to 1, rows adding up to 1."""
    what = "the predicted probabilities"
    header = params.bool("header_predicted", True)
    table = read_table(_require(args.infile_predicted, what), header, what)
    if len(table) != n_true:
        raise UserError(f"the true labels have {n_true} rows but the probabilities have {len(table)} "
                        f"(check the 'header' settings)")
    values = numeric_cells(table, what, header, probability, "a probability from 0 to 1", PROBABILITY_ADVICE)
    if values.shape[1] > 1:
        sums = values.sum(axis=1)
        off = np.flatnonzero(np.abs(sums - 1) > SUM_TOLERANCE)
        if off.size:
            row = int(off[0])
            raise UserError(f"{what}: line {row + 1 + header} adds up to {sums[row]:.6g}, not 1, so these are not "
                            f"class probabilities (one column a class, each row adding up to 1); {PROBABILITY_ADVICE}")
    return table, values


def curve_columns(true: pd.Series, true_header: bool, classes: list[Any], table: pd.DataFrame,
                  values: np.ndarray, header: bool) -> list[tuple[Any, np.ndarray]]:
    """(class, its probabilities) for each curve.

    Columns named ``probability_<label>`` (Model Prediction's header) are matched
    to the true labels by name, so that classes missing from the true labels do
    not shift the others. Without those names the columns are the classes in
    sorted order: one column a class, or one column for the larger of two classes.
    """
    names = [str(name) for name in table.columns]
    if header and all(name.startswith(PROBABILITY_PREFIX) for name in names):
        position = {name[len(PROBABILITY_PREFIX):]: i for i, name in enumerate(names)}
        for line, label in enumerate(true.tolist(), start=1 + true_header):
            if str(label) not in position:
                raise UserError(f"true labels: the label {quoted(label)} (line {line}) is not among the classes "
                                f"of the probability columns ({', '.join(position)[:200]})")
        columns = [values[:, position[str(label)]] for label in classes]
        if len(names) == 2 and len(classes) == 2:
            return [(classes[1], columns[1])]
        return list(zip(classes, columns))
    if values.shape[1] == 1:
        if len(classes) != 2:
            raise UserError(f"the predicted probabilities have one column, the probability of the larger of two "
                            f"classes, but the true labels have {len(classes)} classes; give one column a class "
                            f"({PROBABILITY_ADVICE})")
        return [(classes[1], values[:, 0])]
    if values.shape[1] != len(classes):
        raise UserError(f"the predicted probabilities have {values.shape[1]} columns but the true labels have "
                        f"{len(classes)} classes; give one column a class, in the sorted order of the labels, or "
                        f"the header of Model Prediction's 'predict_proba' output (probability_<label>)")
    if len(classes) == 2:
        return [(classes[1], values[:, 1])]
    return [(label, values[:, i]) for i, label in enumerate(classes)]


def curve_plot(kind: str, params: Params, args: argparse.Namespace, plt) -> None:
    from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

    picture = "ROC curve" if kind == "roc_curve" else "precision-recall curve"
    heading = title(params, "ROC curve" if kind == "roc_curve" else "Precision-recall curve")
    true = read_labels(params, args.infile_true, "true", "true labels")
    table, values = read_probabilities(params, args, len(true))
    classes = class_labels(true)
    check_class_count(classes, "the true labels", picture)
    if len(classes) < 2:
        raise UserError(f"the true labels hold only one class ({quoted(classes[0])}); a {picture} needs "
                        f"samples of at least two classes")
    pairs = curve_columns(true, params.bool("header_true", False), classes, table, values,
                          params.bool("header_predicted", True))
    fig, ax = plt.subplots(figsize=(6.5, 6))
    for label, scores in pairs:
        positive = (true == label).to_numpy()
        if kind == "roc_curve":
            fpr, tpr, _ = roc_curve(positive, scores)
            ax.plot(fpr, tpr, label=f"class {shown(label)} (AUC {auc(fpr, tpr):.3f})")
        else:
            precision, recall, _ = precision_recall_curve(positive, scores)
            average = average_precision_score(positive, scores)
            ax.plot(recall, precision, label=f"class {shown(label)} (AP {average:.3f})")
    if kind == "roc_curve":
        ax.plot([0, 1], [0, 1], linestyle="--", color="grey")
        ax.set_xlabel("False positive rate")
        ax.set_ylabel("True positive rate")
    else:
        ax.set_xlabel("Recall")
        ax.set_ylabel("Precision")
    ax.legend(loc="lower right" if kind == "roc_curve" else "lower left")
    ax.set_title(heading)


def learning_curve_plot(params: Params, args: argparse.Namespace, plt) -> None:
    what = "the training history"
    heading = title(params, "Learning curves")
    history = read_table(_require(args.infile_history, "the training history table"), True, what)
    if "epoch" not in history.columns:
        raise UserError("the history table has no 'epoch' column (use the history output of training)")
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
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 4.2), squeeze=False)
    for ax, name in zip(axes[0], metrics):
        ax.plot(epochs, values[name], marker="o", label="training")
        if f"val_{name}" in values:
            ax.plot(epochs, values[f"val_{name}"], marker="o", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(shown(name))
        ax.legend()
    fig.suptitle(heading)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with outputs_removed_on_error(args.output, args.output_report):
        plot(args)


def plot(args: argparse.Namespace) -> None:
    form = Params.from_file(args.inputs)
    params = form.section("plotting_selection")
    plot_type = params.choice("plot_type", PLOT_TYPES)
    plot_format = params.choice("plot_format", FORMATS, "png")
    report = args.output_report if plot_type == "classification_confusion_matrix" else None
    with atomic_outputs(args.output, report) as (output, report_path):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        if plot_type == "classification_confusion_matrix":
            confusion_matrix_plot(params, args, plt, report_path)
        elif plot_type == "learning_curve":
            learning_curve_plot(params, args, plt)
        else:
            curve_plot(plot_type, params, args, plt)
        form.refuse_unread()  # the plots read their own settings: check once all are read
        plt.savefig(output, format=plot_format, dpi=150, bbox_inches="tight")
        plt.close("all")


if __name__ == "__main__":
    run_tool(main)
