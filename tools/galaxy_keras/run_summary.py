"""The first lines of a training job's stdout: the outcome, short enough for Galaxy to show whole.

Galaxy keeps a job's stdout as the information of each output dataset and
stores only its first 255 characters (the ``info`` column of a history
dataset); that is what a person reads on expanding a dataset in the history.
So the job's stdout begins with two or three short lines, e.g.::

    final epoch 2/2: loss 0.6917, acc 0.5312, val_loss 0.6952, val_acc 0.4167
    trained: binary_crossentropy, Adam, 2 epochs, batch 128, 87 rows
    held-out validation (24 rows): loss 0.6931, f1 0.5, accuracy 0.5, precision 0.5, recall 0.5, roc_auc 0.52

and everything else (device, notes, timings) after them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .errors import shown

# The characters of a job's stdout that Galaxy keeps as a dataset's information.
GALAXY_INFO_CHARS = 255


def _number(value: Any) -> str:
    return f"{float(value):.4g}" if isinstance(value, (float, np.floating)) else str(value)


def final_epoch_line(history: pd.DataFrame, planned_epochs: int | None = None) -> str:
    """The last epoch's loss and metrics, training ones first, then the ``val_`` ones."""
    if history.empty:
        return "final epoch: none (the model trained for no epoch)"
    last = history.iloc[-1]
    names = [name for name in history.columns if name != "epoch"]
    # loss first, then the metrics; the validation ones after the training ones, in the same order
    names = sorted(names, key=lambda n: (str(n).startswith("val_"), str(n).removeprefix("val_") != "loss"))
    of = f"/{planned_epochs}" if planned_epochs and planned_epochs != int(last["epoch"]) else \
        f"/{int(last['epoch'])}"
    return f"final epoch {int(last['epoch'])}{of}: " + ", ".join(f"{name} {_number(last[name])}" for name in names)


def held_out_lines(scores: pd.DataFrame) -> list[str]:
    """One line a held-out part: its rows, its loss and its scores, in the metrics table's order."""
    lines = []
    for record in scores.to_dict("records"):
        part, rows = record.pop("dataset"), record.pop("n_samples")
        lines.append(f"held-out {part} ({rows} rows): " + ", ".join(f"{name} {_number(value)}"
                                                                     for name, value in record.items()))
    return lines


def summary_lines(history: pd.DataFrame, scores: pd.DataFrame, planned_epochs: int | None = None,
                  trained_with: str = "") -> list[str]:
    """The final epoch, what the model trained with (when given), then the held-out scores."""
    return [final_epoch_line(history, planned_epochs)] + ([trained_with] if trained_with else []) + \
        held_out_lines(scores)


def prediction_line(predictions: pd.DataFrame, method: str, learning_type: str | None,
                    classes: list | None = None) -> str:
    """Model Prediction's first line: how many rows, and what they hold at a glance.

    Labels are counted by class (a model that predicts one class for every row shows at once);
    values get their range and mean; probabilities name their classes. ``classes``: the model's, so
    that a class no row was given shows with 0.
    """
    rows = f"{len(predictions)} prediction{'' if len(predictions) == 1 else 's'}"
    if learning_type == "regressor":
        values = predictions.to_numpy(dtype=float)
        return (f"{rows} ({method}): values {_number(values.min())} to {_number(values.max())}, "
                f"mean {_number(values.mean())}")[:GALAXY_INFO_CHARS]
    if method == "predict":
        counts = {str(label): 0 for label in classes or ()}
        for label, count in predictions["predicted"].value_counts(sort=False).items():
            counts[str(label)] = int(count)
        # Class names are the model file's: escaped, so that a name cannot break Galaxy's one-line summary.
        listed = ", ".join(f"{shown(label, 40)}: {count}" for label, count in counts.items())
        return f"{rows} ({method}), rows per class: {listed}"[:GALAXY_INFO_CHARS]
    listed = ", ".join(shown(column.removeprefix("probability_"), 40) for column in predictions.columns)
    return f"{rows} ({method}): a probability for each of {listed}"[:GALAXY_INFO_CHARS]
