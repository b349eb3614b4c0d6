#!/usr/bin/env python3
"""Benchmark: the training and prediction tools against plain Keras and galaxy-ml, side by side in one run.

(a) keras_train_and_eval's script, process start to outputs written
(b) the same model and settings as a bare Keras script (bare_keras_tutorial.py): the baseline
(c) galaxy-ml 0.11.0's KerasGClassifier (galaxy_ml_tutorial.py), where it can be installed (Python 3.12)
(d) model_prediction's script against bare model.predict with Keras' default batch size
(e) loading the 25,000 x 500 table with the tools' table reader
(f) prediction skipping the padding, for the same model with mask_zero=True (padding_skipping.py)
(g) how much of training such skipping could save with random batches (computed, not timed)
(h) the training tool with one thread (GALAXY_SLOTS=1) against (a), which uses every core
plus the tools' own profile: the "time:" lines of (a) and (d), medians per phase.

Each is repeated (--repeats, default 3) in alternating order; the table gives the
median, the spread (min-max) and the ratio of medians to the baseline. Timings on
these shared machines are noisy: compare only figures from one run.

    python3 benchmarks/run_benchmark.py                     # full tutorial tables (about 35 min)
    python3 benchmarks/run_benchmark.py --rows 300 --repeats 1 --epochs 1   # smoke test
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
SCRIPTS = ROOT / "tools"
# Keras' verbose=2 epoch line, e.g. "157/157 - 56s - 355ms/step - acc: ...": steps x time per step.
EPOCH_RE = re.compile(r"^(\d+)/\1 - \S+ - (\d+(?:\.\d+)?)(m?s)/step", re.M)
PHASE_RE = re.compile(r"^time: (.+?)\s+(\d+\.\d+) s$", re.M)


def run(cmd: list, label: str, env: dict | None = None) -> dict:
    """Run a child; wall seconds, its own peak RSS (MB) and the seconds of each Keras epoch it printed."""
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        process = subprocess.Popen([str(c) for c in cmd], stdout=log, stderr=subprocess.STDOUT, text=True,
                                   env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(process.pid, 0)  # this child's rusage, not all children's
        wall = time.perf_counter() - started
        log.seek(0)
        output = log.read()
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"{label} failed:\n{output[-2000:]}")
    epochs = [int(steps) * float(v) / (1000 if unit == "ms" else 1) for steps, v, unit in EPOCH_RE.findall(output)]
    return {"wall_s": wall, "peak_mb": usage.ru_maxrss / 1024, "epoch_s": epochs, "output": output}


def params_file(folder: Path, name: str, params: dict) -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(params))
    return path


def summary(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def profile(results: list[dict]) -> dict[str, float]:
    """Median seconds per phase from the tools' "time:" lines."""
    phases: dict[str, list[float]] = {}
    for result in results:
        for name, seconds in PHASE_RE.findall(result["output"]):
            phases.setdefault(name.strip(), []).append(float(seconds))
    return {name: statistics.median(values) for name, values in phases.items()}


def held_out_accuracy(which: str, output: str, out: Path) -> float:
    """Accuracy on the 20% held-out training rows, as each trainer reports it (the tool: its metrics table)."""
    if which in ("a", "h"):
        metrics = out / "tool_metrics.tsv"
        header, values = (line.split("\t") for line in metrics.read_text().splitlines()[:2])
        return float(values[header.index("accuracy")])
    match = re.search(r"held-out (?:loss \S+ )?accuracy (\d+\.\d+)", output)
    return float(match.group(1)) if match else float("nan")


def galaxy_ml_python() -> tuple[str | None, str]:
    """The galaxy-ml environment's Python (installing it first), or None and why not."""
    install = subprocess.run(["bash", str(ROOT / "benchmarks" / "install_galaxy_ml.sh")], capture_output=True,
                             text=True)
    if install.returncode:
        return None, (install.stderr.strip().splitlines() or ["install failed"])[-1]
    return str(ROOT / ".venv" / "galaxy-ml" / "bin" / "python"), install.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=0, help="rows of each table (0: all 25,000)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--skip-galaxy-ml", action="store_true", help="leave out (c)")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "benchmark")
    args = parser.parse_args()
    out = args.out
    data = out / f"data-{args.rows or 'all'}"
    data.mkdir(parents=True, exist_ok=True)
    x_train, y_train = tutorial.sample_table("X_train.tsv.gz", args.rows, data), tutorial.sample_table("y_train.tsv.gz", args.rows, data)
    x_test = tutorial.sample_table("X_test.tsv.gz", args.rows, data)
    gml_python, gml_status = (None, "left out (--skip-galaxy-ml)") if args.skip_galaxy_ml else galaxy_ml_python()
    print(f"galaxy-ml: {gml_status}", flush=True)

    # The tool's built model, made once by the tools (not timed); every trainer uses the tutorial's seed.
    run([PYTHON, SCRIPTS / "keras_model_config.py", "--inputs", params_file(out, "config", tutorial.model_config()),
         "--outfile", out / "model.json"], "config")
    run([PYTHON, SCRIPTS / "keras_model_builder.py", "--inputs",
         params_file(out, "builder", tutorial.builder(epochs=args.epochs, validation_split=0.0)), "--model-json", out / "model.json",
         "--outfile", out / "built.keras"], "builder")
    train_params = params_file(out, "train", tutorial.train())
    predict_params = params_file(out, "predict", tutorial.predict())
    tool_train = [PYTHON, SCRIPTS / "keras_train_and_eval.py", "--inputs", train_params, "--estimator",
                  out / "built.keras", "--infile1", x_train, "--infile2", y_train, "--outfile-result",
                  out / "tool_metrics.tsv", "--outfile-history", out / "history.tsv", "--outfile-object",
                  out / "tool_trained.keras"]
    trainers = {
        "a": (lambda: run(tool_train, "tool training")),
        "b": (lambda: run([PYTHON, ROOT / "benchmarks" / "bare_keras_tutorial.py", "--x", x_train, "--y", y_train,
                           "--model", out / "bare_trained.keras", "--epochs", args.epochs, "--seed",
                           tutorial.TUTORIAL_SEED], "bare training")),
        "h": (lambda: run(tool_train[:-1] + [out / "tool_trained_1thread.keras"], "tool training, one thread",
                          env={"GALAXY_SLOTS": "1"})),
    }
    if gml_python:
        trainers["c"] = lambda: run([gml_python, ROOT / "benchmarks" / "galaxy_ml_tutorial.py", "--config",
                                     out / "model.json", "--x", x_train, "--y", y_train, "--model",
                                     out / "galaxy_ml_trained.h5", "--epochs", args.epochs, "--seed",
                                     tutorial.TUTORIAL_SEED], "galaxy-ml training")
    predictors = {
        "a": (lambda: run([PYTHON, SCRIPTS / "model_prediction.py", "--inputs", predict_params, "--estimator",
                           out / "tool_trained.keras", "--infile1", x_test, "--outfile-predict",
                           out / "tool_predictions.tsv"], "tool prediction")),
        "b": (lambda: run([PYTHON, ROOT / "benchmarks" / "bare_keras_tutorial.py", "--predict", "--x", x_test,
                           "--model", out / "tool_trained.keras", "--out", out / "bare_predictions.tsv"],
                          "bare prediction")),
    }

    train_runs: dict[str, list[dict]] = {key: [] for key in trainers}
    predict_runs: dict[str, list[dict]] = {key: [] for key in predictors}
    loads: list[float] = []
    for repeat in range(args.repeats):
        order = list(trainers) if repeat % 2 == 0 else list(trainers)[::-1]
        for which in order:
            result = trainers[which]()
            result["accuracy"] = held_out_accuracy(which, result["output"], out)
            train_runs[which].append(result)
            print(f"repeat {repeat + 1} train {which}: {result['wall_s']:.1f} s, epochs {result['epoch_s']}, "
                  f"{result['peak_mb']:.0f} MB", flush=True)
        for which in (list(predictors) if repeat % 2 == 0 else list(predictors)[::-1]):
            result = predictors[which]()
            predict_runs[which].append(result)
            print(f"repeat {repeat + 1} predict {which}: {result['wall_s']:.1f} s", flush=True)
        load = run([PYTHON, "-c", "import sys, time; sys.path.insert(0, sys.argv[2]);"
                    "from galaxy_keras.tables import ColumnSelector, read_matrix; t = time.perf_counter();"
                    "m = read_matrix(sys.argv[1], False, ColumnSelector(), 'X');"
                    "print(f'load {time.perf_counter() - t:.3f} s {m.shape}')", x_train, SCRIPTS], "table load")
        loads.append(float(re.search(r"load (\d+\.\d+) s", load["output"]).group(1)))
    padding = json.loads(run([PYTHON, ROOT / "benchmarks" / "padding_skipping.py", "--model",
                              out / "tool_trained.keras", "--x-test", x_test, "--x-train", x_train, "--repeats",
                              args.repeats], "padding skipping")["output"].strip().splitlines()[-1])

    tool_pred = (out / "tool_predictions.tsv").read_text().split()[1:]
    bare_pred = (out / "bare_predictions.tsv").read_text().split()[1:]
    agreement = sum(a == b for a, b in zip(tool_pred, bare_pred)) / max(len(tool_pred), 1)

    def walls(runs: list[dict]) -> list[float]:
        return [r["wall_s"] for r in runs]

    def epoch_times(runs: list[dict]) -> list[float]:
        return [s for r in runs for s in r["epoch_s"]] or [float("nan")]

    base_wall = summary(walls(train_runs["b"]))[0]
    base_epoch = summary(epoch_times(train_runs["b"]))[0]
    base_peak = summary([r["peak_mb"] for r in train_runs["b"]])[0]
    base_predict = summary(walls(predict_runs["b"]))[0]
    lines = [f"rows: {args.rows or 25000}, epochs: {args.epochs}, repeats: {args.repeats}, cores: {os.cpu_count()}",
             "", f"{'measurement':<56}{'median':>10}{'min-max':>18}{'ratio':>8}"]

    def row(name: str, values: list[float], base: float | None, digits: int = 2) -> None:
        median, low, high = summary(values)
        ratio = f"{median / base:.2f}x" if base else "-"
        lines.append(f"{name:<56}{median:>10.{digits}f}{f'{low:.{digits}f}-{high:.{digits}f}':>18}{ratio:>8}")

    names = {"a": "(a) tool", "b": "(b) bare Keras", "c": "(c) galaxy-ml KerasGClassifier",
             "h": "(h) tool, one thread"}
    for key in [k for k in ("a", "b", "c", "h") if k in train_runs]:
        row(f"{names[key]}: training end to end [s]", walls(train_runs[key]), base_wall)
    for key in [k for k in ("a", "b", "c", "h") if k in train_runs]:
        row(f"{names[key]}: seconds per epoch", epoch_times(train_runs[key]), base_epoch)
    for key in [k for k in ("a", "b", "c", "h") if k in train_runs]:
        row(f"{names[key]}: training peak RSS [MB]", [r["peak_mb"] for r in train_runs[key]], base_peak)
    for key in [k for k in ("a", "b", "c", "h") if k in train_runs]:
        row(f"{names[key]}: held-out accuracy", [r["accuracy"] for r in train_runs[key]], None, digits=4)
    if "c" not in train_runs:
        lines.append(f"(c) galaxy-ml 0.11.0 KerasGClassifier: not measured: {gml_status}")
    row("(d) tool prediction, end to end [s]", walls(predict_runs["a"]), base_predict)
    row("(d) bare model.predict (batch 32), end to end [s]", walls(predict_runs["b"]), base_predict)
    row("(e) loading the X table (read_matrix) [s]", loads, None)
    row("(f) mask_zero model: model.predict (batch 1024) [s]", padding["predict_plain_s"],
        summary(padding["predict_plain_s"])[0])
    row("(f) mask_zero model: padding skipped [s]", padding["predict_skipping_s"],
        summary(padding["predict_plain_s"])[0])
    lines += [
        f"(f) padding skipped vs model.predict: largest difference {padding['max_abs_difference']:.2e}, "
        f"labels agree on {padding['labels_agree']:.4%}; the test table is {padding['test_padding_share']:.1%} padding",
        f"(g) training with random batches of 128: a batch needs {padding['train_steps_needed_batch_128']:.1%} of "
        f"the columns on average, so skipping padding in training could save at most "
        f"{1 - padding['train_steps_needed_batch_128']:.1%} of the LSTM steps (not implemented)",
        f"predictions of (d): tool and bare agree on {agreement:.4%} of rows",
    ]
    for title, runs in (("training tool (a)", train_runs["a"]), ("prediction tool (d)", predict_runs["a"])):
        lines += ["", f"profile of the {title}, median seconds per phase:"]
        lines += [f"  {name:<40}{seconds:9.2f}" for name, seconds in profile(runs).items()]
    text = "\n".join(lines)
    print("\n" + text)
    (out / "benchmark.txt").write_text(text + "\n")
    (out / "benchmark.json").write_text(json.dumps(
        {"train": {key: [{k: v for k, v in r.items() if k != "output"} for r in value]
                   for key, value in train_runs.items()},
         "predict": {key: [{k: v for k, v in r.items() if k != "output"} for r in value]
                     for key, value in predict_runs.items()},
         "table_load_s": loads, "padding": padding, "galaxy_ml": gml_status}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
