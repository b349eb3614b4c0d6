"""Optimizers see an Embedding's gradient summed per row, as Adam and RMSprop are defined.

On the TensorFlow backend an Embedding's gradient is a ``tf.IndexedSlices``
with one slice per occurrence of a word in the batch (64,000 slices for 128
reviews of 500 words). Keras 3 (3.15) squares such a gradient slice by slice
(``ops.square`` keeps it sparse) and only then adds the slices up, so Adam,
RMSprop, Adagrad and the other optimizers that square gradients get the sum of
squares instead of the square of the sum. For a word seen k times in a batch
the second moment is too small by up to k times and its step too large by up to
sqrt(k): a frequent word's embedding moves several times the learning rate in
one step. Keras 2 summed the slices first (and JAX has no sparse gradients).
With the sum taken first, the tutorial's first Adam step matches Keras 2.3.1's
to 1e-8, and two epochs of the tutorial stop ending near chance for some seeds.

Summing first costs one dense tensor the size of the embedding matrix per
step, and a dense update of every row. An optimizer whose update is linear in
the gradient (SGD, with or without momentum) computes the same with the slices
as without, so it keeps Keras' sparse update, which touches only the rows the
batch looked up. The fix lives on the optimizer object of a training run only:
saved models keep Keras' own optimizer classes.
"""

from __future__ import annotations

from typing import Any

from .keras_env import tf


def summed(gradient: Any) -> Any:
    """A dense gradient: the slices of a tf.IndexedSlices added up per row; anything else unchanged."""
    return tf.convert_to_tensor(gradient) if isinstance(gradient, tf.IndexedSlices) else gradient


# Optimizers whose update is linear in the gradient: the sum of the slices' updates is the update of their sum.
LINEAR_IN_GRADIENT = frozenset({"SGD"})


def needs_summed_gradients(optimizer: Any) -> bool:
    """Whether the optimizer's update is not linear in the gradient (it squares, takes maxima or signs)."""
    return type(optimizer).__name__ not in LINEAR_IN_GRADIENT


def densify_sparse_gradients(optimizer: Any) -> bool:
    """Make this optimizer see each row's gradient slices added up (dense), where its update needs it.

    Returns whether it changed the optimizer: an optimizer linear in the
    gradient keeps Keras' sparse update.
    """
    if not needs_summed_gradients(optimizer):
        return False
    apply = optimizer.apply

    def apply_summed(grads, trainable_variables=None):
        return apply([summed(gradient) for gradient in grads], trainable_variables)

    optimizer.apply = apply_summed
    return True
