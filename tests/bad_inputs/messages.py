"""One line, always: names and values from users' files that would break the error line, and labels and
weights that cannot be right.

A file chooses its names: a layer name, class label, column name, cell or word
may hold a newline (a forged second "Error:" line), a NUL or terminal escapes.
Each case's expected text holds the escaped form, so a case passes only if the
message quotes the value through errors.shown and on one line.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Callable

from bad_inputs import Case
from bad_inputs.common import PREDICT, written
from bad_inputs.model_files import (BUILT, CONFIG, TRAINED, WEIGHTS, Maker, members, predict, train, with_meta,
                                    write_archive)
from bad_inputs.text import OUT, SCRIPT, form, inputs

FORGED = "\nError: all good"
ESCAPED = "\\nError: all good"


def named_last_layer(name: str) -> Callable[[Any, Path], Any]:
    def edit(config: dict, canary: Path) -> dict:
        config["config"]["layers"][-1]["config"]["name"] = name
        return config
    return edit


def non_finite(base: Path, dataset: str, value: float, rename: str | None = None) -> Maker:
    """``base`` with the first value of the weights file's ``dataset`` set to ``value`` (NaN or infinity);
    ``rename``: a new name for the model's last layer (the weights file names layers by class, not name)."""
    def make(folder: Path, canary: Path) -> Path:
        import h5py

        contents = members(base)
        buffer = io.BytesIO(contents[WEIGHTS])
        with h5py.File(buffer, "a") as handle:
            values = handle[dataset][()]
            values.flat[0] = value
            handle[dataset][...] = values
        contents[WEIGHTS] = buffer.getvalue()
        if rename is not None:
            import json

            config = named_last_layer(rename)(json.loads(contents[CONFIG]), canary)
            contents[CONFIG] = json.dumps(config).encode()
        return write_archive(folder / "model.dat", contents)
    return make


def samples(header: str, row: str) -> Callable[[Path, Path], Path]:
    """A samples table of four columns (the trained model's input width is read from the model)."""
    return written("samples.tsv", f"{header}\n{row}\n")


def predict_table(table: Callable[[Path, Path], Path], expected: str) -> Case:
    options = {**PREDICT["input_options"], "header1": True}
    return Case("model_prediction", {**PREDICT, "input_options": options},
                ["--estimator", TRAINED, "--infile1", table], ["--outfile-predict"], expected)


NAN, INF = float("nan"), float("inf")
DENSE_BIAS, DENSE_KERNEL, EMBEDDING = "layers/dense/vars/1", "layers/dense/vars/0", "layers/embedding/vars/0"

CASES = {
    # Layer names in a .keras config reach messages through the weights check.
    "layer name with a forged Error line, NaN bias, prediction": predict(
        non_finite(TRAINED, DENSE_BIAS, NAN, rename=f"dense{FORGED}"),
        f"the model file: the layer 'dense{ESCAPED}' holds 1 NaN or infinite value in its variable '"),
    "layer name with a forged Error line, NaN bias, training": train(
        non_finite(BUILT, DENSE_BIAS, NAN, rename=f"dense{FORGED}\x00"),
        f"the layer 'dense{ESCAPED}\\x00' holds 1 NaN or infinite value"),
    # A NaN in an Embedding row that no sample uses leaves every output finite: refused all the same.
    "NaN in an unused Embedding row, prediction": predict(
        non_finite(TRAINED, EMBEDDING, NAN),
        "the model file: the layer 'layer_1' holds 1 NaN or infinite value in its variable '"),
    "infinite Dense kernel, training": train(
        non_finite(BUILT, DENSE_KERNEL, INF), "the layer 'layer_3' holds 1 NaN or infinite value in its variable '"),
    # Class labels in galaxy_keras.json.
    "duplicate classes [5, 5, 5]": predict(with_meta(TRAINED, classes=[5, 5, 5]),
                                           "'classes' lists the label '5' twice, so two of the model's outputs"),
    "duplicate classes '5' and 5": predict(with_meta(TRAINED, classes=["5", 5]), "lists the label '5' twice"),
    "class label with a forged Error line": predict(with_meta(TRAINED, classes=[f"a{FORGED}", f"a{FORGED}"]),
                                                    f"lists the label 'a{ESCAPED}' twice"),
    "class label with a NUL": train(with_meta(BUILT, classes=["a\x00", "a\x00"]), "lists the label 'a\\x00' twice"),
    "class list longer than the output, training": train(
        with_meta(BUILT, classes=[0, 1, 2]),
        "lists 3 class labels, but the model's output has 1 unit, which means 2 classes"),
    "class list longer than the output, prediction": predict(
        with_meta(TRAINED, classes=["a", "b", "c"]),
        "lists 3 class labels, but the model's output has 1 unit, which means 2 classes"),
    # Tables: a column name and a cell that messages quote.
    "column name with terminal escapes": predict_table(
        samples("a\tb\x1b]0;owned\x07\tc\td", "1\tx\t3\t4"),
        "line 2, column 'b\\x1b]0;owned\\x07' is 'x', not a number"),
    "cell with a Unicode line separator": predict_table(
        samples("a\tb\tc\td", f"1\t2\u2028Error: all good\t3\t4"),
        "line 2, column 'b' is '2\\u2028Error: all good', not a number"),
    # A word index: its words are quoted when their rank is wrong.
    "vocabulary word with a forged Error line": Case(
        SCRIPT, form("word_index"), inputs(vocabulary={f"the{FORGED}": 0}), OUT,
        f"the word index: the rank of 'the{ESCAPED}' must be a whole number from 1"),
}
