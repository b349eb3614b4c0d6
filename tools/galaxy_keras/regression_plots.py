"""A regressor's true and predicted values: scatter with y = x, residuals, values per sample.

The plots of the GTN FNN tutorial's last step ("Plot actual vs predicted
curves and residual plots"): true against predicted values with the y = x line
and R2 and RMSE, residuals (predicted - true, as that tutorial plots them)
against the predicted values and as a histogram, and both values per sample.
Both columns must be finite numbers of the same length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import UserError, quoted
from .plot_common import shown
from .tables import ColumnSelector, read_vector

RESIDUAL_PLOTS = ("both", "vs_predicted", "histogram")
# Beyond this many points, the markers are drawn as an image inside SVG and PDF files (which would
# otherwise hold one element a point) and made lighter, so that dense regions stay readable.
RASTERIZE_POINTS = 5000
MAX_BINS = 50
# More points than this are not one picture (and would take more than the tool's memory to draw:
# 100,000 per-sample curves take 360 MB).
MAX_POINTS = 200_000
# A line through every sample is readable for far fewer, and takes more memory to draw (200,000: 650 MB).
MAX_CURVE_POINTS = 50_000
ADVICE = "these plots take a regressor's values: the true targets and the 'predict' output of Model Prediction"


@dataclass(frozen=True)
class Pairs:
    true: np.ndarray
    predicted: np.ndarray
    true_name: str
    predicted_name: str

    @property
    def residuals(self) -> np.ndarray:
        return self.predicted - self.true

    def r2(self) -> float | None:
        total = float(np.sum((self.true - self.true.mean()) ** 2))
        return None if total == 0 else 1.0 - float(np.sum(self.residuals ** 2)) / total

    def rmse(self) -> float:
        return float(np.sqrt(np.mean(self.residuals ** 2)))

    def mae(self) -> float:
        return float(np.mean(np.abs(self.residuals)))

    def summary(self) -> str:
        r2 = self.r2()
        shown_r2 = f"{r2:.3f}" if r2 is not None else "undefined (the true values are all equal)"
        return f"R2 {shown_r2}, RMSE {self.rmse():.4g}, MAE {self.mae():.4g}, n = {len(self.true):,}"


def _numbers(path: str, header: bool, selector: ColumnSelector, what: str) -> tuple[np.ndarray, str]:
    column = read_vector(path, header, selector, what)
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.argmax(bad))
        hint = " (if the first line holds the column's name, set 'header')" if row == 0 and not header else ""
        raise UserError(f"{what}: line {row + 1 + header} holds {quoted(str(column.iloc[row]), 40)}, not a finite "
                        f"number{hint}; {ADVICE}")
    return values, str(column.name) if header else "values"


def read_pairs(true_path: str, true_header: bool, true_selector: ColumnSelector, predicted_path: str,
               predicted_header: bool, predicted_selector: ColumnSelector) -> Pairs:
    true, true_name = _numbers(true_path, true_header, true_selector, "the true values")
    predicted, predicted_name = _numbers(predicted_path, predicted_header, predicted_selector,
                                         "the predicted values")
    if len(true) != len(predicted):
        raise UserError(f"the true values have {len(true)} rows but the predicted values have {len(predicted)} "
                        f"(check the 'header' settings)")
    if len(true) < 2:
        raise UserError("the true and predicted values have 1 row; these plots need at least 2")
    if len(true) > MAX_POINTS:
        raise UserError(f"the true and predicted values have {len(true):,} rows; these plots draw at most "
                        f"{MAX_POINTS:,} points: plot a sample of the rows (e.g. with 'Select random lines')")
    return Pairs(true, predicted, true_name, predicted_name)


def _markers(n: int) -> dict:
    return dict(s=12 if n <= 1000 else 6, alpha=0.8 if n <= RASTERIZE_POINTS else 0.3,
                rasterized=n > RASTERIZE_POINTS, edgecolors="none")


def scatter(pairs: Pairs, plt, heading: str) -> None:
    """True (x) against predicted (y) values, the y = x line, R2 and RMSE in the legend."""
    fig, ax = plt.subplots(figsize=(6.5, 6))
    r2 = pairs.r2()
    label = f"R2 = {r2:.3f}, RMSE = {pairs.rmse():.4g}" if r2 is not None else \
        f"R2 undefined (constant true values), RMSE = {pairs.rmse():.4g}"
    ax.scatter(pairs.true, pairs.predicted, label=f"{label} (n = {len(pairs.true):,})", **_markers(len(pairs.true)))
    low = float(min(pairs.true.min(), pairs.predicted.min()))
    high = float(max(pairs.true.max(), pairs.predicted.max()))
    pad = (high - low) * 0.03 or 1.0
    ax.plot([low - pad, high + pad], [low - pad, high + pad], linestyle="--", color="grey", label="y = x")
    ax.set_xlim(low - pad, high + pad)
    ax.set_ylim(low - pad, high + pad)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(f"True values ({shown(pairs.true_name)})" if pairs.true_name != "values" else "True values")
    ax.set_ylabel("Predicted values")
    ax.legend(loc="upper left")
    ax.set_title(heading)
    fig.tight_layout()


def residuals(pairs: Pairs, plt, heading: str, which: str) -> None:
    """Residuals (predicted - true) against the predicted values, and/or their histogram."""
    panels = ["vs_predicted", "histogram"] if which == "both" else [which]
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.8), squeeze=False)
    res = pairs.residuals
    for ax, panel in zip(axes[0], panels):
        if panel == "vs_predicted":
            ax.scatter(pairs.predicted, res, **_markers(len(res)))
            ax.axhline(0, color="grey", linestyle="--")
            ax.set_xlabel("Predicted values")
            ax.set_ylabel("Residual (predicted - true)")
        else:
            bins = int(min(MAX_BINS, max(5, np.histogram_bin_edges(res, bins="auto").size - 1)))
            ax.hist(res, bins=bins, color="tab:blue", alpha=0.8)
            ax.axvline(0, color="grey", linestyle="--")
            ax.set_xlabel("Residual (predicted - true)")
            ax.set_ylabel("Number of samples")
        ax.set_title(f"mean {res.mean():.4g}, sd {res.std():.4g}" if panel == "histogram" else
                     f"RMSE {pairs.rmse():.4g}, MAE {pairs.mae():.4g}", fontsize=10)
    fig.suptitle(heading)
    fig.tight_layout()


def curves(pairs: Pairs, plt, heading: str) -> None:
    """True and predicted values per sample, in the order of the rows."""
    n = len(pairs.true)
    if n > MAX_CURVE_POINTS:
        raise UserError(f"the true and predicted values have {n:,} rows; the values of every sample are drawn for "
                        f"at most {MAX_CURVE_POINTS:,}: plot a sample of the rows, or draw the true vs predicted "
                        f"scatter or the residuals (up to {MAX_POINTS:,} rows)")
    fig, ax = plt.subplots(figsize=(min(16, max(7, n / 25)), 4.8))
    x = np.arange(1, n + 1)
    style = dict(marker="o", markersize=3) if n <= 200 else {}
    ax.plot(x, pairs.true, label="True values", rasterized=n > RASTERIZE_POINTS, **style)
    ax.plot(x, pairs.predicted, label="Predicted values", rasterized=n > RASTERIZE_POINTS, **style)
    ax.set_xlabel("Sample (row of the table)")
    ax.set_ylabel("Values")
    ax.legend()
    ax.set_title(heading)
    fig.tight_layout()
