"""What every plot of the visualization tool shares: text drawn as it is, titles, checked numbers, files.

A ``$`` in a label would start matplotlib's mathtext (which can fail to parse);
long names are cut in the picture. Tables of numbers are checked cell by cell
so that the first bad cell is named as Galaxy shows it. Figures are written as
PNG, SVG, PDF or an HTML page holding the PNG (Galaxy-ML's "html" formats).
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from .errors import UserError, quoted as quoted_text, shown as shown_text
from .params import Params

# Longer titles run off the figure (and stretch it when it is saved with a tight box).
MAX_TITLE = 200
# Class and metric names are cut to this length in the picture; tables keep them whole.
MAX_SHOWN_NAME = 40
DPI = 150
# plot_format value -> the file written. Galaxy-ML's plotly_html and html become an HTML page with the
# plot as a PNG image (not interactive: plotly is not a requirement); matplotlib_svg is SVG.
FILE_KINDS = {"png": "png", "svg": "svg", "pdf": "pdf", "html": "html", "plotly_html": "html",
              "matplotlib_svg": "svg"}


def literal(text: Any) -> str:
    """Text that matplotlib draws as it is: a '$' would otherwise start mathtext, which can fail to parse."""
    return str(text).replace("$", r"\$")


def shown(name: Any) -> str:
    name = str(name)
    return literal(name if len(name) <= MAX_SHOWN_NAME else name[:MAX_SHOWN_NAME - 1] + "…")


def quoted(label: Any) -> str:
    """A label in a message: text quoted, numbers as they are; escaped and cut as errors.shown does."""
    return quoted_text(label, MAX_SHOWN_NAME) if isinstance(label, str) else shown_text(str(label), MAX_SHOWN_NAME)


def plot_title(params: Params, default: str) -> str:
    """The 'title' parameter (empty or absent: ``default``), drawable as it is."""
    text = (params.str("title", "") or "").strip() or default
    if len(text) > MAX_TITLE:
        raise UserError(f"the plot title ('title') has {len(text):,} characters; at most {MAX_TITLE} fit on a plot")
    return literal(text)


def numeric_cells(table: pd.DataFrame, what: str, header: bool, allowed: Callable[[np.ndarray], np.ndarray],
                  kind: str, advice: str) -> np.ndarray:
    """The table as float64; names the first cell (in reading order) that is not ``kind``."""
    values = table.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~allowed(values)  # text cells are NaN here, and NaN is allowed by no rule
    if not bad.any():
        return values
    row, col = (int(i) for i in np.argwhere(bad)[0])
    column = f"column {quoted(str(table.columns[col]))}" if header else f"column {col + 1}"
    hint = " (if the first line holds column names, set 'header')" \
        if not header and row == 0 and np.isnan(values[row, col]) else ""
    raise UserError(f"{what}: line {row + 1 + header}, {column} is {quoted(str(table.iat[row, col]))}, "
                    f"not {kind}{hint}; {advice}")


def whole(values: np.ndarray) -> np.ndarray:
    return np.isfinite(values) & (values == np.round(values))


def probability(values: np.ndarray) -> np.ndarray:
    return (values >= 0) & (values <= 1)


def png_base64(plt, dpi: int = DPI) -> str:
    """The current figure as PNG, base64 text for an ``<img src="data:image/png;base64,...">`` of an HTML page."""
    buffer = io.BytesIO()
    plt.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


class LazyPyplot:
    """matplotlib.pyplot (Agg backend), imported at its first use.

    Importing matplotlib takes about half a CPU second; the plots read and check
    their inputs before they draw, so a bad input fails before that import.
    """

    def __init__(self) -> None:
        self._module: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._module is None:
            import matplotlib

            matplotlib.use("Agg")  # files only, no display
            import matplotlib.pyplot

            self._module = matplotlib.pyplot
        return getattr(self._module, name)


def save_figure(plt, path: str | Path, plot_format: str, heading: str) -> None:
    """Write the current figure as ``plot_format`` (a key of FILE_KINDS)."""
    kind = FILE_KINDS[plot_format]
    if kind != "html":
        plt.savefig(path, format=kind, dpi=DPI, bbox_inches="tight")
        return
    image = png_base64(plt)
    name = html.escape(heading.replace(r"\$", "$"))
    Path(path).write_text(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>" + name + "</title></head>\n"
        "<body>\n<img alt=\"" + name + "\" style=\"max-width: 100%\" src=\"data:image/png;base64," + image
        + "\">\n</body>\n</html>\n", encoding="utf-8")
