#!/usr/bin/env python
"""Machine Learning Visualization Extension: confusion matrix, ROC and PR curves, learning curves.

Galaxy tool ``ml_visualization_ex``. Every plot is written as PNG, SVG or PDF;
the confusion matrix also gets a table of per-class precision, recall and F1.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from galaxy_keras.errors import UserError, atomic_outputs, outputs_removed_on_error, run_tool
from galaxy_keras.model_data import class_labels, plain
from galaxy_keras.params import Params
from galaxy_keras.tables import ColumnSelector, read_table, read_vector, write_table

PLOT_TYPES = ("classification_confusion_matrix", "roc_curve", "pr_curve", "learning_curve")
FORMATS = ("png", "svg", "pdf")
COLOR_MAPS = ("Blues", "Greens", "Oranges", "Purples", "Reds", "Greys", "viridis", "cividis", "magma", "YlGnBu")


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


def read_labels(params: Params, path: str | None, side: str, what: str) -> pd.Series:
    selector = ColumnSelector.from_params(params.section(f"column_selector_options_{side}")) \
        if params.has(f"column_selector_options_{side}") else ColumnSelector()
    return read_vector(_require(path, what), params.bool(f"header_{side}", False), selector, what)


def confusion_matrix_plot(params: Params, args: argparse.Namespace, plt, report_path) -> None:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    true = read_labels(params, args.infile_true, "true", "true labels").map(plain)
    predicted = read_labels(params, args.infile_predicted, "predicted", "predicted labels").map(plain)
    if len(true) != len(predicted):
        raise UserError(f"the true labels have {len(true)} rows but the predicted labels have {len(predicted)}")
    labels = class_labels(pd.concat([true, predicted]))
    as_text = {label: str(label) for label in labels}
    true_s, predicted_s = true.map(as_text), predicted.map(as_text)
    names = [as_text[label] for label in labels]
    matrix = confusion_matrix(true_s, predicted_s, labels=names)
    precision, recall, f1, support = precision_recall_fscore_support(true_s, predicted_s, labels=names, zero_division=0)
    accuracy = float(np.trace(matrix)) / matrix.sum()

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
    ax.set_xticks(range(len(names)), names, rotation=45 if len(names) > 4 else 0)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("Predicted label")
    ax.set_ylabel("True label")
    ax.set_title(params.str("title", "") or "Confusion matrix")
    summary = [f"accuracy {accuracy:.3f}", ""] + [
        f"{name}: precision {p:.3f}\n   recall {r:.3f}  F1 {f:.3f}" for name, p, r, f in
        zip(names, precision, recall, f1)][:12]
    fig.text(0.77, 0.5, "\n".join(summary), va="center", ha="left", fontsize=9, family="monospace")
    fig.subplots_adjust(right=0.70)
    report = pd.DataFrame({"class": names, "precision": precision, "recall": recall, "f1": f1,
                           "support": support})
    report.loc[len(report)] = ["accuracy", accuracy, accuracy, accuracy, int(matrix.sum())]
    if report_path is not None:
        write_table(report, report_path)
    print(pd.DataFrame(matrix, index=[f"true {n}" for n in names], columns=[f"pred {n}" for n in names]).to_string())
    print(report.to_string(index=False))


def _probabilities(params: Params, args: argparse.Namespace) -> tuple[pd.Series, pd.DataFrame]:
    true = read_labels(params, args.infile_true, "true", "true labels").map(plain)
    table = read_table(_require(args.infile_predicted, "predicted probabilities"),
                       params.bool("header_predicted", True), "predicted probabilities")
    if len(table) != len(true):
        raise UserError(f"the true labels have {len(true)} rows but the probabilities have {len(table)}")
    try:
        table = table.astype(float)
    except ValueError:
        raise UserError("the probabilities table must hold numbers only (use 'predict_proba' in Model Prediction)") from None
    return true, table


def curve_plot(kind: str, params: Params, args: argparse.Namespace, plt) -> None:
    from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

    true, table = _probabilities(params, args)
    classes = class_labels(true)
    if table.shape[1] == 1:  # one column: the probability of the larger label
        table = pd.concat([1 - table.iloc[:, 0], table.iloc[:, 0]], axis=1)
    if table.shape[1] != len(classes) and not (len(classes) < table.shape[1]):
        raise UserError(f"the labels have {len(classes)} classes but the probabilities have {table.shape[1]} columns")
    pairs = [(classes[-1], table.iloc[:, -1])] if table.shape[1] == 2 and len(classes) <= 2 else \
        [(label, table.iloc[:, i]) for i, label in enumerate(classes)]
    fig, ax = plt.subplots(figsize=(6.5, 6))
    for label, scores in pairs:
        positive = (true == label).to_numpy()
        if kind == "roc_curve":
            fpr, tpr, _ = roc_curve(positive, scores)
            ax.plot(fpr, tpr, label=f"class {label} (AUC {auc(fpr, tpr):.3f})")
        else:
            precision, recall, _ = precision_recall_curve(positive, scores)
            ax.plot(recall, precision, label=f"class {label} (AP {average_precision_score(positive, scores):.3f})")
    if kind == "roc_curve":
        ax.plot([0, 1], [0, 1], linestyle="--", color="grey")
        ax.set_xlabel("False positive rate")
        ax.set_ylabel("True positive rate")
    else:
        ax.set_xlabel("Recall")
        ax.set_ylabel("Precision")
    ax.legend(loc="lower right" if kind == "roc_curve" else "lower left")
    ax.set_title(params.str("title", "") or ("ROC curve" if kind == "roc_curve" else "Precision-recall curve"))


def learning_curve_plot(params: Params, args: argparse.Namespace, plt) -> None:
    history = read_table(_require(args.infile_history, "the training history table"), True, "training history")
    if "epoch" not in history.columns:
        raise UserError("the history table has no 'epoch' column (use the history output of training)")
    metrics = [name for name in history.columns if name != "epoch" and not name.startswith("val_")]
    if not metrics:
        raise UserError("the history table has no metric columns")
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 4.2), squeeze=False)
    for ax, name in zip(axes[0], metrics):
        ax.plot(history["epoch"], history[name], marker="o", label="training")
        if f"val_{name}" in history.columns:
            ax.plot(history["epoch"], history[f"val_{name}"], marker="o", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.legend()
    fig.suptitle(params.str("title", "") or "Learning curves")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with outputs_removed_on_error(args.output, args.output_report):
        plot(args)


def plot(args: argparse.Namespace) -> None:
    params = Params.from_file(args.inputs).section("plotting_selection")
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
        plt.savefig(output, format=plot_format, dpi=150, bbox_inches="tight")
        plt.close("all")


if __name__ == "__main__":
    run_tool(main)
