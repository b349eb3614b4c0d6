"""An Embedding's gradient is summed per row before an optimizer that squares it; SGD keeps its sparse update."""

from __future__ import annotations

import numpy as np
import pytest

from galaxy_keras.dense_gradients import densify_sparse_gradients
from galaxy_keras.keras_env import keras, tf


def embedding_gradient(table):
    """An Embedding-like gradient of a 4 x 2 table: row 1 looked up three times, row 2 once."""
    with tf.GradientTape() as tape:
        rows = tf.gather(table.value, [1, 1, 1, 2])
        loss = tf.reduce_sum(rows * [[1.0, -2.0]])
    gradient = tape.gradient(loss, table.value)
    assert isinstance(gradient, tf.IndexedSlices)  # what an Embedding gives on TensorFlow
    return gradient


def first_step(optimizer, summing: bool) -> np.ndarray:
    """How far each row of the table moves in one step of ``optimizer``."""
    table = keras.Variable(np.zeros((4, 2), np.float32))
    optimizer.build([table])
    if summing:
        densify_sparse_gradients(optimizer)
    optimizer.apply([embedding_gradient(table)], [table])
    return np.abs(table.numpy())


def gradient_types_seen(optimizer, table) -> list[type]:
    """One step of ``optimizer`` on the embedding gradient: the type of the gradient its update rule was given."""
    seen = []
    update_step = optimizer.update_step

    def recording(gradient, variable, learning_rate):
        seen.append(type(gradient))
        return update_step(gradient, variable, learning_rate)

    optimizer.update_step = recording
    optimizer.apply([embedding_gradient(table)], [table])
    return seen


def test_summed_gradient_gives_adams_first_step_of_one_learning_rate():
    moved = first_step(keras.optimizers.Adam(learning_rate=0.01), summing=True)
    # Adam's first step is the learning rate times the gradient's sign, however often a row was used.
    np.testing.assert_allclose(moved[[1, 2]], 0.01, rtol=1e-4)
    assert (moved[[0, 3]] == 0).all()


def test_keras_alone_squares_each_lookup_and_steps_too_far():
    # Keras 3.15 on TensorFlow: row 1's three lookups give a step of sqrt(3) learning rates.
    moved = first_step(keras.optimizers.Adam(learning_rate=0.01), summing=False)
    np.testing.assert_allclose(moved[1], 0.01 * np.sqrt(3), rtol=1e-4)
    np.testing.assert_allclose(moved[2], 0.01, rtol=1e-4)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_keeps_its_sparse_update(momentum):
    optimizer = keras.optimizers.SGD(learning_rate=0.1, momentum=momentum)
    table = keras.Variable(np.zeros((4, 2), np.float32))
    optimizer.build([table])
    assert densify_sparse_gradients(optimizer) is False
    seen = gradient_types_seen(optimizer, table)
    assert seen == [tf.IndexedSlices]  # Keras' sparse update, not a dense one of every row
    # And the step is the summed gradient's: three lookups of row 1 move it three times as far as row 2's one.
    np.testing.assert_allclose(np.abs(table.numpy()), [[0, 0], [0.3, 0.6], [0.1, 0.2], [0, 0]], rtol=1e-5)


@pytest.mark.parametrize("name", ["Adam", "RMSprop", "Adagrad", "Adamax", "Nadam", "Adadelta", "Ftrl"])
def test_optimizers_that_are_not_linear_in_the_gradient_get_it_summed(name):
    optimizer = getattr(keras.optimizers, name)()
    table = keras.Variable(np.zeros((4, 2), np.float32))
    optimizer.build([table])
    assert densify_sparse_gradients(optimizer) is True
    seen = gradient_types_seen(optimizer, table)
    assert seen and all(kind is not tf.IndexedSlices for kind in seen)
