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

from .errors import UserError
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
                    raise UserError(f"{what}: column index {item!r} is not a whole number") from None
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
                raise UserError(f"{what}: no column named {', '.join(map(repr, missing))} "
                                f"(is 'header' set? columns are {', '.join(names[:10])}{'...' if len(names) > 10 else ''})")
            keep = list(self.columns) if not self.option.startswith("all_but") else \
                [name for name in names if name not in set(self.columns)]
            selected = table.loc[:, [table.columns[names.index(name)] for name in keep]]
        if selected.shape[1] == 0:
            raise UserError(f"{what}: the column selection leaves no columns")
        return selected


def read_table(path: str | Path, header: bool, what: str, texts: bool = False) -> pd.DataFrame:
    """Read a tab-separated table; ragged rows and empty files are user errors.

    CSV quoting is honoured (a quoted review may hold a tab), so a label column
    can be taken from a table of texts. With ``texts=True`` every cell stays
    text and blank lines stay rows, so that row i is line i.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{what}: file not found: {path}")
    if path.stat().st_size == 0:
        raise UserError(f"{what}: the dataset is empty")
    options = (dict(dtype=str, skip_blank_lines=False) if texts else
               dict(na_values=[""], skip_blank_lines=True, low_memory=False))
    try:
        table = pd.read_csv(path, sep="\t", header=0 if header else None, engine="c", keep_default_na=False,
                            quoting=csv.QUOTE_MINIMAL, encoding="utf-8", **options)
    except pd.errors.EmptyDataError:
        raise UserError(f"{what}: the dataset is empty") from None
    except pd.errors.ParserError as err:
        detail = str(err).strip().splitlines()[-1]
        raise UserError(f"{what}: rows have different numbers of columns ({detail}); "
                        f"is this a tab-separated table{' (quoted where a text holds a tab)' if texts else ''}?") from None
    except UnicodeDecodeError:
        raise UserError(f"{what}: the dataset is not UTF-8 text") from None
    if table.shape[0] == 0:
        raise UserError(f"{what}: the table has a header but no rows")
    if not header:
        table.columns = [str(i) for i in range(1, table.shape[1] + 1)]
    return table


def _first_bad_cell(table: pd.DataFrame) -> tuple[int, int, object] | None:
    for col_pos in range(table.shape[1]):
        column = table.iloc[:, col_pos]
        numeric = pd.to_numeric(column, errors="coerce")
        bad = numeric.isna()
        if bad.any():
            row_pos = int(np.flatnonzero(bad.to_numpy())[0])
            return row_pos, col_pos, column.iloc[row_pos]
    return None


def to_matrix(table: pd.DataFrame, what: str, header: bool = False) -> np.ndarray:
    """The table as a float32 matrix; names the first cell that is missing or not a number."""
    if all(pd.api.types.is_numeric_dtype(dtype) for dtype in table.dtypes) and not table.isna().any().any():
        return table.to_numpy(dtype=np.float32)
    bad = _first_bad_cell(table)
    if bad is None:  # e.g. booleans: numeric enough
        return table.to_numpy(dtype=np.float32)
    row, col, value = bad
    line = row + 1 + (1 if header else 0)
    if pd.isna(value) or value == "":
        raise UserError(f"{what}: line {line}, column {col + 1} is empty (rows of different lengths, or a missing value)")
    raise UserError(f"{what}: line {line}, column {col + 1} is {str(value)[:40]!r}, not a number")


def read_matrix(path: str | Path, header: bool, selector: ColumnSelector, what: str) -> np.ndarray:
    """Read, select columns, and convert to float32 in one go."""
    table = selector.apply(read_table(path, header, what), what)
    return to_matrix(table, what, header)


def read_vector(path: str | Path, header: bool, selector: ColumnSelector, what: str) -> pd.Series:
    """A single column (labels or targets); more than one selected column is an error."""
    table = selector.apply(read_table(path, header, what), what)
    if table.shape[1] != 1:
        raise UserError(f"{what}: expected one column of labels or targets, got {table.shape[1]}; "
                        f"select one column")
    column = table.iloc[:, 0]
    if column.isna().any():
        line = int(np.flatnonzero(column.isna().to_numpy())[0]) + 1 + (1 if header else 0)
        raise UserError(f"{what}: line {line} has no value")
    return column


def write_table(table: pd.DataFrame, path: str | Path) -> None:
    table.to_csv(path, sep="\t", index=False, lineterminator="\n")
