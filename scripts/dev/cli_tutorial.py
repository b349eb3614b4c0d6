#!/usr/bin/env python3
"""The tutorial pipeline through the scripts' command lines, on the first N rows of the IMDB tables.

config -> builder -> train -> predict -> confusion matrix, each step a fresh
process exactly as Galaxy runs it; prints the metrics, the confusion matrix
and the time of every step.

    .venv/tools/bin/python scripts/dev/cli_tutorial.py --rows 2000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import tutorial_params as tutorial

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "tools"


def step(name: str, script: str, params: dict, out: Path, *args) -> None:
    inputs = out / f"{name}.inputs.json"
    inputs.write_text(json.dumps(params, indent=2))
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(SCRIPTS / script), "--inputs", str(inputs), *map(str, args)],
                            capture_output=True, text=True)
    (out / f"{name}.log").write_text(result.stdout + result.stderr)
    print(f"{name:<10} {time.perf_counter() - started:7.1f} s  exit {result.returncode}", flush=True)
    if result.returncode:
        sys.exit(f"{name} failed: {result.stderr.strip().splitlines()[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2000, help="rows of each table (0: all 25,000)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=tutorial.TUTORIAL_SEED, help="the builder's random_seed")
    parser.add_argument("--validation-split", type=float, default=0.0, help="the builder's validation_split")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "cli-tutorial")
    args = parser.parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    x_train, y_train = tutorial.sample_table("X_train.tsv.gz", args.rows, out), tutorial.sample_table("y_train.tsv.gz", args.rows, out)
    x_test, y_test = tutorial.sample_table("X_test.tsv.gz", args.rows, out), tutorial.sample_table("y_test.tsv.gz", args.rows, out)
    step("config", "keras_model_config.py", tutorial.model_config(), out, "--outfile", out / "model.json")
    step("builder", "keras_model_builder.py", tutorial.builder(epochs=args.epochs, seed=args.seed,
                                                          validation_split=args.validation_split), out,
         "--model-json", out / "model.json", "--outfile", out / "built.keras")
    step("train", "keras_train_and_eval.py", tutorial.train(), out, "--estimator", out / "built.keras",
         "--infile1", x_train, "--infile2", y_train, "--outfile-result", out / "metrics.tsv",
         "--outfile-history", out / "history.tsv", "--outfile-object", out / "trained.keras")
    step("predict", "model_prediction.py", tutorial.predict(), out, "--estimator", out / "trained.keras",
         "--infile1", x_test, "--outfile-predict", out / "predictions.tsv")
    step("confusion", "ml_visualization_ex.py", tutorial.confusion_matrix(), out, "--infile-true", y_test,
         "--infile-predicted", out / "predictions.tsv", "--output", out / "confusion_matrix.png",
         "--output-report", out / "report.tsv")
    print("\nheld-out metrics (train step):\n" + (out / "metrics.tsv").read_text())
    print("training history:\n" + (out / "history.tsv").read_text())
    print("test set (confusion step):\n" + (out / "confusion.log").read_text())


if __name__ == "__main__":
    main()
