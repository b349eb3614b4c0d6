"""Training batches: every row once per epoch, a new order each epoch, the same orders for the same seed."""

from __future__ import annotations

import numpy as np

from galaxy_keras.batches import split_validation, training_batches


def epoch_orders(seed: int, epochs: int = 3, rows: int = 40) -> list[list[int]]:
    features = np.arange(rows, dtype=np.float32)[:, None]
    batches = training_batches(features, np.zeros(rows, np.float32), batch_size=8, seed=seed)
    return [[int(v) for x, _ in batches for v in x.numpy()[:, 0]] for _ in range(epochs)]


def test_every_row_once_per_epoch_in_a_new_order():
    orders = epoch_orders(seed=0)
    assert all(sorted(order) == list(range(40)) for order in orders)
    assert len({tuple(order) for order in orders}) == 3  # Keras 3's own shuffle repeats one order once seeded


def test_same_seed_same_orders_other_seed_other_orders():
    assert epoch_orders(seed=5) == epoch_orders(seed=5)
    assert epoch_orders(seed=5) != epoch_orders(seed=6)


def test_targets_travel_with_their_rows():
    features = np.arange(60, dtype=np.float32).reshape(20, 3)  # row i holds 3i, 3i+1, 3i+2
    targets = np.stack([np.arange(20), -np.arange(20)], axis=1).astype(np.float32)  # two-column targets
    seen = []
    for x, y in training_batches(features, targets, batch_size=6, seed=2):
        x, y = x.numpy(), y.numpy()
        assert x.shape[1:] == (3,) and y.shape[1:] == (2,)
        assert (x[:, 0] == 3 * y[:, 0]).all() and (y[:, 1] == -y[:, 0]).all()
        seen += y[:, 0].tolist()
    assert sorted(seen) == list(range(20)) and seen != list(range(20))


def test_validation_is_the_last_rows_as_in_keras():
    features, targets = np.arange(10)[:, None], np.arange(10)
    (train_x, train_y), (val_x, val_y) = split_validation(features, targets, 0.25)
    # Keras: split_at = ceil(10 * 0.75) = 8
    assert train_y.tolist() == list(range(8)) and val_y.tolist() == [8, 9]
    assert val_x[:, 0].tolist() == [8, 9]
    (all_x, all_y), none = split_validation(features, targets, 0.0)
    assert none is None and len(all_y) == 10
