#!/usr/bin/env python
"""The tutorial on the 2021 software (Keras 2.3.1, TensorFlow 1.15): test accuracy for one seed.

Runs under .venv/keras2 (benchmarks/install_keras2_reference.sh). Same work as
the tutorial workflow: hold out 20% of the training rows (seeded shuffle, the
same rows as the tools' split with that seed), Embedding(10000, 32) ->
LSTM(100) -> Dense(1, sigmoid) with Keras 2.3.1's defaults, binary
cross-entropy, Adam, 2 epochs, batch 128; predict the test table. Prints one
JSON line with the held-out and test accuracy and the confusion counts.
Python 3.7 code: no newer syntax.
"""

import argparse
import json
import random
import time

import numpy as np
import pandas as pd


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tables", required=True, help="folder with X_train, y_train, X_test, y_test (.tsv.gz)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rows", type=int, default=0, help="first rows of each table (0: all)")
    args = parser.parse_args()

    import tensorflow as tf
    np.random.seed(args.seed)
    random.seed(args.seed)
    tf.set_random_seed(args.seed)
    import keras

    def table(name):
        return pd.read_csv("%s/%s.tsv.gz" % (args.tables, name), sep="\t", header=None,
                           nrows=args.rows or None).values

    x, y = table("X_train"), table("y_train").ravel()
    x_test, y_test = table("X_test"), table("y_test").ravel()
    # sklearn's ShuffleSplit(test_size=0.2, random_state=seed) takes these rows.
    order = np.random.RandomState(args.seed).permutation(len(x))
    n_held = -(-len(x) // 5)  # ceil(0.2 n), as ShuffleSplit
    held, kept = order[:n_held], order[n_held:]
    model = keras.models.Sequential([keras.layers.Embedding(10000, 32, input_length=x.shape[1]),
                                     keras.layers.LSTM(100), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["acc"])
    started = time.time()
    model.fit(x[kept], y[kept], epochs=2, batch_size=128, verbose=2)
    seconds = time.time() - started
    held_acc = float(np.mean((model.predict(x[held], batch_size=1024)[:, 0] > 0.5) == y[held]))
    predicted = (model.predict(x_test, batch_size=1024)[:, 0] > 0.5).astype(int)
    counts = {"TN": int(((predicted == 0) & (y_test == 0)).sum()), "FP": int(((predicted == 1) & (y_test == 0)).sum()),
              "FN": int(((predicted == 0) & (y_test == 1)).sum()), "TP": int(((predicted == 1) & (y_test == 1)).sum())}
    print(json.dumps({"seed": args.seed, "keras": keras.__version__, "tensorflow": tf.__version__,
                      "held_out_accuracy": held_acc, "test_accuracy": float(np.mean(predicted == y_test)),
                      "confusion": counts, "train_seconds": seconds}))


if __name__ == "__main__":
    main()
