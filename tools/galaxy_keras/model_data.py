"""Fitting data to a model: input shapes, word indices, loss and output layer, labels, predictions.

Shared by training (held-out predictions) and the prediction tool so that both
check a table against a model, and turn model outputs into labels, the same way.
Everything TensorFlow would crash on, or silently get wrong, is refused here
with the cell or the layer to change: an Embedding reads a negative index from
the end of its table (-1 is the last row) and 3.7 as row 3, and a loss that
does not fit the last layer trains to nonsense (categorical cross-entropy on
one unit has a loss of 0 whatever the weights).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import UserError, quoted, shown, summarise
from .resources import check_allocation
from .tables import ColumnSelector, read_table, to_matrix

# Keras predicts in batches of 32 by default, which is slow for recurrent
# models on CPU; predictions do not depend on the batch size.
PREDICT_BATCH_SIZE = 1024
CROSS_ENTROPY_LOSSES = ("binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
                        "categorical_focal_crossentropy", "sparse_categorical_crossentropy")
# Layers that pass the values of the layer before them through unchanged in range
# (or only reshape them): the activation that decides the output's range is further up.
_PASS_THROUGH = ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
                 "GaussianDropout", "AlphaDropout", "Flatten", "Reshape", "ActivityRegularization")
# float32 softmax rows sum to 1 within about 1e-6; anything further off is not a probability.
PROBABILITY_TOLERANCE = 1e-3


@dataclass(frozen=True)
class FeatureTable:
    """A feature matrix and where its cells came from, so that a bad cell is named as Galaxy shows it."""

    values: np.ndarray
    what: str  # e.g. "the training samples table"
    header: bool = False
    columns: tuple[int, ...] | None = None  # the table's 1-based column number of each matrix column

    def lines(self, rows: np.ndarray) -> np.ndarray:
        """The dataset's line of each row (1-based, after the header)."""
        return rows + 1 + int(self.header)

    def cell(self, row: int, col: int) -> str:
        column = self.columns[col] if self.columns else col + 1
        return f"{self.what}: line {self.lines(row)}, column {column}"


def read_features(path: str | Path, header: bool, selector: ColumnSelector, what: str) -> FeatureTable:
    """Read a samples table, keeping each selected column's number in the dataset for messages."""
    table = read_table(path, header, what)
    selected = selector.apply(table, what)
    columns = tuple(int(table.columns.get_loc(name)) + 1 for name in selected.columns)
    return FeatureTable(to_matrix(selected, what, header), f"the {what} table", header, columns)


def read_sparse_features(path: str | Path, what: str) -> FeatureTable:
    """A samples matrix in Matrix Market format (Galaxy-ML's 'sparse matrix' input), as a dense float32 matrix.

    Keras trains on dense arrays: the size is checked against the job's memory, from the file's
    header, before anything is read. Rows are numbered from 1, as in the file's coordinates.
    """
    from scipy.io import mminfo, mmread

    try:
        n_rows, n_cols, _entries, _layout, field, _symmetry = mminfo(str(path))
    except (ValueError, OSError, IndexError) as err:
        raise UserError(f"the {what} is not a Matrix Market (.mtx) file: {summarise(err)}") from None
    if field not in ("real", "integer", "pattern"):
        raise UserError(f"the {what} holds {field} numbers; a samples matrix holds real numbers")
    check_allocation(4.0 * n_rows * n_cols, f"the {what} ({n_rows:,} x {n_cols:,}) as a dense matrix",
                     "Keras trains on dense arrays; select fewer features")
    try:
        matrix = mmread(str(path))
    except (ValueError, OSError, IndexError) as err:
        raise UserError(f"the {what} cannot be read as a Matrix Market file: {summarise(err)}") from None
    values = (matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)).astype(np.float32)
    if not np.isfinite(values).all():
        row, col = (int(i) for i in np.argwhere(~np.isfinite(values))[0])
        raise UserError(f"the {what}: row {row + 1}, column {col + 1} is not a finite number")
    return FeatureTable(values, f"the {what}")


def _single(shape: Any) -> tuple:
    if isinstance(shape, list):
        if len(shape) != 1:
            raise UserError(f"the model has {len(shape)} inputs; these tools feed one table to one input")
        shape = shape[0]
    return tuple(shape)


def fit_features(model: Any, table: FeatureTable) -> np.ndarray:
    """Check (and, for image-like inputs, reshape) a feature matrix for the model's input."""
    features = table.values
    sample_shape = _single(model.input_shape)[1:]
    if any(size is None for size in sample_shape):
        if len(sample_shape) != 1:
            raise UserError(f"the model's input shape {sample_shape} has unknown sizes; a table cannot fill it")
    elif features.shape[1] != int(np.prod(sample_shape)):
        raise UserError(f"{table.what} has {features.shape[1]} columns, but the model expects "
                        f"{int(np.prod(sample_shape))} per sample (input shape {sample_shape})")
    check_word_indices(model, table)
    return features.reshape((features.shape[0], *sample_shape)) if len(sample_shape) > 1 else features


def input_embeddings(model: Any) -> list[Any]:
    """The Embedding layers that read the model's input table itself (not another layer's output)."""
    if type(model).__name__ == "Sequential":
        return [layer for layer in model.layers[:1] if type(layer).__name__ == "Embedding"]
    found = []
    for layer in model.layers:
        if type(layer).__name__ != "Embedding":
            continue
        # A functional model's graph: the nodes where the layer was called, and the layers that fed it.
        for node in getattr(layer, "_inbound_nodes", []):
            parents = node.parent_nodes
            if parents and all(type(parent.operation).__name__ == "InputLayer" for parent in parents):
                found.append(layer)
                break
    return found


def _shown(value: float) -> str:
    """A float32 cell as it was probably written: 7 significant digits, whole numbers in full."""
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.7g}"


def check_word_indices(model: Any, table: FeatureTable) -> None:
    """Every cell an Embedding reads must be a whole number in [0, input_dim).

    Keras' Embedding casts to int (3.7 reads row 3) and counts a negative index
    from the end (-1 reads the last row): no error, a wrong model. An index past
    the end crashes the job on CPU and reads zeros on GPU.
    """
    embeddings = input_embeddings(model)
    if not embeddings or table.values.size == 0:
        return
    size = min(int(layer.input_dim) for layer in embeddings)
    values = table.values
    bad = (values < 0) | (values >= size) | (values != np.floor(values))
    if not bad.any():
        return
    row, col = divmod(int(np.argmax(bad)), values.shape[1])  # the first bad cell, line by line
    value = values[row, col]
    rule = f"word indices must be whole numbers from 0 to {size - 1}"
    if value >= size:
        raise UserError(f"{table.cell(row, col)} is {_shown(value)}; {rule}; the model's Embedding has input_dim "
                        f"{size}: rebuild it with a larger input_dim or make the sequences with num_words <= {size}")
    raise UserError(f"{table.cell(row, col)} is {_shown(value)}; {rule} (the model's Embedding has input_dim "
                    f"{size}): give it the table of word indices that 'Text to padded integer sequences' makes")


def output_units(model: Any) -> int:
    shape = model.output_shape
    if isinstance(shape, list):
        raise UserError(f"the model has {len(shape)} outputs; these tools train models with one output")
    return int(shape[-1]) if len(shape) > 1 and shape[-1] is not None else 1


def last_activation(model: Any) -> str | None:
    """The activation that shapes the model's output (a Dense's, or a following Activation/Softmax), if known."""
    for layer in reversed(model.layers):
        name = type(layer).__name__
        if name == "Softmax":
            return "softmax"
        if name in _PASS_THROUGH:
            continue
        activation = getattr(layer, "activation", None)
        return getattr(activation, "__name__", None) if activation is not None else None
    return None


def check_loss_and_output(model: Any, loss: str, n_classes: int | None) -> None:
    """A cross-entropy loss must match the last layer: one sigmoid unit, or one softmax unit per class."""
    if loss not in CROSS_ENTROPY_LOSSES:
        return
    units, activation = output_units(model), last_activation(model)
    per_class = f"{n_classes} units" if n_classes else "one unit per class"
    if loss.startswith("binary"):
        if units > 1:
            raise UserError(f"the loss {loss} is for two classes and 1 sigmoid output unit, but the model's last "
                            f"layer has {units} units; for several classes use categorical_crossentropy or "
                            f"sparse_categorical_crossentropy with softmax, or rebuild with 1 sigmoid unit")
        if activation not in (None, "sigmoid"):
            raise UserError(f"the model's last layer has 1 unit with activation '{activation}', but {loss} needs "
                            f"the probability of the second class there; rebuild it with activation sigmoid")
    elif units == 1:
        two = " (or keep 1 sigmoid unit with binary_crossentropy)" if n_classes == 2 else ""
        raise UserError(f"the loss {loss} needs one output unit per class, but the model's last layer has 1 unit; "
                        f"rebuild it with {per_class} and softmax in the last layer{two}")
    elif activation not in (None, "softmax"):
        raise UserError(f"the model's last layer has {units} units with activation '{activation}', but {loss} and "
                        f"the scores (probabilities, ROC AUC) need each row of outputs to sum to 1; rebuild it "
                        f"with activation softmax in the last layer")


def plain(value: Any) -> Any:
    """A label as JSON-friendly Python: whole floats become ints (1.0 -> 1)."""
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return int(value) if float(value).is_integer() else float(value)
    return str(value) if not isinstance(value, (int, str)) else value


def class_labels(labels: pd.Series) -> list[Any]:
    values = {plain(value) for value in labels.tolist()}
    try:
        return sorted(values)
    except TypeError:  # mixed numbers and text
        return sorted(values, key=str)


def encode_labels(labels: pd.Series, classes: list[Any], model: Any, loss: str, what: str) -> np.ndarray:
    """Labels -> the array Keras trains on, checked against the model's output layer."""
    index = {label: i for i, label in enumerate(classes)}
    try:
        codes = np.array([index[plain(value)] for value in labels.tolist()], dtype=np.int64)
    except KeyError as err:
        raise UserError(f"{what}: label {quoted(err.args[0])} was not seen in training") from None
    units, n = output_units(model), len(classes)
    several = "categorical_crossentropy or sparse_categorical_crossentropy"
    if units == 1:
        if n > 2:
            raise UserError(f"{what} hold {n} classes but the model's last layer has 1 unit; rebuild the model "
                            f"with {n} units and softmax in the last layer and the loss {several}")
        return codes.astype(np.float32)
    if units != n:
        two = " (or 1 sigmoid unit with binary_crossentropy)" if n == 2 else ""
        listed = ", ".join(shown(str(label), 40) for label in classes[:10])
        raise UserError(f"{what} hold {n} classes ({listed}) but the model's last layer "
                        f"has {units} units; rebuild the model with {n} units in the last layer{two}")
    if loss.startswith("sparse_"):
        return codes
    check_allocation(len(codes) * units * 4, f"one-hot labels for {len(codes)} rows and {units} classes",
                     "use sparse_categorical_crossentropy, which takes the labels as they are")
    one_hot = np.zeros((len(codes), units), dtype=np.float32)
    one_hot[np.arange(len(codes)), codes] = 1.0
    return one_hot


def predict_scores(model: Any, features: np.ndarray) -> np.ndarray:
    from .padding import predict_skipping_padding, variable_length_twin

    twin = variable_length_twin(model) if features.ndim == 2 else None
    if twin is not None:
        scores = predict_skipping_padding(twin, features, PREDICT_BATCH_SIZE)
    else:
        scores = model.predict(features, batch_size=PREDICT_BATCH_SIZE, verbose=0)
    return np.asarray(scores).reshape(len(features), -1)


def check_finite_scores(scores: np.ndarray, lines: np.ndarray, what: str) -> None:
    """NaN or infinite outputs are refused: written out they would read as blanks and class 0.

    ``lines``: the line of ``what`` that each row of scores is for.
    """
    bad = ~np.isfinite(scores).all(axis=1)
    if bad.any():
        raise UserError(f"the model's output is NaN or infinite for {int(bad.sum())} of {len(scores)} rows ({what}, "
                        f"first at line {int(lines[np.argmax(bad)])}); its weights have diverged: "
                        f"retrain it with a lower learning rate and check the training samples for extreme values")


def check_probabilities(scores: np.ndarray, lines: np.ndarray, what: str) -> None:
    """A classifier's outputs must be probabilities: in [0, 1] and, one unit per class, rows summing to 1.

    ROC AUC, average precision and the probability columns read them so.
    """
    outside = ((scores < -PROBABILITY_TOLERANCE) | (scores > 1 + PROBABILITY_TOLERANCE)).any(axis=1)
    if scores.shape[1] > 1:
        outside |= np.abs(scores.sum(axis=1) - 1.0) > PROBABILITY_TOLERANCE
    if outside.any():
        row = int(np.argmax(outside))
        shown = ", ".join(_shown(value) for value in scores[row, :5]) + (", ..." if scores.shape[1] > 5 else "")
        rule = "between 0 and 1" if scores.shape[1] == 1 else "between 0 and 1, summing to 1 in each row"
        fix = "sigmoid (1 unit)" if scores.shape[1] == 1 else "softmax"
        raise UserError(f"the model's outputs for {what}, line {int(lines[row])} are {shown}: not probabilities "
                        f"({rule}); a classifier's last layer needs activation {fix}")


def scores_to_probabilities(scores: np.ndarray) -> np.ndarray:
    """One column per class: a single sigmoid output p becomes (1 - p, p)."""
    return np.column_stack([1.0 - scores[:, 0], scores[:, 0]]) if scores.shape[1] == 1 else scores


def scores_to_labels(scores: np.ndarray, classes: list[Any] | None) -> np.ndarray:
    codes = (scores[:, 0] > 0.5).astype(int) if scores.shape[1] == 1 else scores.argmax(axis=1)
    if not classes:
        return codes
    return np.array(classes, dtype=object)[codes]
