"""Class labels -> a one-hot table, as ``keras.utils.to_categorical`` makes it.

Whole-number labels are class indices, as Keras reads them: label ``i`` sets
column ``i``, and there are ``num_classes`` columns (by default the largest
label + 1, so a label that never occurs still gets its column of zeros). Text
labels get one column per distinct label, in sorted order (as scikit-learn's
``LabelEncoder`` numbers them). Every cell of the output is 0 or 1.

Each label is checked before anything is written: an empty cell, a negative or
fractional number, a number among text labels (or text among numbers, such as a
header line read as a label) and more classes than ``num_classes`` or
``MAX_CLASSES`` are refused with the line they are on.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .errors import UserError, quoted, shown
from .tables import MISSING_WORDS, read_table

# A one-hot table of more columns is not a label table any more (and grows with every row:
# 1,000 classes are 2 KB a row). ImageNet has 1,000 classes.
MAX_CLASSES = 1000
# Output rows are joined into blocks of about this many characters before they are written.
WRITE_BLOCK_CHARS = 4_000_000

_WHOLE = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


@dataclass(frozen=True)
class OneHot:
    """The labels as class indices, and the classes in column order."""

    codes: list[int]  # one per row: the column that holds its 1
    classes: list[str]  # the column names, in column order
    integer: bool  # whole-number labels (Keras' class indices) or text labels

    def counts(self) -> list[int]:
        counts = [0] * len(self.classes)
        for code in self.codes:
            counts[code] += 1
        return counts


def _kind(cell: str) -> tuple[str, int | None]:
    """('whole', value), ('number', None) for a fraction, ('missing', None), ('text', None)."""
    if _WHOLE.fullmatch(cell):
        return "whole", int(cell)
    if _NUMBER.fullmatch(cell):
        value = float(cell)
        if math.isfinite(value) and value.is_integer():
            return "whole", int(value)
        return ("number", None) if math.isfinite(value) else ("missing", None)
    if cell.lower() in MISSING_WORDS:
        return "missing", None
    return "text", None


def read_labels(path: str | Path, header: bool, what: str) -> list[str]:
    """The one column of labels as text, stripped; trailing blank lines dropped, other empty cells refused."""
    table = read_table(path, header, what, texts=True)
    if table.shape[1] != 1:
        raise UserError(f"{what}: expected one column of class labels, got {table.shape[1]} columns; cut the "
                        f"label column out first (for example with the 'Cut columns' tool)")
    cells = [str(cell).strip() for cell in table.iloc[:, 0].tolist()]
    while cells and not cells[-1]:
        cells.pop()
    if not cells:
        raise UserError(f"{what}: the table has a header but no labels" if header else f"{what}: the dataset is empty")
    for row, cell in enumerate(cells):
        if not cell:
            raise UserError(f"{what}: line {row + 1 + header} is empty; every row needs a class label")
    return cells


def encode(cells: list[str], num_classes: int | None, header: bool, what: str) -> OneHot:
    """Whole numbers -> Keras' class indices; text -> sorted classes. Refuses what to_categorical would get wrong."""
    kinds = [_kind(cell) for cell in cells]
    whole = [i for i, (kind, _) in enumerate(kinds) if kind == "whole"]
    if len(whole) == len(cells):
        return _integer_labels(cells, [value for _, value in kinds], num_classes, header, what)
    if not whole and all(kind in ("text", "missing") for kind, _ in kinds):
        return _text_labels(cells, num_classes, header, what)
    return _refuse_mixed(cells, kinds, whole, header, what)


def _line(row: int, header: bool) -> int:
    return row + 1 + header


def _shown(cell: str) -> str:
    return quoted(cell, 40)


def _refuse_mixed(cells: list[str], kinds: list[tuple[str, int | None]], whole: list[int], header: bool,
                  what: str) -> OneHot:
    fraction = next((i for i, (kind, _) in enumerate(kinds) if kind == "number"), None)
    others = [i for i, (kind, _) in enumerate(kinds) if kind != "whole"]
    if fraction is not None:
        raise UserError(f"{what}: line {_line(fraction, header)} holds {_shown(cells[fraction])}, a number that is "
                        f"not a whole number; class labels are whole numbers from 0 (Keras' class indices) or text "
                        f"(these look like regression targets, which need no one-hot encoding)")
    if others == [0] and not header:
        raise UserError(f"{what}: line 1 holds {_shown(cells[0])} but every other line a whole number; if the first "
                        f"line holds the column's name, set 'Does the dataset contain header?' (header0) to yes")
    first = others[0]
    kind = kinds[first][0]
    found = "a missing value" if kind == "missing" else "text"
    raise UserError(f"{what}: line {_line(first, header)} holds {_shown(cells[first])} ({found}) among whole-number "
                    f"labels (line {_line(whole[0], header)} holds {shown(cells[whole[0]])}); the labels must be "
                    f"all whole numbers or all text")


def _check_count(n: int, what: str, because: str) -> None:
    if n > MAX_CLASSES:
        raise UserError(f"{what}: {because} {n:,} classes, more than the {MAX_CLASSES:,} columns a one-hot table of "
                        f"these tools may have; check that this column holds class labels (not identifiers or "
                        f"measurements)")


def _integer_labels(cells: list[str], values: list[int], num_classes: int | None, header: bool,
                    what: str) -> OneHot:
    low = min(values)
    if low < 0:
        row = values.index(low)
        raise UserError(f"{what}: line {_line(row, header)} holds {shown(cells[row])}; whole-number labels are class "
                        f"indices from 0 (as Keras' to_categorical reads them), so none may be negative")
    high = max(values)
    if num_classes is not None and high >= num_classes:
        row = values.index(high)
        raise UserError(f"{what}: line {_line(row, header)} holds {shown(cells[row])}, but the total number of classes "
                        f"('num_classes') is {num_classes}: the labels must be from 0 to {num_classes - 1}; leave "
                        f"'Total number of classes' empty to take the largest label + 1")
    n = num_classes if num_classes is not None else high + 1
    if num_classes is None:
        _check_count(n, what, f"the largest label, {high:,}, makes")
    return OneHot(values, [str(i) for i in range(n)], integer=True)


def _text_labels(cells: list[str], num_classes: int | None, header: bool, what: str) -> OneHot:
    classes = sorted(set(cells))
    _check_count(len(classes), what, "the labels hold")
    listed = ", ".join(map(_shown, classes[:10])) + (", ..." if len(classes) > 10 else "")
    if num_classes is not None and num_classes != len(classes):
        if num_classes < len(classes):
            raise UserError(f"{what}: the labels hold {len(classes)} classes ({listed}), more than the total number "
                            f"of classes ('num_classes') {num_classes}")
        raise UserError(f"{what}: the total number of classes ('num_classes') is {num_classes}, but the text labels "
                        f"hold {len(classes)} ({listed}) and a class without rows would have no name; leave 'Total "
                        f"number of classes' empty, or give whole-number labels from 0 to {num_classes - 1}")
    index = {label: i for i, label in enumerate(classes)}
    return OneHot([index[cell] for cell in cells], classes, integer=False)


def write_one_hot(one_hot: OneHot, handle: TextIO, header: bool) -> None:
    """Tab-separated 0/1 integers, one column a class in ``one_hot.classes`` order; first their names if ``header``."""
    n = len(one_hot.classes)
    if header:
        line = io.StringIO()
        csv.writer(line, delimiter="\t", lineterminator="\n").writerow(one_hot.classes)
        handle.write(line.getvalue())
    rows = ["\t".join("1" if j == i else "0" for j in range(n)) + "\n" for i in range(n)]
    step = max(1, WRITE_BLOCK_CHARS // (2 * n))
    codes = one_hot.codes
    for start in range(0, len(codes), step):
        handle.write("".join(rows[code] for code in codes[start:start + step]))
