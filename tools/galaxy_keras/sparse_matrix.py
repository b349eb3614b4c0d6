"""A sparse matrix (Matrix Market ``.mtx``, as Galaxy-ML's sparse tools write it) as a feature table.

Model Prediction's "sparse matrix" input: Galaxy-ML read it with
``scipy.io.mmread``. The size in its header is checked against the job's
memory before any of it is read, and it is made dense (float32) for Keras,
with every value checked to be a finite real number.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import UserError, summarise
from .model_data import FeatureTable
from .resources import check_allocation

WHAT = "the sparse matrix"
_HEADER = "%%MatrixMarket"


def read_sparse_features(path: str | Path) -> FeatureTable:
    from scipy.io import mminfo, mmread

    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise UserError(f"{WHAT}: the dataset is empty")
    with open(path, "rb") as handle:
        first = handle.readline(200)
    if not first.startswith(_HEADER.encode()):
        raise UserError(f"{WHAT} is not a Matrix Market file (its first line must start with '{_HEADER}'); for a "
                        f"tab-separated table choose 'tabular data'")
    try:
        rows, cols, _entries, _format, field, _symmetry = mminfo(str(path))
    except (ValueError, OSError, IndexError) as err:
        raise UserError(f"{WHAT}: its Matrix Market header cannot be read ({summarise(err)})") from None
    if field not in ("real", "integer", "pattern"):
        raise UserError(f"{WHAT} holds {field} values; a model takes real numbers")
    check_allocation(rows * cols * 4, f"{WHAT} ({rows:,} x {cols:,} values, made dense)",
                     "predict on fewer rows at a time")
    try:
        matrix = mmread(str(path))
    except (ValueError, OSError, IndexError, OverflowError) as err:
        raise UserError(f"{WHAT} cannot be read as Matrix Market ({summarise(err)})") from None
    dense = matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)
    with np.errstate(over="ignore"):
        values = dense.astype(np.float32)
    finite = np.isfinite(values)
    if not finite.all():
        row, col = (int(i) for i in np.argwhere(~finite)[0])
        raise UserError(f"{WHAT}: row {row + 1}, column {col + 1} is {float(dense[row, col])}, not a finite number")
    return FeatureTable(values, WHAT, header=False, columns=None)
