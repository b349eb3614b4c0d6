"""The training tool's HTML report: one self-contained page to look at instead of tables to read.

It holds the learning curves (loss and each metric per epoch, training and
validation), the held-out metrics table and, for the last held-out part (the
test part of Train, Validate and Evaluate, else the validation part), a
classifier's confusion matrix and ROC curve (one-vs-rest, a curve a class, for
more than two classes) or a regressor's true-vs-predicted scatter.

Plots are PNG images inside the page as base64 ``data:`` URLs, and the page
has no style sheet, script or link, so it needs no network and no other file.
Galaxy 26.1 serves an html dataset as it is where the tool is trusted
(``sanitize_all_html: false``, or the tool id in the admin's sanitize allow-list)
and as plain text otherwise; it strips nothing from it. PNG ``<img>`` tags are
still chosen over inline SVG because they are what Galaxy's own HTML sanitizer
(``galaxy.util.sanitize_html`` with data URLs allowed, used for its Markdown
pages) keeps: it removes ``<svg>`` and ``<style>`` elements. Every text from
the user's data (class labels, column names) is escaped.
"""

from __future__ import annotations

import html
from typing import Any, Sequence

import numpy as np
import pandas as pd

from . import regression_plots, result_plots
from .plot_common import png_base64

# The pictures are for a screen, not for print: 100 dpi keeps a report of four plots near 200 kB.
REPORT_DPI = 100
# As the visualization tool: beyond this many classes a confusion matrix or a legend cannot be read.
MAX_CLASSES = 50
# Learning curves draw one panel a metric.
MAX_METRICS = 20


def _image(plt, alt: str) -> str:
    data = png_base64(plt, REPORT_DPI)
    plt.close("all")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def metrics_table(scores: pd.DataFrame) -> str:
    """The held-out metrics as an HTML table: a row a held-out part, numbers to 4 significant digits."""
    head = "".join(f"<th>{html.escape(str(name))}</th>" for name in scores.columns)
    rows = []
    for record in scores.itertuples(index=False):
        cells = "".join(f"<td>{html.escape(_number(value))}</td>" for value in record)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table border=\"1\" cellpadding=\"4\">\n<tr>{head}</tr>\n" + "\n".join(rows) + "\n</table>"


def _number(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    return str(value)


def learning_curves(plt, history: pd.DataFrame) -> str:
    metrics = [str(name) for name in history.columns if name != "epoch" and not str(name).startswith("val_")]
    metrics.sort(key=lambda name: name != "loss")  # the loss first, as Keras reports it
    if history.empty or not metrics:
        return _note("No training history: the model trained for no epoch.")
    shown_metrics = metrics[:MAX_METRICS]
    values = {str(name): history[name].to_numpy(dtype=float) for name in history.columns if name != "epoch"}
    result_plots.learning_curves(plt, history["epoch"].to_numpy(), values, shown_metrics,
                                 "Learning curves (training and validation)")
    cut = _note(f"The first {MAX_METRICS} of {len(metrics)} metrics are drawn.") if len(metrics) > MAX_METRICS else ""
    return _image(plt, "learning curves: " + ", ".join(shown_metrics)) + cut


def confusion_matrix(plt, part: pd.DataFrame, classes: Sequence[Any]) -> str:
    from sklearn.metrics import confusion_matrix as counts

    if len(classes) > MAX_CLASSES:
        return _note(f"No confusion matrix: {len(classes)} classes are more than the {MAX_CLASSES} one can show.")
    names = [str(label) for label in classes]
    matrix = counts(part["true"].map(str), part["predicted"].map(str), labels=names)
    result_plots.confusion_matrix(plt, matrix, names, "Confusion matrix")
    return _image(plt, "confusion matrix")


def roc_curves(plt, part: pd.DataFrame, classes: Sequence[Any]) -> str:
    """Binary: the curve of the second class; more classes: one-vs-rest, a curve a class that has both sides."""
    if len(classes) > MAX_CLASSES:
        return _note(f"No ROC curve: {len(classes)} classes are more than a legend can show.")
    wanted = list(classes[1:2]) if len(classes) == 2 else list(classes)
    true = part["true"].map(str).to_numpy()
    drawable, skipped = [], []
    for label in wanted:
        is_positive = true == str(label)
        scores = part[f"probability_{label}"].to_numpy(dtype=float)
        if 0 < is_positive.sum() < len(is_positive):
            drawable.append((label, is_positive, scores))
        else:
            skipped.append(str(label))
    if not drawable:
        return _note("No ROC curve: the held-out rows hold only one class.")
    result_plots.curves(plt, "roc_curve", drawable, "ROC curve")
    what = (f"The curve of class {classes[1]} (positive) against class {classes[0]}." if len(classes) == 2 else
            "One-vs-rest: a curve for each class, its probability against all other classes.")
    if skipped:
        what += f" No curve for {', '.join(skipped)}: the held-out rows hold no sample of it, or only samples of it."
    return _note(what) + _image(plt, "ROC curve")


def true_vs_predicted(plt, part: pd.DataFrame) -> str:
    if len(part) < 2:
        return _note("No scatter: the held-out part has fewer than 2 rows.")
    if len(part) > regression_plots.MAX_POINTS:  # as the visualization tool: more is not one picture
        return _note(f"No scatter: {len(part):,} held-out rows are more than the {regression_plots.MAX_POINTS:,} "
                     f"one picture shows; draw a sample of the held-out predictions with the visualization tool.")
    pairs = regression_plots.Pairs(part["true"].to_numpy(dtype=float), part["predicted"].to_numpy(dtype=float),
                                   "values", "values")
    regression_plots.scatter(pairs, plt, "True vs predicted values")
    return _image(plt, "true vs predicted values")


def report_html(history: pd.DataFrame, scores: pd.DataFrame, predictions: pd.DataFrame, learning_type: str,
                classes: Sequence[Any] | None, title: str = "Training report") -> str:
    """The whole page. ``predictions`` is the held-out predictions table of the training (row, dataset, true,
    predicted, probability_<class>...); its last part is the one drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    part_name = str(predictions["dataset"].iloc[-1])
    part = predictions[predictions["dataset"] == part_name]
    sections = [f"<h1>{html.escape(title)}</h1>",
                "<h2>Learning curves</h2>", learning_curves(plt, history),
                "<h2>Held-out metrics</h2>", metrics_table(scores)]
    about = f"The {len(part):,} rows of the held-out {part_name} part."
    if learning_type == "classifier":
        sections += ["<h2>Confusion matrix</h2>", _note(about), confusion_matrix(plt, part, classes or []),
                     "<h2>ROC curve</h2>", roc_curves(plt, part, classes or [])]
    else:
        sections += ["<h2>True vs predicted values</h2>", _note(about), true_vs_predicted(plt, part)]
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + html.escape(title)
            + "</title>\n</head>\n<body>\n" + "\n".join(sections)
            + "\n</body>\n</html>\n")
