"""Prediction that skips the padding a batch does not need, for models that mask it.

A model that starts ``Embedding(mask_zero=True)`` followed by recurrent layers
ignores every 0 of a padded row: the recurrent layers carry their state over
masked steps. A padded table (the tutorial's 500 columns) is mostly padding for
short reviews, yet Keras runs every batch through all 500 steps. Here rows are
ordered by where their words start and end, each batch is cut to the columns
that hold a word in any of its rows, and the predictions are put back in the
table's order. The outputs are those of ``model.predict`` (same arithmetic on
the same words; float rounding aside).

Only the exact case is taken: a Sequential model whose Embedding masks zeros
and is followed directly by LSTM/GRU/SimpleRNN layers (or Bidirectional ones)
up to the first that returns one vector per row. Any other model is predicted
the ordinary way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .keras_env import keras

RECURRENT = ("LSTM", "GRU", "SimpleRNN")
# Widths are rounded up to this many columns so that TensorFlow traces a few shapes, not hundreds.
WIDTH_STEP = 32


def _recurrent(layer: Any) -> Any | None:
    """The recurrent layer itself (unwrapping Bidirectional), or None."""
    if type(layer).__name__ == "Bidirectional":
        layer = layer.forward_layer
    return layer if type(layer).__name__ in RECURRENT else None


def variable_length_twin(model: Any) -> Any | None:
    """A model sharing ``model``'s layers that accepts rows of any length, where skipping padding is exact."""
    if not isinstance(model, keras.Sequential) or len(model.inputs) != 1 or len(model.layers) < 2:
        return None
    embedding, *rest = model.layers
    if not isinstance(embedding, keras.layers.Embedding) or not embedding.mask_zero:
        return None
    for layer in rest:
        recurrent = _recurrent(layer)
        if recurrent is None:
            return None
        if not recurrent.return_sequences:
            break
    else:
        return None  # every recurrent layer returns sequences: later layers would see the padding
    return keras.Sequential([keras.Input(shape=(None,), dtype=model.inputs[0].dtype), *model.layers])


def word_spans(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last column holding a non-zero value in each row (an all-zero row: its last column only)."""
    nonzero = features != 0
    width = features.shape[1]
    first = np.where(nonzero.any(axis=1), nonzero.argmax(axis=1), width - 1)
    last = np.where(nonzero.any(axis=1), width - 1 - nonzero[:, ::-1].argmax(axis=1), width - 1)
    return first, last


def predict_skipping_padding(twin: Any, features: np.ndarray, batch_size: int) -> np.ndarray:
    """``model.predict`` of a padded table, each batch cut to the columns its rows use."""
    if len(features) == 0:
        return np.empty((0, 1), dtype=np.float32)
    first, last = word_spans(features)
    order = np.lexsort((last, first))
    width = features.shape[1]
    outputs: list[np.ndarray] = []
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        begin, end = int(first[rows].min()), int(last[rows].max()) + 1
        needed = -(-(end - begin) // WIDTH_STEP) * WIDTH_STEP
        # Widen into padding columns (still masked) so the width is a multiple of WIDTH_STEP where room allows.
        begin = max(0, min(begin, end - needed))
        end = min(width, begin + needed)
        outputs.append(np.asarray(twin.predict_on_batch(features[rows, begin:end])).reshape(len(rows), -1))
    scores = np.empty((len(features), outputs[0].shape[1]), dtype=np.float32)
    scores[order] = np.concatenate(outputs)
    return scores


def padding_fraction(features: np.ndarray) -> float:
    """Share of the table's cells outside the rows' word spans: what skipping padding can save at most."""
    first, last = word_spans(features)
    used = (last - first + 1).sum()
    return 1.0 - used / features.size if features.size else 0.0
