"""Training batches: a fresh, seeded shuffle before every epoch.

Keras 3 (3.15) shuffles arrays given to ``fit`` with a random op inside its
tf.data pipeline. Once a global seed is set, as these tools always do so that
the same inputs give the same model, that op restarts with every epoch and
every epoch sees the batches in the same order. Keras documents ``shuffle`` as
"shuffle the training data before each epoch", and Keras 2 (and so the Galaxy-ML
tools of the GTN tutorial) did draw a new order each epoch. This builds the
training pipeline with ``Dataset.shuffle(reshuffle_each_iteration=True)`` and
the model's seed: a new order every epoch, the same orders in every run.

The validation rows are taken as Keras' ``validation_split`` takes them: the
last fraction of the rows, before any shuffling.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import UserError
from .keras_env import tf


def split_validation(features: np.ndarray, targets: np.ndarray, fraction: float) -> tuple[tuple, tuple | None]:
    """(train, validation) as Keras' validation_split makes them; validation is None for fraction 0.

    A fraction that leaves no validation row is an error: Keras would silently
    train without validation (no val_ metrics, early stopping watching nothing).
    """
    if not fraction:
        return (features, targets), None
    n_rows = len(features)
    split_at = int(math.ceil(n_rows * (1.0 - fraction)))
    if split_at >= n_rows:
        raise UserError(f"validation_split {fraction} of the {n_rows} training rows gives 0 validation rows; "
                        f"set it above 1/{n_rows} = {1 / n_rows:.3g} in 'Create deep learning model', or to 0 for "
                        f"no validation")
    return (features[:split_at], targets[:split_at]), (features[split_at:], targets[split_at:])


def training_batches(features: np.ndarray, targets: np.ndarray, batch_size: int, seed: int) -> Any:
    """Batches of the rows, shuffled anew (and reproducibly) for every epoch.

    Only row numbers pass through the shuffle buffer and each batch gathers its
    rows: a buffer of whole rows would hold a second copy of the table (about
    50 MB more peak memory for the tutorial's 20,000 x 500 rows). The orders are
    the same as shuffling the rows themselves with the same seed.
    """
    features, targets = tf.constant(features), tf.constant(targets)
    row_numbers = tf.data.Dataset.range(len(features))
    return (row_numbers.shuffle(len(features), seed=seed, reshuffle_each_iteration=True)
            .batch(batch_size)
            .map(lambda rows: (tf.gather(features, rows), tf.gather(targets, rows)))
            .prefetch(tf.data.AUTOTUNE))
