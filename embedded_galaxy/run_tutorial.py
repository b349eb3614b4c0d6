#!/usr/bin/env python3
"""The main job: the GTN RNN tutorial, run as a workflow in the embedded Galaxy.

Uploads the four IMDB tables, invokes workflows/imdb-rnn-sentiment, prints a
progress line per step, downloads the metrics, predictions and confusion
matrix into results/tutorial/, and prints accuracy, precision, recall, F1 and
how long every step took, beside the tutorial's own figures.

    python3 embedded_galaxy/run_tutorial.py [--data-dir DIR | --zenodo] [--keep-running]

Standard library only, like galaxy_ctl.py; the server is started (and
stopped at the end) with galaxy_ctl's own functions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import galaxy_ctl as ctl

WORKFLOW = ctl.ROOT / "workflows" / "imdb-rnn-sentiment" / "imdb-rnn-sentiment.ga"
DEFAULT_DATA = ctl.ROOT.parent / "shared" / "data" / "imdb" / "tutorial"
ZENODO = "https://zenodo.org/record/4477881/files/{name}.tsv"
TABLES = ("X_train", "y_train", "X_test", "y_test")
OUT = ctl.RESULTS / "tutorial"
# The GTN tutorial's confusion matrix on the 25,000 test reviews.
TUTORIAL = {"TN": 10397, "FP": 2103, "FN": 1281, "TP": 11219}
POLL_S = 3
TOOL_STEPS = 5  # config, builder, train, predict, confusion matrix


class Galaxy:
    """The few API calls the tutorial needs, with the admin key."""

    def __init__(self, keys: dict) -> None:
        self.url, self.key = keys["url"], keys["admin_key"]

    def call(self, path: str, method: str = "GET", body: dict | None = None) -> object:
        try:
            return ctl.request(self.url, path, method, self.key, body, timeout=120)
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace")[:500]
            raise ctl.CtlError(f"{method} {path}: HTTP {err.code}: {detail}") from None

    def download(self, dataset_id: str, target: Path) -> None:
        req = urllib.request.Request(f"{self.url}/api/datasets/{dataset_id}/display?to_ext=data",
                                     headers={"x-api-key": self.key})
        with urllib.request.urlopen(req, timeout=600) as response, open(target, "wb") as sink:
            while chunk := response.read(1 << 20):
                sink.write(chunk)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def upload_tables(galaxy: Galaxy, history_id: str, data_dir: Path | None) -> dict[str, str]:
    """Upload the four tables (gzip is decompressed by Galaxy); returns label -> dataset id."""
    elements = []
    for name in TABLES:
        if data_dir is None:
            source = {"src": "url", "url": ZENODO.format(name=name)}
        else:
            path = next((p for p in (data_dir / f"{name}.tsv.gz", data_dir / f"{name}.tsv") if p.exists()), None)
            if path is None:
                raise ctl.CtlError(f"{name}.tsv(.gz) not found in {data_dir}")
            source = {"src": "path", "path": str(path.resolve())}
        elements.append({**source, "name": name, "ext": "tabular", "dbkey": "?", "auto_decompress": True})
    response = galaxy.call("/api/tools/fetch", "POST", {
        "history_id": history_id, "targets": [{"destination": {"type": "hdas"}, "elements": elements}]})
    ids = {output["name"]: output["id"] for output in response["outputs"]}
    wait_for_datasets(galaxy, ids)
    return ids


def wait_for_datasets(galaxy: Galaxy, ids: dict[str, str]) -> None:
    pending = dict(ids)
    while pending:
        for name, dataset_id in list(pending.items()):
            dataset = galaxy.call(f"/api/datasets/{dataset_id}")
            if dataset["state"] == "ok":
                log(f"uploaded {name}: {dataset.get('metadata_data_lines')} rows x "
                    f"{dataset.get('metadata_columns')} columns")
                del pending[name]
            elif dataset["state"] in ("error", "failed_metadata", "discarded"):
                raise ctl.CtlError(f"upload of {name} failed: {dataset.get('misc_info')}")
        time.sleep(POLL_S)


def import_workflow(galaxy: Galaxy) -> str:
    """The workflow's id, importing it only when this exact file is not on the server yet.

    Each import is tagged with a hash of the file, so repeated runs reuse one copy
    instead of piling up copies in the workflow list.
    """
    text = WORKFLOW.read_text()
    tag = "file-" + hashlib.sha256(text.encode()).hexdigest()[:12]
    for existing in galaxy.call("/api/workflows"):
        if tag in existing.get("tags", []):
            return existing["id"]
    workflow = json.loads(text)
    workflow["tags"] = [*workflow.get("tags", []), tag]
    return galaxy.call("/api/workflows", "POST", {"workflow": workflow})["id"]


def follow_invocation(galaxy: Galaxy, invocation_id: str) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Print a line whenever a step's job changes state.

    Returns step label -> job run time (s), and step label -> the "time:" lines
    (the tools' own profile) of the job's standard output.
    """
    seen: dict[str, str] = {}
    timings: dict[str, float] = {}
    profiles: dict[str, list[str]] = {}
    while True:
        invocation = galaxy.call(f"/api/invocations/{invocation_id}")
        if invocation["state"] in ("failed", "cancelled"):
            raise ctl.CtlError(f"invocation {invocation['state']}: {invocation.get('messages')}")
        jobs_done = True
        for step in invocation["steps"]:
            label = step.get("workflow_step_label") or f"step {step['order_index']}"
            # Galaxy 26 gives a step's job as job_id; older releases list "jobs".
            job_ids = [step["job_id"]] if step.get("job_id") else [job["id"] for job in step.get("jobs", [])]
            for job_id in job_ids:
                job = galaxy.call(f"/api/jobs/{job_id}")
                if seen.get(label) != job["state"]:
                    seen[label] = job["state"]
                    log(f"{label}: {job['state']}")
                if job["state"] == "error":
                    details = galaxy.call(f"/api/jobs/{job['id']}?full=true")
                    raise ctl.CtlError(f"{label} failed: {(details.get('stderr') or '').strip()[-500:]}")
                if job["state"] == "ok" and label not in timings:
                    metrics = galaxy.call(f"/api/jobs/{job['id']}/metrics")
                    runtime = next((float(m["raw_value"]) for m in metrics if m["name"] == "runtime_seconds"), None)
                    timings[label] = runtime if runtime is not None else float("nan")
                    details = galaxy.call(f"/api/jobs/{job['id']}?full=true")
                    stdout = details.get("tool_stdout") or details.get("stdout") or ""
                    profile = [line for line in stdout.splitlines() if line.startswith("time:")]
                    if profile:
                        profiles[label] = profile
                jobs_done &= job["state"] in ("ok", "skipped")
        if invocation["state"] in ("scheduled", "completed") and jobs_done and len(timings) >= TOOL_STEPS:
            return timings, profiles
        time.sleep(POLL_S)


def confusion_counts(y_test: Path, predictions: Path) -> dict[str, int]:
    truth = y_test.read_text().split()
    predicted = predictions.read_text().split()[1:]  # header "predicted"
    if len(truth) != len(predicted):
        raise ctl.CtlError(f"{len(truth)} true labels but {len(predicted)} predictions")
    counts = {"TN": 0, "FP": 0, "FN": 0, "TP": 0}
    for t, p in zip(truth, predicted):
        counts[("T" if t == p else "F") + ("P" if p == "1" else "N")] += 1
    return counts


def scores(counts: dict[str, int]) -> dict[str, float]:
    tp, tn, fp, fn = counts["TP"], counts["TN"], counts["FP"], counts["FN"]
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return {"accuracy": (tp + tn) / sum(counts.values()), "precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall)}


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
    started_here = not ctl.server_pid()
    started = time.monotonic()
    try:
        if started_here:
            log("starting the embedded Galaxy")
            ctl.cmd_configure(argparse.Namespace(port=None, tools_dir=None))
            ctl.cmd_start(argparse.Namespace())
        galaxy = Galaxy(ctl.server_keys())
        history = galaxy.call("/api/histories", "POST", {"name": f"IMDB RNN tutorial {time.strftime('%Y-%m-%d %H:%M')}"})
        log(f"uploading the IMDB tables from {'Zenodo' if args.zenodo else args.data_dir}")
        upload_started = time.monotonic()
        inputs = upload_tables(galaxy, history["id"], None if args.zenodo else args.data_dir)
        upload_s = time.monotonic() - upload_started
        workflow_id = import_workflow(galaxy)
        if args.serve:
            keys = ctl.server_keys()
            print(f"\nGalaxy is running at {keys['url']} with the tools, the IMDB tables (history "
                  f"'{history['name']}') and the workflow.\nLog in as {keys.get('user_email', ctl.USER_EMAIL)} "
                  f"(password in {ctl.KEYS.relative_to(ctl.ROOT)}); stop it with `make galaxy-stop`.")
            return 0
        log("invoking the workflow")
        invocation = galaxy.call(f"/api/workflows/{workflow_id}/invocations", "POST", {
            "history_id": history["id"], "inputs_by": "name",
            # Fill in parameters the workflow predates with the tools' defaults, as the web UI does.
            "allow_tool_state_corrections": True,
            "inputs": {name: {"src": "hda", "id": dataset_id} for name, dataset_id in inputs.items()}})
        timings, profiles = follow_invocation(galaxy, invocation["id"])
        OUT.mkdir(parents=True, exist_ok=True)
        outputs = galaxy.call(f"/api/invocations/{invocation['id']}")["outputs"]
        files = {"metrics": "metrics.tsv", "training_history": "training_history.tsv", "predictions": "predictions.tsv",
                 "confusion_matrix": "confusion_matrix.png", "test_scores": "test_scores.tsv",
                 "trained_model": "trained_model.keras"}
        for label, name in files.items():
            galaxy.download(outputs[label]["id"], OUT / name)
        galaxy.download(inputs["y_test"], OUT / "y_test.tsv")
        log(f"downloaded the outputs into {OUT.relative_to(ctl.ROOT)}/")
        counts = confusion_counts(OUT / "y_test.tsv", OUT / "predictions.tsv")
        text = report(counts, timings, profiles, upload_s, time.monotonic() - started)
        (OUT / "summary.txt").write_text(text.strip() + "\n")
        (OUT / "summary.json").write_text(json.dumps({"confusion": counts, "scores": scores(counts),
                                                      "tutorial": TUTORIAL, "step_seconds": timings,
                                                      "tool_profiles": profiles,
                                                      "upload_seconds": upload_s}, indent=2))
        print("\nheld-out metrics (20% of the training reviews):\n" + (OUT / "metrics.tsv").read_text() + text)
    except ctl.CtlError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        if started_here and not (args.keep_running or args.serve):
            ctl.cmd_stop(argparse.Namespace())
    return 0


if __name__ == "__main__":
    sys.exit(main())
