"""Reading tabular datasets and selecting columns, as every tool's form offers it.

Column selection mirrors Galaxy-ML's "Choose how to select data by column:":
all columns, by index, all but some indices, by header name, all but some
header names. Indices are 1-based, as Galaxy shows them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import UserError, quoted, shown
from .params import Params

SELECTOR_OPTIONS = ("by_index_number", "all_but_by_index_number", "by_header_name",
                    "all_but_by_header_name", "all_columns")


@dataclass(frozen=True)
class ColumnSelector:
    option: str = "all_columns"
    columns: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, params: Params, option_key: str = "selected_column_selector_option",
                    columns_key: str = "col1") -> "ColumnSelector":
        option = params.choice(option_key, SELECTOR_OPTIONS)
        if option == "all_columns":
            return cls(option)
        raw = params.raw(columns_key, None)
        if raw is None:
            items: list[str] = []
        elif isinstance(raw, list):
            items = [str(item).strip() for item in raw]
        else:
            items = [item.strip() for item in str(raw).split(",")]
        items = [item for item in items if item]
        if not items:
            raise UserError(f"no columns given for '{option}' (parameter '{columns_key}')")
        return cls(option, tuple(items))

    def apply(self, table: pd.DataFrame, what: str) -> pd.DataFrame:
        if self.option == "all_columns":
            return table
        if self.option.endswith("index_number"):
            positions = []
            for item in self.columns:
                try:
                    number = int(item)
                except ValueError:
                    raise UserError(f"{what}: column index {quoted(item)} is not a whole number") from None
                if not 1 <= number <= table.shape[1]:
                    raise UserError(f"{what}: column {number} does not exist (the table has {table.shape[1]} columns)")
                positions.append(number - 1)
            if self.option.startswith("all_but"):
                positions = [i for i in range(table.shape[1]) if i not in set(positions)]
            selected = table.iloc[:, positions]
        else:
            names = [str(name) for name in table.columns]
            missing = [item for item in self.columns if item not in names]
            if missing:
                raise UserError(f"{what}: no column named {', '.join(map(quoted, missing[:10]))} "
                                f"(is 'header' set? columns are {', '.join(shown(name, 40) for name in names[:10])}"
                                f"{'...' if len(names) > 10 else ''})")
            keep = list(self.columns) if not self.option.startswith("all_but") else \
                [name for name in names if name not in set(self.columns)]
            selected = table.loc[:, [table.columns[names.index(name)] for name in keep]]
        if selected.shape[1] == 0:
            raise UserError(f"{what}: the column selection leaves no columns")
        return selected


def read_table(path: str | Path, header: bool, what: str, texts: bool = False) -> pd.DataFrame:
    """Read a tab-separated table; ragged rows and empty files are user errors.

    CSV quoting is honoured (a quoted review may hold a tab), so a label column
    can be taken from a table of texts. Blank lines stay rows (empty cells), so
    that row i is line i and a blank line in a one-column table of labels is
    reported as the empty cell it is; only blank lines at the end of the file
    are dropped. With ``texts=True`` every cell stays text.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{what}: file not found: {path}")
    if path.stat().st_size == 0:
        raise UserError(f"{what}: the dataset is empty")
    options = dict(dtype=str) if texts else dict(na_values=[""], low_memory=False)
    try:
        table = pd.read_csv(path, sep="\t", header=0 if header else None, engine="c", keep_default_na=False,
                            quoting=csv.QUOTE_MINIMAL, encoding="utf-8", skip_blank_lines=False, **options)
    except pd.errors.EmptyDataError:
        raise UserError(f"{what}: the dataset is empty") from None
    except pd.errors.ParserError as err:
        detail = str(err).strip().splitlines()[-1]
        raise UserError(f"{what}: rows have different numbers of columns ({detail}); "
                        f"is this a tab-separated table{' (quoted where a text holds a tab)' if texts else ''}?") from None
    except UnicodeDecodeError:
        raise UserError(f"{what}: the dataset is not UTF-8 text") from None
    if not texts:
        table = _without_trailing_blank_rows(table)
    if table.shape[0] == 0:
        raise UserError(f"{what}: the table has a header but no rows" if header else f"{what}: the dataset is empty")
    if not header:
        table.columns = [str(i) for i in range(1, table.shape[1] + 1)]
    return table


def _without_trailing_blank_rows(table: pd.DataFrame) -> pd.DataFrame:
    blank = table.isna().all(axis=1).to_numpy()
    end = len(blank)
    while end and blank[end - 1]:
        end -= 1
    return table.iloc[:end] if end < len(blank) else table


def _first_bad_cell(table: pd.DataFrame) -> tuple[int, int, object] | None:
    for col_pos in range(table.shape[1]):
        column = table.iloc[:, col_pos]
        numeric = pd.to_numeric(column, errors="coerce")
        bad = numeric.isna()
        if bad.any():
            row_pos = int(np.flatnonzero(bad.to_numpy())[0])
            return row_pos, col_pos, column.iloc[row_pos]
    return None


def _line(row: int, header: bool) -> int:
    """The line a 0-based data row is on, as Galaxy numbers lines."""
    return row + 1 + (1 if header else 0)


def _column(table: pd.DataFrame, position: int, header: bool) -> str:
    """A column as the user knows it: its header name, or its number in the dataset (before selection)."""
    name = table.columns[position]
    return f"column {quoted(str(name))}" if header else f"column {name}"


def to_matrix(table: pd.DataFrame, what: str, header: bool = False) -> np.ndarray:
    """The table as a float32 matrix; names the first cell that is missing, infinite or not a number."""
    if all(pd.api.types.is_numeric_dtype(dtype) for dtype in table.dtypes) and not table.isna().any().any():
        with np.errstate(over="ignore"):  # values beyond float32 become inf, refused below
            matrix = table.to_numpy(dtype=np.float32)
    else:
        bad = _first_bad_cell(table)
        if bad is not None:
            row, col, value = bad
            if pd.isna(value) or value == "":
                raise UserError(f"{what}: line {_line(row, header)}, {_column(table, col, header)} is empty (rows "
                                f"of different lengths, or a missing value)")
            raise UserError(f"{what}: line {_line(row, header)}, {_column(table, col, header)} is "
                            f"{quoted(str(value), 40)}, not a number")
        with np.errstate(over="ignore"):
            matrix = table.to_numpy(dtype=np.float32)  # e.g. booleans: numeric enough
    # "inf" and "-inf" read as numbers, and so do values beyond float32 (1e39): none is a usable feature.
    finite = np.isfinite(matrix)
    if not finite.all():
        row, col = (int(i) for i in np.argwhere(~finite)[0])
        raise UserError(f"{what}: line {_line(row, header)}, {_column(table, col, header)} is "
                        f"{quoted(str(table.iat[row, col]), 40)}, not a finite number; replace or remove it")
    return matrix


def read_matrix(path: str | Path, header: bool, selector: ColumnSelector, what: str) -> np.ndarray:
    """Read, select columns, and convert to float32 in one go."""
    table = selector.apply(read_table(path, header, what), what)
    return to_matrix(table, what, header)


# Cells that mean "no value" in a column of numbers (pandas' own missing-value words, lower-cased).
MISSING_WORDS = frozenset({"nan", "-nan", "na", "n/a", "<na>", "null", "none", "#n/a", "inf", "-inf", "+inf",
                           "infinity", "-infinity"})


def read_vector(path: str | Path, header: bool, selector: ColumnSelector, what: str) -> pd.Series:
    """A single column (labels or targets); more than one selected column is an error.

    Empty cells, infinite numbers and missing-value words ("NaN", "NA") in a
    column of numbers are refused with their line: a classifier would take
    "NaN" for one more class, a regressor cannot train on it.
    """
    table = selector.apply(read_table(path, header, what), what)
    if table.shape[1] != 1:
        raise UserError(f"{what}: expected one column of labels or targets, got {table.shape[1]}; "
                        f"select one column")
    column = table.iloc[:, 0]
    if column.isna().any():
        line = _line(int(np.flatnonzero(column.isna().to_numpy())[0]), header)
        raise UserError(f"{what}: line {line} is empty; every row needs a label or target value")
    if pd.api.types.is_numeric_dtype(column.dtype):
        infinite = ~np.isfinite(column.to_numpy(dtype=np.float64))
        bad = np.flatnonzero(infinite)
    else:
        numbers = pd.to_numeric(column, errors="coerce")
        missing = column.astype(str).str.strip().str.lower().isin(MISSING_WORDS).to_numpy()
        bad = np.flatnonzero(missing) if numbers.notna().any() else np.array([], dtype=int)
    if len(bad):
        row = int(bad[0])
        raise UserError(f"{what}: line {_line(row, header)} holds {quoted(str(column.iloc[row]), 40)}, a missing or "
                        f"infinite value, not a label or target; give the row its value or remove it")
    return column


def write_table(table: pd.DataFrame, path: str | Path) -> None:
    table.to_csv(path, sep="\t", index=False, lineterminator="\n")
