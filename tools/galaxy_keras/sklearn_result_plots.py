"""Plots of Galaxy-ML's scikit-learn result tables, so that its workflows' plot steps still run.

- The ``learning_curve`` table of Galaxy-ML's Model Validation tool
  (``train_sizes_abs``, ``mean_train_scores``, ``std_train_scores``,
  ``mean_test_scores``, ``std_test_scores``): scores against the number of
  training samples, with standard errors as error bars if asked.
- RFECV grid scores (one headered column, e.g. Estimator Attributes'
  ``grid_scores_``): the cross-validation score against the number of features.
  Galaxy-ML evaluated its ``steps`` as Python; here only a plain list of
  numbers is read, and anything else is refused.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .errors import UserError, quoted
from .plot_common import numeric_cells

LEARNING_CURVE_COLUMNS = ("train_sizes_abs", "mean_train_scores", "mean_test_scores")
STD_COLUMNS = ("std_train_scores", "std_test_scores")
# At most this many grid scores (one per number of features) are drawn.
MAX_GRID_SCORES = 100_000
_STEP = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
MAX_STEPS_TEXT = 100_000


def is_learning_curve_table(table: pd.DataFrame) -> bool:
    return all(name in table.columns for name in LEARNING_CURVE_COLUMNS)


def learning_curve_table(table: pd.DataFrame, plot_std_err: bool, plt, heading: str) -> None:
    what = "the learning curve table"
    advice = "this plot takes the learning_curve output of Galaxy-ML's Model Validation tool"
    names = list(LEARNING_CURVE_COLUMNS) + (list(STD_COLUMNS) if plot_std_err else [])
    if plot_std_err:
        missing = [name for name in STD_COLUMNS if name not in table.columns]
        if missing:
            raise UserError(f"parameter 'plotting_selection|plot_std_err' is yes, but {what} has no column "
                            f"{', '.join(map(repr, missing))}; set it to no")
    values = dict(zip(names, numeric_cells(table[names], what, True, np.isfinite, "a finite number", advice).T))
    fig, ax = plt.subplots(figsize=(7, 5))
    for kind, label in (("train", "Train scores"), ("test", "Test scores")):
        error = values[f"std_{kind}_scores"] if plot_std_err else None
        ax.errorbar(values["train_sizes_abs"], values[f"mean_{kind}_scores"], yerr=error, marker="o",
                    capsize=3 if plot_std_err else 0, label=label)
    ax.set_xlabel("No. of samples")
    ax.set_ylabel("Performance score")
    ax.legend()
    ax.set_title(heading)


def parse_steps(text: str | None, n: int) -> np.ndarray | None:
    """Galaxy-ML's 'steps': the x value (number of features) of each grid score, as plain numbers."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > MAX_STEPS_TEXT:
        raise UserError(f"parameter 'plotting_selection|steps' has {len(text):,} characters; at most "
                        f"{MAX_STEPS_TEXT:,}")
    inner = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    items = [item for item in re.split(r"[,\s]+", inner.strip()) if item]
    if not items or not all(_STEP.fullmatch(item) for item in items):
        raise UserError(f"parameter 'plotting_selection|steps' must be numbers separated by commas, like "
                        f"1, 2, 3, 5, 10 (the number of features of each grid score), got {quoted(text, 60)}; these "
                        f"tools evaluate no Python expressions such as list(range(10))")
    if len(items) != n:
        raise UserError(f"parameter 'plotting_selection|steps' has {len(items)} numbers but the grid scores have "
                        f"{n} rows; give one number of features per score")
    return np.array([float(item) for item in items])


def grid_scores(table: pd.DataFrame, steps: str | None, plt, heading: str) -> None:
    what = "the grid scores"
    if len(table) > MAX_GRID_SCORES:
        raise UserError(f"{what} have {len(table):,} rows; at most {MAX_GRID_SCORES:,} are drawn")
    scores = numeric_cells(table.iloc[:, [0]], what, True, np.isfinite, "a finite number",
                           "this plot takes RFECV's grid_scores_ (one column with a header)")[:, 0]
    x = parse_steps(steps, len(scores))
    if x is None:
        x = np.arange(1, len(scores) + 1)
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.plot(x, scores, marker="o" if len(scores) <= 100 else None)
    ax.set_xlabel("Number of features selected")
    ax.set_ylabel("Cross validation score")
    ax.set_title(heading)
