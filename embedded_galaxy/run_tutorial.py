#!/usr/bin/env python3
"""The main job: the GTN RNN tutorial, run as a workflow in the embedded Galaxy.

Uploads the four IMDB tables, invokes workflows/imdb-rnn-sentiment, prints a
progress line per step, downloads the metrics, predictions and confusion
matrix into results/tutorial/, and prints accuracy, precision, recall, F1 and
how long every step took, beside the tutorial's own figures.

    .venv/planemo/bin/python embedded_galaxy/run_tutorial.py [--data-dir DIR | --zenodo] [--keep-running]

Talks to Galaxy through bioblend, so it runs with planemo's Python (`make tutorial`
does); the server is started (and stopped at the end) with galaxy_serve's functions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import bioblend
import requests
from bioblend.galaxy import GalaxyInstance

from galaxy_client import connect, follow_invocation, tool_step_count, upload
from galaxy_configure import configure
from galaxy_paths import KEYS, RESULTS, ROOT, USER_EMAIL, CtlError
from galaxy_serve import server_keys, server_pid, start, stop

WORKFLOW = ROOT / "workflows" / "imdb-rnn-sentiment" / "imdb-rnn-sentiment.ga"
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "imdb" / "tutorial"
ZENODO = "https://zenodo.org/record/4477881/files/{name}.tsv"
TABLES = ("X_train", "y_train", "X_test", "y_test")
OUT = RESULTS / "tutorial"
# The GTN tutorial's confusion matrix on the 25,000 test reviews.
TUTORIAL = {"TN": 10397, "FP": 2103, "FN": 1281, "TP": 11219}
POLL_S = 3
WORKFLOW_TIMEOUT_S = 4 * 3600  # the full tutorial takes minutes; a stuck job should not hold CI for ever
REQUEST_TIMEOUT_S = 600  # per HTTP request: downloading the 25,000-row predictions included


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def upload_tables(galaxy: GalaxyInstance, history_id: str, data_dir: Path | None) -> dict[str, str]:
    """Upload the four tables (gzip is decompressed by Galaxy) in one fetch request; label -> dataset id.

    A local table goes by server path (admin only, allow_path_paste) rather than over HTTP.
    """
    elements = []
    for name in TABLES:
        if data_dir is None:
            source = {"src": "url", "url": ZENODO.format(name=name)}
        else:
            path = next((p for p in (data_dir / f"{name}.tsv.gz", data_dir / f"{name}.tsv") if p.exists()), None)
            if path is None:
                raise CtlError(f"{name}.tsv(.gz) not found in {data_dir}")
            source = {"src": "path", "path": str(path.resolve())}
        elements.append({**source, "name": name, "ext": "tabular", "dbkey": "?", "auto_decompress": True})

    def uploaded(name: str, dataset: dict) -> None:
        log(f"uploaded {name}: {dataset.get('metadata_data_lines')} rows x {dataset.get('metadata_columns')} columns")

    return upload(galaxy, history_id, elements, on_ready=uploaded, poll_s=POLL_S)


def import_workflow(galaxy: GalaxyInstance) -> str:
    """The workflow's id, importing it only when this exact file is not on the server yet.

    Each import is tagged with a hash of the file, so repeated runs reuse one copy
    instead of piling up copies in the workflow list.
    """
    text = WORKFLOW.read_text()
    tag = "file-" + hashlib.sha256(text.encode()).hexdigest()[:12]
    for existing in galaxy.workflows.get_workflows():
        if tag in existing.get("tags", []):
            return existing["id"]
    workflow = json.loads(text)
    workflow["tags"] = [*workflow.get("tags", []), tag]
    return galaxy.workflows.import_workflow_dict(workflow)["id"]


def invoke_workflow(galaxy: GalaxyInstance, workflow_id: str, history_id: str, inputs: dict[str, str]) -> str:
    """Start the workflow on the uploaded tables; returns the invocation id."""
    invocation = galaxy.workflows.invoke_workflow(
        workflow_id, history_id=history_id, inputs_by="name",
        inputs={name: {"src": "hda", "id": dataset_id} for name, dataset_id in inputs.items()},
        # Fill in parameters the workflow predates with the tools' defaults, as the web UI does.
        allow_tool_state_corrections=True)
    return invocation["id"]


def job_profile(galaxy: GalaxyInstance, job_id: str) -> tuple[float, list[str]]:
    """A finished job's run time (s) and the device, "time:" and memory lines of its standard output."""
    metrics = galaxy.jobs.get_metrics(job_id)
    runtime = next((float(m["raw_value"]) for m in metrics if m["name"] == "runtime_seconds"), float("nan"))
    details = galaxy.jobs.show_job(job_id, full_details=True)
    stdout = details.get("tool_stdout") or details.get("stdout") or ""
    # The device it ran on, its profile and its peak memory: what an admin sizes a destination by.
    return runtime, [line for line in stdout.splitlines() if line.startswith(("device:", "time:", "memory:"))]


def follow_tutorial(galaxy: GalaxyInstance, invocation_id: str) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Print a line whenever a step's job changes state; stop at the first failed job.

    Returns step label -> job run time (s), and step label -> the "time:" lines
    (the tools' own profile) of the job's standard output.
    """
    timings: dict[str, float] = {}
    profiles: dict[str, list[str]] = {}

    def changed(label: str, job: dict) -> None:
        log(f"{label}: {job['state']}")
        if job["state"] == "error":
            details = galaxy.jobs.show_job(job["id"], full_details=True)
            raise CtlError(f"{label} failed: {(details.get('stderr') or '').strip()[-500:]}")
        if job["state"] == "ok":
            timings[label], profile = job_profile(galaxy, job["id"])
            if profile:
                profiles[label] = profile

    follow_invocation(galaxy, invocation_id, tool_step_count(WORKFLOW), WORKFLOW_TIMEOUT_S, changed, POLL_S)
    return timings, profiles


def download(galaxy: GalaxyInstance, dataset_id: str, target: Path) -> None:
    galaxy.datasets.download_dataset(dataset_id, file_path=str(target), use_default_filename=False)


def confusion_counts(y_test: Path, predictions: Path) -> dict[str, int]:
    truth = y_test.read_text().split()
    predicted = predictions.read_text().split()[1:]  # header "predicted"
    if len(truth) != len(predicted):
        raise CtlError(f"{len(truth)} true labels but {len(predicted)} predictions")
    counts = {"TN": 0, "FP": 0, "FN": 0, "TP": 0}
    for t, p in zip(truth, predicted):
        counts[("T" if t == p else "F") + ("P" if p == "1" else "N")] += 1
    return counts


def scores(counts: dict[str, int]) -> dict[str, float]:
    tp, tn, fp, fn = counts["TP"], counts["TN"], counts["FP"], counts["FN"]
    # 0 where a ratio is undefined: a model trained on a small sample may predict one class only.
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": (tp + tn) / sum(counts.values()), "precision": precision, "recall": recall, "f1": f1}


def report(counts: dict[str, int], timings: dict[str, float], profiles: dict[str, list[str]], upload_s: float,
           total_s: float) -> str:
    ours, theirs = scores(counts), scores(TUTORIAL)
    lines = ["", "test reviews        this run   GTN tutorial"]
    lines += [f"{name:<18}{counts[name]:>9,}{TUTORIAL[name]:>15,}" for name in ("TN", "FP", "FN", "TP")]
    lines += [f"{name:<18}{ours[name]:>9.4f}{theirs[name]:>15.4f}" for name in ("accuracy", "precision", "recall", "f1")]
    lines += ["", "step                seconds", f"{'upload (4 tables)':<18}{upload_s:>9.1f}"]
    lines += [f"{label:<18}{seconds:>9.1f}" for label, seconds in timings.items()]
    lines += [f"{'total':<18}{total_s:>9.1f}"]
    for label, profile in profiles.items():
        lines += ["", f"inside the {label} job (the tool's own profile):"]
        lines += ["  " + line.removeprefix("time:").strip() for line in profile]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data-dir", type=Path, default=DEFAULT_DATA,
                        help="folder with X_train, y_train, X_test, y_test (.tsv or .tsv.gz)")
    source.add_argument("--zenodo", action="store_true", help="download the tables from Zenodo record 4477881")
    parser.add_argument("--keep-running", action="store_true", help="leave Galaxy running afterwards")
    parser.add_argument("--serve", action="store_true",
                        help="only upload the tables and import the workflow, then leave Galaxy running for a person")
    args = parser.parse_args(argv)
    started_here = not server_pid()
    started = time.monotonic()
    try:
        if started_here:
            log("starting the embedded Galaxy")
            configure()
            start()
        keys = server_keys()
        galaxy = connect("admin_key", REQUEST_TIMEOUT_S)
        history = galaxy.histories.create_history(f"IMDB RNN tutorial {time.strftime('%Y-%m-%d %H:%M')}")
        log(f"uploading the IMDB tables from {'Zenodo' if args.zenodo else args.data_dir}")
        upload_started = time.monotonic()
        inputs = upload_tables(galaxy, history["id"], None if args.zenodo else args.data_dir)
        upload_s = time.monotonic() - upload_started
        workflow_id = import_workflow(galaxy)
        if args.serve:
            print(f"\nGalaxy is running at {keys['url']} with the tools, the IMDB tables (history "
                  f"'{history['name']}') and the workflow.\nLog in as {keys.get('user_email', USER_EMAIL)} "
                  f"(password in {KEYS.relative_to(ROOT)}); stop it with `make galaxy-stop`.")
            return 0
        log("invoking the workflow")
        invocation_id = invoke_workflow(galaxy, workflow_id, history["id"], inputs)
        timings, profiles = follow_tutorial(galaxy, invocation_id)
        OUT.mkdir(parents=True, exist_ok=True)
        outputs = galaxy.invocations.show_invocation(invocation_id)["outputs"]
        files = {"metrics": "metrics.tsv", "training_history": "training_history.tsv", "predictions": "predictions.tsv",
                 "confusion_matrix": "confusion_matrix.png", "test_scores": "test_scores.tsv",
                 "trained_model": "trained_model.keras"}
        for label, name in files.items():
            download(galaxy, outputs[label]["id"], OUT / name)
        download(galaxy, inputs["y_test"], OUT / "y_test.tsv")
        log(f"downloaded the outputs into {OUT.relative_to(ROOT)}/")
        counts = confusion_counts(OUT / "y_test.tsv", OUT / "predictions.tsv")
        text = report(counts, timings, profiles, upload_s, time.monotonic() - started)
        (OUT / "summary.txt").write_text(text.strip() + "\n")
        (OUT / "summary.json").write_text(json.dumps({"confusion": counts, "scores": scores(counts),
                                                      "tutorial": TUTORIAL, "step_seconds": timings,
                                                      "tool_profiles": profiles,
                                                      "upload_seconds": upload_s}, indent=2))
        print("\nheld-out metrics (20% of the training reviews):\n" + (OUT / "metrics.tsv").read_text() + text)
    except CtlError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except (requests.RequestException, bioblend.ConnectionError, bioblend.TimeoutException) as err:
        print(f"error: Galaxy API call failed: {err}", file=sys.stderr)
        return 1
    finally:
        if started_here and not (args.keep_running or args.serve):
            stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
