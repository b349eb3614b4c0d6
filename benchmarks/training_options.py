#!/usr/bin/env python3
"""Training speed past Keras' defaults: seconds per step of the tutorial model under each option.

Each option trains the tutorial's Embedding(10000, 32) -> LSTM(100) -> Dense(1)
for one epoch on the first --rows rows of X_train, batch 128, in a fresh
process, --repeats times in rotating order. The first step (tracing) is left
out of the per-step figure and shown apart. Ratios are against Keras' defaults.

    .venv/tools/bin/python benchmarks/training_options.py --rows 5000 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "dev"))
import tutorial_params as tutorial  # noqa: E402

OPTIONS = {
    "keras defaults": {},
    "jit_compile=True (XLA)": {"jit_compile": True},
    "steps_per_execution=8": {"steps_per_execution": 8},
    "one thread (intra-op 1)": {"threads": 1},
    "tf.data, prefetched": {"dataset": True},
}

CHILD = r"""
import json, os, sys, time
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
options = json.loads(sys.argv[3])
import tensorflow as tf
if options.get("threads"):
    tf.config.threading.set_intra_op_parallelism_threads(options["threads"])
    tf.config.threading.set_inter_op_parallelism_threads(options["threads"])
import keras, numpy as np, pandas as pd
x = pd.read_csv(sys.argv[1], sep="\t", header=None).to_numpy(np.float32)
y = pd.read_csv(sys.argv[2], sep="\t", header=None).to_numpy(np.float32)[:, 0]
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((x.shape[1],)), keras.layers.Embedding(10000, 32), keras.layers.LSTM(100),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["acc"],
              jit_compile=options.get("jit_compile", False), steps_per_execution=options.get("steps_per_execution", 1))
steps = []
class Clock(keras.callbacks.Callback):
    def on_train_batch_begin(self, batch, logs=None): self.t = time.perf_counter()
    def on_train_batch_end(self, batch, logs=None): steps.append(time.perf_counter() - self.t)
data = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=0).batch(128).prefetch(tf.data.AUTOTUNE)
        if options.get("dataset") else None)
started = time.perf_counter()
if data is not None:
    model.fit(data, epochs=1, verbose=0, callbacks=[Clock()])
else:
    model.fit(x, y, epochs=1, batch_size=128, verbose=0, callbacks=[Clock()])
epoch = time.perf_counter() - started
# The first call (tracing, and with steps_per_execution its first group of steps) is left out.
per_call, n_steps = options.get("steps_per_execution", 1), -(-len(x) // 128)
print(json.dumps({"epoch_s": epoch, "first_s": steps[0], "steady_step_s": (epoch - steps[0]) / max(n_steps - per_call, 1)}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "training-options")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    x = tutorial.sample_table("X_train.tsv.gz", args.rows, args.out)
    y = tutorial.sample_table("y_train.tsv.gz", args.rows, args.out)
    runs: dict[str, list[dict]] = {name: [] for name in OPTIONS}
    names = list(OPTIONS)
    for repeat in range(args.repeats):
        for name in names[repeat % len(names):] + names[:repeat % len(names)]:
            result = subprocess.run([sys.executable, "-c", CHILD, x, y, json.dumps(OPTIONS[name])],
                                    capture_output=True, text=True)
            if result.returncode:
                sys.exit(f"{name} failed:\n{result.stderr[-2000:]}")
            runs[name].append(json.loads(result.stdout.strip().splitlines()[-1]))
            print(f"repeat {repeat + 1} {name}: {runs[name][-1]}", flush=True)
    base = statistics.median(r["steady_step_s"] for r in runs["keras defaults"])
    lines = [f"rows: {args.rows}, batch 128, 1 epoch, repeats: {args.repeats}", "",
             f"{'option':<28}{'s/step median':>14}{'min-max':>16}{'ratio':>8}{'first step s':>14}"]
    for name, values in runs.items():
        steps = [r["steady_step_s"] for r in values]
        median = statistics.median(steps)
        lines.append(f"{name:<28}{median:>14.4f}{f'{min(steps):.4f}-{max(steps):.4f}':>16}{median / base:>7.2f}x"
                     f"{statistics.median(r['first_s'] for r in values):>14.2f}")
    text = "\n".join(lines)
    print("\n" + text)
    (args.out / "training-options.txt").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
