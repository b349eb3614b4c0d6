"""Column names of a tool's tabular outputs, for Galaxy, through the tool-provided metadata file.

Galaxy's ``tabular`` datatype never reads column names from a file's first
line (``Tabular.get_column_names`` returns None in Galaxy 26.1), so a header
row alone leaves the dataset's ``column_names`` metadata empty: the center
panel then heads the columns 1, 2, 3 and column selectors of other tools show
numbers only. A tool may set the metadata itself in ``galaxy.json`` in its
working directory (the "default" style: ``{"<output name>": {"metadata":
{"column_names": [...]}}}``), which Galaxy applies after its own metadata
detection. The tables keep their header row as the first line, which the
other tools of this suite (and Galaxy-ML's) read with 'header' set.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping, Sequence


def write_column_names(path: str | Path, tables: Mapping[str, Sequence[str]]) -> None:
    """``tables``: output name (as in the tool XML) -> its column names, in order."""
    content = {name: {"metadata": {"column_names": [str(column) for column in columns]}}
               for name, columns in tables.items()}
    Path(path).write_text(json.dumps(content, indent=1) + "\n", encoding="utf-8")
