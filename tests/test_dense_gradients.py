"""An Embedding's gradient is summed per row before the optimizer squares it."""

from __future__ import annotations

import numpy as np

from galaxy_keras.dense_gradients import sum_sparse_gradients
from galaxy_keras.keras_env import keras, tf


def first_adam_step(summing: bool) -> np.ndarray:
    """How far each row of a 4 x 2 embedding moves in one Adam step; row 1 is looked up three times."""
    table = keras.Variable(np.zeros((4, 2), np.float32))
    optimizer = keras.optimizers.Adam(learning_rate=0.01)
    optimizer.build([table])
    if summing:
        sum_sparse_gradients(optimizer)
    with tf.GradientTape() as tape:
        rows = tf.gather(table.value, [1, 1, 1, 2])
        loss = tf.reduce_sum(rows * [[1.0, -2.0]])
    gradient = tape.gradient(loss, table.value)
    assert isinstance(gradient, tf.IndexedSlices)  # what an Embedding gives on TensorFlow
    optimizer.apply([gradient], [table])
    return np.abs(table.numpy())


def test_summed_gradient_gives_adams_first_step_of_one_learning_rate():
    moved = first_adam_step(summing=True)
    # Adam's first step is the learning rate times the gradient's sign, however often a row was used.
    np.testing.assert_allclose(moved[[1, 2]], 0.01, rtol=1e-4)
    assert (moved[[0, 3]] == 0).all()


def test_keras_alone_squares_each_lookup_and_steps_too_far():
    # Keras 3.15 on TensorFlow: row 1's three lookups give a step of sqrt(3) learning rates.
    moved = first_adam_step(summing=False)
    np.testing.assert_allclose(moved[1], 0.01 * np.sqrt(3), rtol=1e-4)
    np.testing.assert_allclose(moved[2], 0.01, rtol=1e-4)
