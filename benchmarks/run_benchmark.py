#!/usr/bin/env python3
"""Benchmark: the training and prediction tools against plain Keras, side by side in one run.

(a) keras_train_and_eval's script, process start to outputs written
(b) the same model and settings as a bare Keras script (bare_keras_tutorial.py): the baseline
(c) galaxy-ml 0.11.0's KerasGClassifier, where it can be installed (it needs Python 3.12)
(d) model_prediction's script against bare model.predict with Keras' default batch size
(e) loading the 25,000 x 500 table with the tools' table reader

Each is repeated (--repeats, default 3) in alternating order; the table gives the
median, the spread (min-max) and the ratio of medians to the baseline. Timings on
these shared machines are noisy: compare only figures from one run.

    python3 benchmarks/run_benchmark.py                     # full tutorial tables (about 25 min)
    python3 benchmarks/run_benchmark.py --rows 300 --repeats 1 --epochs 1   # smoke test
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "dev"))
import tutorial_params as tutorial  # noqa: E402

PYTHON = str(ROOT / ".venv" / "tools" / "bin" / "python")
SCRIPTS = ROOT / "scripts"
EPOCH_RE = re.compile(r"^\d+/\d+ - (\d+(?:\.\d+)?)(m?s) - ", re.M)


def run(cmd: list, label: str) -> dict:
    """Run a child; wall seconds, its own peak RSS (MB) and the seconds of each Keras epoch it printed."""
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        process = subprocess.Popen([str(c) for c in cmd], stdout=log, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(process.pid, 0)  # this child's rusage, not all children's
        wall = time.perf_counter() - started
        log.seek(0)
        output = log.read()
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"{label} failed:\n{output[-2000:]}")
    epochs = [float(v) / (1000 if unit == "ms" else 1) for v, unit in EPOCH_RE.findall(output)]
    return {"wall_s": wall, "peak_mb": usage.ru_maxrss / 1024, "epoch_s": epochs, "output": output}


def params_file(folder: Path, name: str, params: dict) -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(params))
    return path


def summary(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=0, help="rows of each table (0: all 25,000)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "benchmark")
    args = parser.parse_args()
    out = args.out
    data = out / f"data-{args.rows or 'all'}"
    data.mkdir(parents=True, exist_ok=True)
    x_train, y_train = tutorial.sample_table("X_train.tsv.gz", args.rows, data), tutorial.sample_table("y_train.tsv.gz", args.rows, data)
    x_test = tutorial.sample_table("X_test.tsv.gz", args.rows, data)

    # The tool's built model, made once by the tools (not timed).
    run([PYTHON, SCRIPTS / "keras_model_config.py", "--inputs", params_file(out, "config", tutorial.model_config()),
         "--outfile", out / "model.json"], "config")
    run([PYTHON, SCRIPTS / "keras_model_builder.py", "--inputs",
         params_file(out, "builder", tutorial.builder(epochs=args.epochs)), "--model-json", out / "model.json",
         "--outfile", out / "built.keras"], "builder")
    train_params = params_file(out, "train", tutorial.train())
    predict_params = params_file(out, "predict", tutorial.predict())

    results: dict[str, list[dict]] = {"a_tool_train": [], "b_bare_train": [], "d_tool_predict": [],
                                      "d_bare_predict": [], "e_table_load": []}
    for repeat in range(args.repeats):
        order = ["a", "b"] if repeat % 2 == 0 else ["b", "a"]
        for which in order:
            if which == "a":
                result = run([PYTHON, SCRIPTS / "keras_train_and_eval.py", "--inputs", train_params,
                              "--estimator", out / "built.keras", "--infile1", x_train, "--infile2", y_train,
                              "--outfile-result", out / "tool_metrics.tsv", "--outfile-history", out / "history.tsv",
                              "--outfile-object", out / "tool_trained.keras"], "tool training")
                results["a_tool_train"].append(result)
            else:
                result = run([PYTHON, ROOT / "benchmarks" / "bare_keras_tutorial.py", "--x", x_train, "--y", y_train,
                              "--model", out / "bare_trained.keras", "--epochs", args.epochs], "bare training")
                results["b_bare_train"].append(result)
            print(f"repeat {repeat + 1} {which}: {result['wall_s']:.1f} s, epochs {result['epoch_s']}, "
                  f"{result['peak_mb']:.0f} MB", flush=True)
        for which in order:
            if which == "a":
                result = run([PYTHON, SCRIPTS / "model_prediction.py", "--inputs", predict_params, "--estimator",
                              out / "tool_trained.keras", "--infile1", x_test, "--outfile-predict",
                              out / "tool_predictions.tsv"], "tool prediction")
                results["d_tool_predict"].append(result)
            else:
                result = run([PYTHON, ROOT / "benchmarks" / "bare_keras_tutorial.py", "--predict", "--x", x_test,
                              "--model", out / "tool_trained.keras", "--out", out / "bare_predictions.tsv"],
                             "bare prediction")
                results["d_bare_predict"].append(result)
            print(f"repeat {repeat + 1} predict {which}: {result['wall_s']:.1f} s", flush=True)
        load = run([PYTHON, "-c", "import sys, time; sys.path.insert(0, sys.argv[2]);"
                    "from galaxy_keras.tables import ColumnSelector, read_matrix; t = time.perf_counter();"
                    "m = read_matrix(sys.argv[1], False, ColumnSelector(), 'X');"
                    "print(f'load {time.perf_counter() - t:.3f} s {m.shape}')", x_train, SCRIPTS], "table load")
        load["load_s"] = float(re.search(r"load (\d+\.\d+) s", load["output"]).group(1))
        results["e_table_load"].append(load)

    tool_pred = (out / "tool_predictions.tsv").read_text().split()[1:]
    bare_pred = (out / "bare_predictions.tsv").read_text().split()[1:]
    agreement = sum(a == b for a, b in zip(tool_pred, bare_pred)) / max(len(tool_pred), 1)

    base_wall = summary([r["wall_s"] for r in results["b_bare_train"]])[0]
    base_epoch = summary([s for r in results["b_bare_train"] for s in r["epoch_s"]])[0]
    base_predict = summary([r["wall_s"] for r in results["d_bare_predict"]])[0]
    lines = [f"rows: {args.rows or 25000}, epochs: {args.epochs}, repeats: {args.repeats}",
             "", f"{'measurement':<44}{'median':>10}{'min-max':>18}{'ratio':>8}"]

    def row(name: str, values: list[float], base: float | None, unit: str) -> None:
        median, low, high = summary(values)
        ratio = f"{median / base:.2f}x" if base else "-"
        lines.append(f"{name:<44}{median:>9.2f}{unit}{f'{low:.2f}-{high:.2f}':>17}{ratio:>8}")

    row("(a) tool training, end to end [s]", [r["wall_s"] for r in results["a_tool_train"]], base_wall, "")
    row("(b) bare Keras training, end to end [s]", [r["wall_s"] for r in results["b_bare_train"]], base_wall, "")
    row("(a) tool: seconds per epoch", [s for r in results["a_tool_train"] for s in r["epoch_s"]], base_epoch, "")
    row("(b) bare: seconds per epoch", [s for r in results["b_bare_train"] for s in r["epoch_s"]], base_epoch, "")
    row("(a) tool training peak RSS [MB]", [r["peak_mb"] for r in results["a_tool_train"]],
        summary([r["peak_mb"] for r in results["b_bare_train"]])[0], "")
    row("(b) bare training peak RSS [MB]", [r["peak_mb"] for r in results["b_bare_train"]],
        summary([r["peak_mb"] for r in results["b_bare_train"]])[0], "")
    python312 = shutil.which("python3.12")
    lines.append("(c) galaxy-ml 0.11.0 KerasGClassifier: not measured: " +
                 ("python3.12 found but the install is not scripted yet" if python312 else
                  "it declares Python >=3.12,<3.13 and this machine has only Python 3.11 (no 3.12 from its package registries)"))
    row("(d) tool prediction, end to end [s]", [r["wall_s"] for r in results["d_tool_predict"]], base_predict, "")
    row("(d) bare model.predict (batch 32), end to end [s]", [r["wall_s"] for r in results["d_bare_predict"]],
        base_predict, "")
    row("(e) loading the X table (read_matrix) [s]", [r["load_s"] for r in results["e_table_load"]], None, "")
    lines.append(f"predictions of (d): tool and bare agree on {agreement:.4%} of rows")
    text = "\n".join(lines)
    print("\n" + text)
    (out / "benchmark.txt").write_text(text + "\n")
    (out / "benchmark.json").write_text(json.dumps(
        {key: [{k: v for k, v in r.items() if k != "output"} for r in value] for key, value in results.items()},
        indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
