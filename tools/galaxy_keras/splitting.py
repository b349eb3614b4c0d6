"""Seeded hold-out splits, as Galaxy-ML's train_test_split options name them.

shuffle: "simple" (ShuffleSplit), "stratified" (StratifiedShuffleSplit on the
class labels), "group" (GroupShuffleSplit on a groups column, or the rows of
the groups named in ``group_names``) or "None" (the last rows, in order).
test_size: a fraction of the rows (0 < test_size < 1) or, a whole number of
1 or more, a number of rows; for "group" it counts groups, as GroupShuffleSplit
does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import UserError, quoted
from .params import Params

SHUFFLE_OPTIONS = ("simple", "stratified", "group", "None")
DEFAULT_SEED = 0
GROUP_DEFAULT_TEST_SIZE = 0.2  # GroupShuffleSplit's, when test_size is left empty


@dataclass(frozen=True)
class SplitSettings:
    shuffle: str = "simple"
    test_size: float | None = 0.2
    random_state: int | None = None
    group_names: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, params: Params, what: str) -> "SplitSettings":
        shuffle = params.choice("shuffle", SHUFFLE_OPTIONS, "simple")
        size = params.float("test_size", None if shuffle == "group" else 0.2)
        if size is not None:
            check_test_size(size, what)
        elif shuffle != "group":
            raise UserError(f"{what}: test_size is empty; give a fraction between 0 and 1 or a number of rows")
        names: tuple[str, ...] = ()
        if shuffle == "group":
            text = params.str("group_names", None) or ""
            names = tuple(name.strip() for name in text.split(",") if name.strip())
        return cls(shuffle, size, params.int("random_state", None), names)


def check_test_size(size: float, what: str) -> None:
    if size <= 0 or (size >= 1 and not float(size).is_integer()):
        raise UserError(f"{what}: test_size must be a fraction between 0 and 1 or a whole number of rows "
                        f"(1 or more), got {size:g}")


def _held_count(n_rows: int, size: float) -> int:
    return int(size) if size >= 1 else int(round(n_rows * size))


def _shown_size(size: float) -> str:
    return f"{int(size)} rows" if size >= 1 else f"{size:g}"


def split_rows(n_rows: int, settings: SplitSettings, strata: np.ndarray | None, seed: int | None,
               what: str, groups: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Indices (kept, held out). The seed is the split's random_state, else the model's seed.

    ``groups``: one group label (text) per row, for the shuffle "group".
    """
    if settings.shuffle == "group":
        return _split_groups(n_rows, settings, groups, seed, what)
    size = float(settings.test_size)
    n_held = _held_count(n_rows, size)
    if n_held < 1:
        raise UserError(f"{what}: test_size {settings.test_size} of {n_rows} rows holds out 0 rows; "
                        f"raise test_size to at least 1/{n_rows} = {1 / n_rows:.3g}")
    if n_held >= n_rows:
        raise UserError(f"{what}: test_size {_shown_size(size)} of {n_rows} rows holds out all {n_rows}, "
                        f"leaving 0 rows to train on; lower test_size")
    if settings.shuffle == "None":
        return np.arange(n_rows - n_held), np.arange(n_rows - n_held, n_rows)
    state = _state(settings, seed)
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


def _state(settings: SplitSettings, seed: int | None) -> int:
    return settings.random_state if settings.random_state is not None else (seed if seed is not None else DEFAULT_SEED)


def _split_groups(n_rows: int, settings: SplitSettings, groups: np.ndarray | None, seed: int | None,
                  what: str) -> tuple[np.ndarray, np.ndarray]:
    if groups is None:
        raise UserError(f"{what}: the splitting method 'group' needs the groups table (test_split > "
                        f"'Groups column selector'), which only the test split of the form takes")
    if settings.group_names:
        held_mask = np.isin(groups, settings.group_names)
        missing = [name for name in settings.group_names if name not in set(groups.tolist())]
        if missing:
            raise UserError(f"{what}: group_names {', '.join(map(quoted, missing[:10]))} match no row of the groups "
                            f"column (its groups: {', '.join(map(quoted, sorted(set(groups.tolist()))[:10]))})")
        if held_mask.all():
            raise UserError(f"{what}: group_names {', '.join(map(quoted, settings.group_names[:10]))} hold every "
                            f"one of the {n_rows} rows, leaving 0 rows to train on")
        rows = np.arange(n_rows)
        kept = rows[~held_mask]
        return np.random.default_rng(_state(settings, seed)).permutation(kept), rows[held_mask]
    n_groups = len(np.unique(groups))
    size = settings.test_size if settings.test_size is not None else GROUP_DEFAULT_TEST_SIZE
    n_held = _held_count(n_groups, size)
    if n_held < 1 or n_held >= n_groups:
        raise UserError(f"{what}: test_size {_shown_size(size).replace('rows', 'groups')} of the {n_groups} groups "
                        f"holds out {n_held} of them; a group split needs at least one group on each side")
    from sklearn.model_selection import GroupShuffleSplit

    splitter = GroupShuffleSplit(n_splits=1, test_size=n_held, random_state=_state(settings, seed))
    kept, held = next(splitter.split(np.zeros(n_rows), groups=groups))
    return kept, np.sort(held)
