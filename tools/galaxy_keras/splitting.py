"""Seeded hold-out splits: simple shuffle, stratified, or the last rows in order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import UserError
from .params import Params

SHUFFLE_OPTIONS = ("simple", "stratified", "None")
DEFAULT_SEED = 0


@dataclass(frozen=True)
class SplitSettings:
    shuffle: str = "simple"
    test_size: float = 0.2
    random_state: int | None = None

    @classmethod
    def from_params(cls, params: Params, what: str) -> "SplitSettings":
        shuffle = params.choice("shuffle", SHUFFLE_OPTIONS, "simple")
        size = params.float("test_size", 0.2)
        if not 0.0 < size < 1.0:
            raise UserError(f"{what}: test_size must be a fraction between 0 and 1, got {size}")
        return cls(shuffle, size, params.int("random_state", None))


def split_rows(n_rows: int, settings: SplitSettings, strata: np.ndarray | None, seed: int | None,
               what: str) -> tuple[np.ndarray, np.ndarray]:
    """Indices (kept, held out). The seed is the split's random_state, else the model's seed."""
    n_held = int(round(n_rows * settings.test_size))
    if n_held < 1:
        raise UserError(f"{what}: test_size {settings.test_size} of {n_rows} rows holds out 0 rows; "
                        f"raise test_size to at least 1/{n_rows} = {1 / n_rows:.3g}")
    if n_held >= n_rows:
        raise UserError(f"{what}: test_size {settings.test_size} of {n_rows} rows holds out all {n_rows}, "
                        f"leaving 0 rows to train on; lower test_size")
    if settings.shuffle == "None":
        return np.arange(n_rows - n_held), np.arange(n_rows - n_held, n_rows)
    state = settings.random_state if settings.random_state is not None else (seed if seed is not None else DEFAULT_SEED)
    from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit

    if settings.shuffle == "stratified":
        if strata is None:
            raise UserError(f"{what}: a stratified split needs class labels (not available for regression)")
        _, counts = np.unique(strata, return_counts=True)
        if counts.min() < 2:
            raise UserError(f"{what}: a stratified split needs at least 2 rows of every class")
        if min(n_held, n_rows - n_held) < len(counts):
            # scikit-learn refuses this with a ValueError: each side must get a row of every class.
            raise UserError(f"{what}: a stratified split of {n_rows} rows into {n_rows - n_held} and {n_held} "
                            f"cannot give both parts a row of each of the {len(counts)} classes; change test_size "
                            f"or use the shuffle 'simple'")
        splitter = StratifiedShuffleSplit(n_splits=1, test_size=n_held, random_state=state)
        kept, held = next(splitter.split(np.zeros(n_rows), strata))
    else:
        splitter = ShuffleSplit(n_splits=1, test_size=n_held, random_state=state)
        kept, held = next(splitter.split(np.zeros(n_rows)))
    # Kept rows stay shuffled: Keras takes its validation_split from the end of
    # the training rows, which must not be, say, all of one class.
    return kept, np.sort(held)
