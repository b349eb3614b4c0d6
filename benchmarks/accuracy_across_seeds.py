#!/usr/bin/env python3
"""Test accuracy of the tutorial across seeds: the tools (Keras 3) beside the tutorial's 2021 software.

For each seed: the tools' pipeline through their scripts (scripts/dev/cli_tutorial.py
on the full tables: config, builder with that random_seed, training that holds out
20%, prediction of the 25,000 test reviews, confusion matrix) and, where Python 3.7
can be had, the same model on Keras 2.3.1 / TensorFlow 1.15.5
(keras2_reference_tutorial.py, what Galaxy-ML 0.8 ran when the GTN tutorial was
written). One accuracy from one seed says little about a two-epoch LSTM: this
prints every seed, the mean and the spread. About 5 minutes per seed and stack.

    python3 benchmarks/accuracy_across_seeds.py --seeds 0 1 2 3 4
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

TOOLS_PYTHON = ROOT / ".venv" / "tools" / "bin" / "python"
KERAS2_PYTHON = ROOT / ".venv" / "keras2" / "bin" / "python"


def accuracy_row(table: Path, first_column: str, column: str) -> float:
    """The value in `column` of the row whose first cell is `first_column` (a tab-separated table with a header)."""
    header, *rows = (line.split("\t") for line in table.read_text().splitlines())
    row = next(r for r in rows if r[0] == first_column)
    return float(row[header.index(column)])


def tools_run(seed: int, out: Path, rows: int) -> dict:
    folder = out / f"tools-seed{seed}"
    subprocess.run([TOOLS_PYTHON, ROOT / "scripts" / "dev" / "cli_tutorial.py", "--rows", str(rows), "--seed",
                    str(seed), "--out", folder], check=True, capture_output=True)
    return {"held_out": accuracy_row(folder / "metrics.tsv", "validation", "accuracy"),
            "test": accuracy_row(folder / "report.tsv", "accuracy", "precision")}


def keras2_run(seed: int, rows: int) -> dict:
    result = subprocess.run([KERAS2_PYTHON, ROOT / "benchmarks" / "keras2_reference_tutorial.py", "--tables",
                             tutorial.IMDB_TABLES, "--seed", str(seed), "--rows", str(rows)], check=True,
                            capture_output=True, text=True)
    found = json.loads(result.stdout.strip().splitlines()[-1])
    return {"held_out": found["held_out_accuracy"], "test": found["test_accuracy"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--skip-keras2", action="store_true", help="only the tools")
    parser.add_argument("--rows", type=int, default=0, help="rows of each table (0: all 25,000; fewer for a smoke test)")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "accuracy-across-seeds")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pins = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().split()
                if "==" in line)
    stacks = {f"tools (Keras {pins['keras']}, TF {pins['tensorflow']})": tools_run}
    if not args.skip_keras2:
        install = subprocess.run(["bash", ROOT / "benchmarks" / "install_keras2_reference.sh"], capture_output=True,
                                 text=True)
        if install.returncode == 0:
            stacks["Keras 2.3.1, TF 1.15.5 (2021)"] = lambda seed, out, rows: keras2_run(seed, rows)
        else:
            print(f"Keras 2 reference left out: {install.stderr.strip().splitlines()[-1]}")
    results: dict[str, dict[int, dict]] = {name: {} for name in stacks}
    for seed in args.seeds:
        for name, run in stacks.items():
            results[name][seed] = run(seed, args.out, args.rows)
            print(f"seed {seed} {name}: {results[name][seed]}", flush=True)
    lines = [f"{f'test accuracy, {args.rows or 25000:,} reviews':<32}" + "".join(f"{f'seed {s}':>9}" for s in args.seeds)
             + f"{'mean':>9}{'min-max':>15}"]
    for name, by_seed in results.items():
        tests = [by_seed[s]["test"] for s in args.seeds]
        lines.append(f"{name:<32}" + "".join(f"{v:>9.4f}" for v in tests)
                     + f"{statistics.mean(tests):>9.4f}{f'{min(tests):.4f}-{max(tests):.4f}':>15}")
    lines.append(f"{'GTN tutorial (one run)':<32}{0.8646:>9.4f}")
    text = "\n".join(lines)
    print("\n" + text)
    (args.out / "accuracy.txt").write_text(text + "\n")
    (args.out / "accuracy.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
