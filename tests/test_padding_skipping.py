"""Prediction that skips padding: taken only where it is exact, and then equal to model.predict."""

from __future__ import annotations

import numpy as np
import pytest

from galaxy_keras.keras_env import keras
from galaxy_keras.model_data import predict_scores
from galaxy_keras.padding import padding_fraction, predict_skipping_padding, variable_length_twin

WIDTH = 40


def padded_rows(side: str, rows: int = 300, seed: int = 0) -> np.ndarray:
    """Rows of 0..WIDTH word indices (1..29), zero-padded before or after; a few all-zero rows."""
    rng = np.random.default_rng(seed)
    table = np.zeros((rows, WIDTH), np.float32)
    for i, length in enumerate(rng.integers(0, WIDTH + 1, rows)):
        words = rng.integers(1, 30, length)
        if length:
            if side == "pre":
                table[i, WIDTH - length:] = words
            else:
                table[i, :length] = words
    return table


def model(*layers) -> keras.Model:
    keras.utils.set_random_seed(3)
    return keras.Sequential([keras.Input((WIDTH,)), *layers])


def masked_lstm(**embedding_options) -> keras.Model:
    return model(keras.layers.Embedding(30, 4, **embedding_options), keras.layers.LSTM(5),
                 keras.layers.Dense(1, activation="sigmoid"))


@pytest.mark.parametrize("side", ["pre", "post"])
def test_skipping_padding_gives_model_predict(side):
    table = padded_rows(side)
    lstm = masked_lstm(mask_zero=True)
    twin = variable_length_twin(lstm)
    assert twin is not None
    expected = lstm.predict(table, batch_size=64, verbose=0)
    got = predict_skipping_padding(twin, table, batch_size=64)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    # and through the tools' shared prediction function
    np.testing.assert_allclose(predict_scores(lstm, table), expected, rtol=0, atol=1e-6)


def test_stacked_and_bidirectional_recurrent_layers():
    table = padded_rows("pre", rows=120, seed=1)
    stacked = model(keras.layers.Embedding(30, 4, mask_zero=True),
                    keras.layers.Bidirectional(keras.layers.GRU(3, return_sequences=True)),
                    keras.layers.SimpleRNN(3), keras.layers.Dense(2, activation="softmax"))
    twin = variable_length_twin(stacked)
    assert twin is not None
    np.testing.assert_allclose(predict_skipping_padding(twin, table, batch_size=32),
                               stacked.predict(table, batch_size=32, verbose=0), rtol=0, atol=1e-6)


@pytest.mark.parametrize("build", [
    lambda: masked_lstm(),  # mask_zero off: the padding is part of the input
    lambda: model(keras.layers.Embedding(30, 4, mask_zero=True), keras.layers.LSTM(5, return_sequences=True),
                  keras.layers.Flatten(), keras.layers.Dense(1)),  # later layers see every step
    lambda: model(keras.layers.Embedding(30, 4, mask_zero=True), keras.layers.Conv1D(3, 3),
                  keras.layers.LSTM(5), keras.layers.Dense(1)),  # a layer that ignores the mask
    lambda: model(keras.layers.Dense(3), keras.layers.Dense(1)),
], ids=["mask-off", "sequences-to-flatten", "conv-before-lstm", "no-embedding"])
def test_not_taken_where_it_would_change_the_result(build):
    assert variable_length_twin(build()) is None


def test_padding_fraction():
    table = np.array([[0, 0, 1, 2], [0, 0, 0, 3], [0, 0, 0, 0]], np.float32)
    # word spans: 2, 1 and (an all-zero row) 1 column of 12 cells
    assert padding_fraction(table) == pytest.approx(1 - 4 / 12)
