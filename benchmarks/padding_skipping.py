#!/usr/bin/env python
"""(f) and (g) of the benchmark: what skipping padding gains for a model with ``mask_zero=True``.

(f) prediction: the tutorial's trained weights in the same model with the
    Embedding masking zeros, predicted with plain ``model.predict`` and with the
    tools' padding-skipping prediction (both in batches of 1,024), alternating,
    after one warm-up call each; prints seconds and the largest difference.
(g) training: the tools do not skip padding in training. With random batches
    of 128 a batch needs the columns of its longest review; this prints the
    share of LSTM steps such skipping could save on the table, as a ratio.
Prints one JSON object.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from galaxy_keras.keras_env import keras  # noqa: E402
from galaxy_keras.model_data import PREDICT_BATCH_SIZE  # noqa: E402
from galaxy_keras.model_io import load_model  # noqa: E402
from galaxy_keras.padding import word_spans, padding_fraction, predict_skipping_padding, variable_length_twin  # noqa: E402
from galaxy_keras.tables import ColumnSelector, read_matrix  # noqa: E402


def masked_copy(model):
    """The same layers and weights, with the Embedding masking zeros."""
    config = model.get_config()
    config["layers"] = [dict(layer) for layer in config["layers"]]
    for layer in config["layers"]:
        if layer["class_name"] == "Embedding":
            layer["config"] = {**layer["config"], "mask_zero": True}
    copy = keras.Sequential.from_config(config)
    copy.set_weights(model.get_weights())
    return copy


def training_steps_needed(table: np.ndarray, batch_size: int, seed: int = 0) -> float:
    """Mean share of columns a random batch needs (its rows' widest word span), over one shuffled epoch."""
    first, last = word_spans(table)
    order = np.random.default_rng(seed).permutation(len(table))
    needed = [last[rows].max() - first[rows].min() + 1
              for rows in (order[i:i + batch_size] for i in range(0, len(order), batch_size))]
    return float(np.mean(needed) / table.shape[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True, help="the trained tutorial model (.keras)")
    parser.add_argument("--x-test", required=True)
    parser.add_argument("--x-train", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    model, _ = load_model(args.model, compile=False)
    masked = masked_copy(model)
    twin = variable_length_twin(masked)
    test = read_matrix(args.x_test, False, ColumnSelector(), "X_test")
    methods = {"plain": lambda x: masked.predict(x, batch_size=PREDICT_BATCH_SIZE, verbose=0),
               "skipping": lambda x: predict_skipping_padding(twin, x, PREDICT_BATCH_SIZE)}
    for method in methods.values():  # trace once each before timing
        method(test[:PREDICT_BATCH_SIZE])
    seconds = {name: [] for name in methods}
    outputs = {}
    for repeat in range(args.repeats):
        for name in (list(methods) if repeat % 2 == 0 else list(methods)[::-1]):
            started = time.perf_counter()
            outputs[name] = np.asarray(methods[name](test)).reshape(len(test), -1)
            seconds[name].append(time.perf_counter() - started)
    labels_agree = float(np.mean((outputs["plain"][:, 0] > 0.5) == (outputs["skipping"][:, 0] > 0.5)))
    train = read_matrix(args.x_train, False, ColumnSelector(), "X_train")
    print(json.dumps({
        "predict_plain_s": seconds["plain"], "predict_skipping_s": seconds["skipping"],
        "max_abs_difference": float(np.abs(outputs["plain"] - outputs["skipping"]).max()),
        "labels_agree": labels_agree,
        "test_padding_share": padding_fraction(test),
        "train_steps_needed_batch_128": training_steps_needed(train, 128),
    }))


if __name__ == "__main__":
    main()
