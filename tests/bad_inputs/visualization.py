"""Machine Learning Visualization Extension (ml_visualization_ex)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from bad_inputs import Case
from bad_inputs.common import CONFUSION, D

OUT = ["--output", "--output-report"]
TRUE_40 = D / "imdb_y_test_sample.tsv"  # 40 labels, 0 and 1


def table(name: str, lines: list[str]) -> Callable[[Path, Path], Path]:
    """A make(folder, canary) that writes a small table at test time."""
    def make(folder: Path, _canary: Path) -> Path:
        path = folder / name
        path.write_text("".join(line + "\n" for line in lines))
        return path
    return make


def plot(plot_type: str, **options) -> dict:
    return {"plotting_selection": {"plot_type": plot_type, "header_true": False, "header_predicted": True,
                                   "plot_format": "png", **options}}


def curve(predicted: Callable[[Path, Path], Path], true=TRUE_40) -> list:
    return ["--infile-true", true, "--infile-predicted", predicted]


def probabilities(rows: list[str], header: str = "probability_0\tprobability_1") -> Callable[[Path, Path], Path]:
    return table("probabilities.tsv", [header, *rows])


GOOD_ROWS = ["0.25\t0.75"] * 40
HISTORY_HEADER = "epoch\tloss\tacc\tval_loss\tval_acc"
HISTORY_ROWS = ["1\t0.69\t0.5\t0.70\t0.45", "2\t0.60\t0.6\t0.65\t0.55", "3\t0.50\t0.7\t0.60\t0.60"]


def history(lines: list[str]) -> list:
    return ["--infile-history", table("history.tsv", lines)]


ROC, PR, LEARNING = plot("roc_curve"), plot("pr_curve"), plot("learning_curve")

CASES = {
    "label lengths differ": Case("ml_visualization_ex", CONFUSION,
                                 ["--infile-true", D / "imdb_y_train_sample.tsv", "--infile-predicted",
                                  D / "tiny_lstm_predictions.tsv"], OUT,
                                 "120 rows but the predicted labels have 40"),
    "unknown plot type": Case("ml_visualization_ex", {"plotting_selection": {"plot_type": "pie"}}, [],
                              ["--output"], "must be one of"),
    "two columns of labels": Case("ml_visualization_ex", CONFUSION,
                                  ["--infile-true", D / "non_numeric.tsv", "--infile-predicted",
                                   D / "tiny_lstm_predictions.tsv"], OUT, "expected one column"),
    # Scores given as predicted labels: 250 "classes" (the figure alone would take gigabytes).
    "confusion matrix of 250 labels": Case(
        "ml_visualization_ex", CONFUSION,
        ["--infile-true", table("true.tsv", [str(i % 2) for i in range(250)]),
         "--infile-predicted", table("scores.tsv", ["predicted", *(f"0.{i:04d}1" for i in range(250))])], OUT,
        "252 distinct labels, more than the 50 classes a confusion matrix can show; these are numbers with many "
        "values, which look like scores or probabilities rather than class labels"),
    "confusion matrix title of 5,000 characters": Case(
        "ml_visualization_ex", {"plotting_selection": {**CONFUSION["plotting_selection"], "title": "x" * 5000}},
        ["--infile-true", TRUE_40, "--infile-predicted", D / "tiny_lstm_predictions.tsv"], OUT,
        "the plot title ('title') has 5,000 characters; at most 200 fit on a plot"),
    "ROC from scores of -15 to 15": Case(
        "ml_visualization_ex", ROC, curve(table("scores.tsv", ["score", *(f"{i * 0.75 - 15:g}" for i in range(40))])),
        ["--output"], "line 2, column 'score' is '-15.0', not a probability from 0 to 1; use the 'predict_proba' "
                      "method of Model Prediction"),
    "ROC with a NaN probability": Case(
        "ml_visualization_ex", ROC, curve(probabilities(GOOD_ROWS[:5] + ["nan\t0.5"] + GOOD_ROWS[6:])),
        ["--output"], "line 7, column 'probability_0' is 'nan', not a probability from 0 to 1"),
    "ROC with an infinite probability": Case(
        "ml_visualization_ex", ROC, curve(probabilities(GOOD_ROWS[:39] + ["0.5\tinf"])),
        ["--output"], "line 41, column 'probability_1' is 'inf', not a probability from 0 to 1"),
    "PR with probabilities above 1": Case(
        "ml_visualization_ex", PR, curve(probabilities(["1.7\t-0.7", *GOOD_ROWS[1:]])),
        ["--output"], "line 2, column 'probability_0' is '1.7', not a probability from 0 to 1"),
    "probability rows that do not add up to 1": Case(
        "ml_visualization_ex", PR, curve(probabilities(GOOD_ROWS[:3] + ["0.9\t0.9"] + GOOD_ROWS[4:])),
        ["--output"], "line 5 adds up to 1.8, not 1, so these are not class probabilities"),
    "three probability columns for two classes": Case(
        "ml_visualization_ex", ROC, curve(probabilities(["0.2\t0.3\t0.5"] * 40, "p\tq\tr")), ["--output"],
        "the predicted probabilities have 3 columns but the true labels have 2 classes"),
    "one probability column for three classes": Case(
        "ml_visualization_ex", ROC,
        curve(probabilities(["0.5"] * 40, "p"), true=table("true.tsv", [str(i % 3) for i in range(40)])),
        ["--output"], "have one column, the probability of the larger of two classes, but the true labels have 3"),
    "a true label that has no probability column": Case(
        "ml_visualization_ex", ROC,
        curve(probabilities(GOOD_ROWS), true=table("true.tsv", ["0", "1", "2", *(["1"] * 37)])), ["--output"],
        "the label 2 (line 3) is not among the classes of the probability columns (0, 1)"),
    "true labels of only one class": Case(
        "ml_visualization_ex", PR, curve(probabilities(GOOD_ROWS), true=table("true.tsv", ["1"] * 40)),
        ["--output"], "the true labels hold only one class (1); a precision-recall curve needs samples of at "
                      "least two classes"),
    "probabilities with a header read as data": Case(
        "ml_visualization_ex", plot("roc_curve", header_predicted=False),
        curve(probabilities(GOOD_ROWS[1:])), ["--output"],
        "line 1, column 1 is 'probability_0', not a probability from 0 to 1 (if the first line holds column "
        "names, set 'header')"),
    "ROC of 60 classes": Case(
        "ml_visualization_ex", ROC,
        curve(probabilities(["\t".join(["0.016667"] * 60)] * 60, "\t".join(f"p{i}" for i in range(60))),
              true=table("true.tsv", [str(i) for i in range(60)])),
        ["--output"], "the true labels hold 60 distinct labels, more than the 50 classes a ROC curve can show"),
    "history with text": Case(
        "ml_visualization_ex", LEARNING, history([HISTORY_HEADER, *HISTORY_ROWS[:2], "3\tabc\t0.7\t0.6\t0.6"]),
        ["--output"], "the training history: line 4, column 'loss' is 'abc', not a finite number"),
    "history with inf": Case(
        "ml_visualization_ex", LEARNING, history([HISTORY_HEADER, "1\t0.69\t0.5\t-inf\t0.45", *HISTORY_ROWS[1:]]),
        ["--output"], "the training history: line 2, column 'val_loss' is '-inf', not a finite number"),
    "history epochs not whole numbers": Case(
        "ml_visualization_ex", LEARNING, history([HISTORY_HEADER, *HISTORY_ROWS[:2], "2.5\t0.5\t0.7\t0.6\t0.6"]),
        ["--output"], "line 4, column 'epoch' is '2.5', not a whole number"),
    "history without metric columns": Case(
        "ml_visualization_ex", LEARNING, history(["epoch\tval_loss", "1\t0.5", "2\t0.4"]), ["--output"],
        "the history table has no metric columns besides 'epoch' and validation columns"),
    "history with a header and no rows": Case(
        "ml_visualization_ex", LEARNING, history([HISTORY_HEADER]), ["--output"],
        "the training history: the table has a header but no rows"),
    "history of 500 metrics": Case(
        "ml_visualization_ex", LEARNING,
        history(["\t".join(["epoch", *(f"m{i}" for i in range(500))]), "\t".join(["1", *["0.5"] * 500])]),
        ["--output"], "the history table has 500 metric columns; learning curves show at most 20"),
}
