#!/usr/bin/env python
"""Baseline for the benchmark: the tutorial written as a plain Keras script, no tool code.

Same work as the training tool under the tutorial's settings: read X and y,
hold out 20% (seeded shuffle), Embedding(10000, 32) -> LSTM(100) -> Dense(1,
sigmoid), binary cross-entropy, Adam, 2 epochs, batch 128 (no validation split,
as the tutorial workflow), score the held-out rows, save the model. Or, with --predict, load a model
and call model.predict with Keras' defaults.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.model_selection import ShuffleSplit  # noqa: E402


def train(args):
    x = pd.read_csv(args.x, sep="\t", header=None).to_numpy(np.float32)
    y = pd.read_csv(args.y, sep="\t", header=None).to_numpy(np.float32)[:, 0]
    keras.utils.set_random_seed(args.seed)
    kept, held = next(ShuffleSplit(n_splits=1, test_size=0.2, random_state=args.seed).split(x))
    model = keras.Sequential([keras.Input((x.shape[1],)), keras.layers.Embedding(10000, 32),
                              keras.layers.LSTM(100), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["acc"])
    model.fit(x[kept], y[kept], epochs=args.epochs, batch_size=128, verbose=2)
    loss, acc = model.evaluate(x[held], y[held], verbose=0)
    print(f"held-out loss {loss:.4f} accuracy {acc:.4f}")
    model.save(args.model)


def predict(args):
    model = keras.saving.load_model(args.model)
    x = pd.read_csv(args.x, sep="\t", header=None).to_numpy(np.float32)
    started = time.perf_counter()
    scores = model.predict(x, verbose=0)  # Keras' default batch size (32)
    print(f"predict {time.perf_counter() - started:.1f} s")
    pd.DataFrame({"predicted": (scores[:, 0] > 0.5).astype(int)}).to_csv(args.out, sep="\t", index=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--x", required=True)
    parser.add_argument("--y")
    parser.add_argument("--model", required=True)
    parser.add_argument("--out")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--predict", action="store_true")
    args = parser.parse_args()
    predict(args) if args.predict else train(args)


if __name__ == "__main__":
    main()
