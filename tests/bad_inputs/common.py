"""Parameters and inputs shared by the case modules."""

import json
from pathlib import Path
from typing import Callable  # noqa: F401 - in the annotations

from conftest import TEST_DATA, builder_params, layer, sequential, train_params  # noqa: F401

D = TEST_DATA
ALL = {"selected_column_selector_option": "all_columns"}
PREDICT = {"method": "predict", "input_options": {"selected_input": "tabular", "header1": False,
                                                  "column_selector_options_1": ALL}}
CONFUSION = {"plotting_selection": {"plot_type": "classification_confusion_matrix", "header_true": False,
                                    "header_predicted": True, "plot_format": "png"}}
TRAIN_OUTPUTS = ["--outfile-result", "--outfile-history", "--outfile-object"]


def train_inputs(estimator=D / "tiny_lstm_built.keras", x=D / "imdb_X_train_sample.tsv",
                 y=D / "imdb_y_train_sample.tsv") -> list:
    return ["--estimator", estimator, "--infile1", x, "--infile2", y]


def predict_inputs(estimator=D / "tiny_lstm_trained.keras", x=D / "imdb_X_test_sample.tsv") -> list:
    return ["--estimator", estimator, "--infile1", x]


def written(name: str, content) -> "Callable[[Path, Path], Path]":
    """A make(folder, canary) that writes ``content`` (text, bytes, or an object as JSON) at test time."""
    def make(folder: Path, _canary: Path) -> Path:
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        return path
    return make


def edited(source: Path, line: int, column: int, value: str) -> "Callable[[Path, Path], Path]":
    """A copy of a tab-separated test table with one cell (1-based line and column) replaced."""
    def make(folder: Path, _canary: Path) -> Path:
        lines = source.read_text().splitlines()
        cells = lines[line - 1].split("\t")
        cells[column - 1] = value
        lines[line - 1] = "\t".join(cells)
        path = folder / f"edited_{source.name}"
        path.write_text("\n".join(lines) + "\n")
        return path
    return make
