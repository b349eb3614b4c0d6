"""The training tool's table of labels or targets: one column, or a one-hot table.

A one-hot table (as Galaxy-ML's 'To categorical' writes it for the CNN
tutorial) has one 0/1 column per class and exactly one 1 in every row. Its
classes are its columns, in their order: the header's names where the table
has a header (whole numbers read as numbers), else 0, 1, 2, ... as Keras'
``to_categorical`` numbers them. A class may have no row; it keeps its column.
A table of several columns that is not one-hot is refused with the first line
that breaks the rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import UserError, quoted
from .tables import ColumnSelector, read_table, read_vector

_WHOLE = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class Targets:
    """One label or target per row, and, for a one-hot table, its classes and 0/1 matrix."""

    values: pd.Series  # the label of each row (for a one-hot table: the class of its 1)
    classes: list[Any] | None = None  # a one-hot table's classes, in column order
    one_hot: np.ndarray | None = None  # the one-hot table as read (rows x classes, 0/1)

    def __len__(self) -> int:
        return len(self.values)


def _class_name(name: Any) -> Any:
    text = str(name).strip()
    return int(text) if _WHOLE.fullmatch(text) else text


def read_targets(path: str | Path, header: bool, selector: ColumnSelector, what: str) -> Targets:
    """One column of labels or targets, or a one-hot table of two or more columns."""
    table = selector.apply(read_table(path, header, what), what)
    if table.shape[1] == 1:
        return Targets(read_vector(path, header, selector, what))
    return one_hot_targets(table, header, what)


def one_hot_targets(table: pd.DataFrame, header: bool, what: str) -> Targets:
    """Check that every row holds one 1 and otherwise 0s; the class of each row is its 1's column."""
    values = table.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~(np.isin(values, (0.0, 1.0)))
    rule = (f"a table of {table.shape[1]} label columns must be one-hot (one column per class, a 1 in the "
            f"class's column and 0 in the others, as 'To categorical' writes it); otherwise select the one "
            f"column of labels")
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        cell = table.iat[row, col]
        shown = "empty" if pd.isna(cell) or str(cell) == "" else quoted(str(cell), 40)
        raise UserError(f"{what}: line {row + 1 + int(header)}, column {col + 1} is {shown}, not 0 or 1; {rule}")
    ones = values.sum(axis=1)
    wrong = np.flatnonzero(ones != 1)
    if len(wrong):
        row = int(wrong[0])
        raise UserError(f"{what}: line {row + 1 + int(header)} has {int(ones[row])} ones; {rule}")
    classes = [_class_name(name) for name in table.columns] if header else list(range(table.shape[1]))
    if len(set(classes)) != len(classes):
        raise UserError(f"{what}: the header names two columns alike; a one-hot table needs one name per class")
    codes = values.argmax(axis=1)
    labels = pd.Series(np.array(classes, dtype=object)[codes], name="label")
    return Targets(labels, classes, values.astype(np.int64))
