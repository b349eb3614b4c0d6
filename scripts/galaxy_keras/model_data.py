"""Fitting data to a model: input shapes, label encoding, predictions.

Shared by training (held-out predictions) and the prediction tool so that both
turn model outputs into labels the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .errors import UserError

# Keras predicts in batches of 32 by default, which is slow for recurrent
# models on CPU; predictions do not depend on the batch size.
PREDICT_BATCH_SIZE = 1024


def _single(shape: Any) -> tuple:
    if isinstance(shape, list):
        if len(shape) != 1:
            raise UserError(f"the model has {len(shape)} inputs; these tools feed one table to one input")
        shape = shape[0]
    return tuple(shape)


def fit_features(model: Any, features: np.ndarray, what: str) -> np.ndarray:
    """Check (and, for image-like inputs, reshape) a feature matrix for the model's input."""
    sample_shape = _single(model.input_shape)[1:]
    if any(size is None for size in sample_shape):
        if len(sample_shape) == 1:
            return features
        raise UserError(f"the model's input shape {sample_shape} has unknown sizes; a table cannot fill it")
    expected = int(np.prod(sample_shape))
    if features.shape[1] != expected:
        raise UserError(f"{what} has {features.shape[1]} columns, but the model expects {expected} per sample "
                        f"(input shape {sample_shape})")
    return features.reshape((features.shape[0], *sample_shape)) if len(sample_shape) > 1 else features


def output_units(model: Any) -> int:
    shape = model.output_shape
    if isinstance(shape, list):
        raise UserError(f"the model has {len(shape)} outputs; these tools train models with one output")
    return int(shape[-1]) if len(shape) > 1 and shape[-1] is not None else 1


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
        raise UserError(f"{what}: label {err.args[0]!r} was not seen in training") from None
    units = output_units(model)
    if units == 1:
        if len(classes) > 2:
            raise UserError(f"{what} has {len(classes)} classes but the model's last layer has 1 unit; "
                            f"use {len(classes)} units with softmax for multi-class classification")
        return codes.astype(np.float32)
    if units != len(classes):
        raise UserError(f"{what} has {len(classes)} classes ({', '.join(map(str, classes[:10]))}) but the model's "
                        f"last layer has {units} units")
    if loss.startswith("sparse_"):
        return codes
    return np.eye(units, dtype=np.float32)[codes]


def predict_scores(model: Any, features: np.ndarray) -> np.ndarray:
    from .padding import predict_skipping_padding, variable_length_twin

    twin = variable_length_twin(model) if features.ndim == 2 else None
    if twin is not None:
        scores = predict_skipping_padding(twin, features, PREDICT_BATCH_SIZE)
    else:
        scores = model.predict(features, batch_size=PREDICT_BATCH_SIZE, verbose=0)
    return np.asarray(scores).reshape(len(features), -1)


def scores_to_probabilities(scores: np.ndarray) -> np.ndarray:
    """One column per class: a single sigmoid output p becomes (1 - p, p)."""
    return np.column_stack([1.0 - scores[:, 0], scores[:, 0]]) if scores.shape[1] == 1 else scores


def scores_to_labels(scores: np.ndarray, classes: list[Any] | None) -> np.ndarray:
    codes = (scores[:, 0] > 0.5).astype(int) if scores.shape[1] == 1 else scores.argmax(axis=1)
    if not classes:
        return codes
    return np.array(classes, dtype=object)[codes]
