#!/usr/bin/env python3
"""`make pulsar-test`: the tutorial workflow with training and prediction run on Pulsar.

Runs workflows/imdb-rnn-sentiment on the small IMDB sample twice in the running
embedded Galaxy: once as the test user (every job local) and once as the Pulsar
test user, whose training and prediction jobs TPV sends to the Pulsar server
(embedded_galaxy/job_conf.py). Then it checks, and prints one line per check:
- each job ran where TPV should have sent it: the Pulsar jobs from Pulsar's
  staging directory, with the tool's script staged there, the others from tools/;
- metrics, history, test scores and predictions are the same, byte for byte, as
  the local run's (same machine, same seed: any difference is a staging fault).
Writes results/pulsar-test.json ({"passed": N, "failed": N, "checks": [...]}).

Runs with the planemo venv's python (bioblend).
"""

from __future__ import annotations

import concurrent.futures
import json
import sys
import time
from pathlib import Path

from bioblend.galaxy import GalaxyInstance

sys.path.insert(0, str(Path(__file__).resolve().parent))
import job_conf  # noqa: E402
import pulsar_server  # noqa: E402
from galaxy_client import connect, follow_invocation, tool_step_count, upload  # noqa: E402
from galaxy_paths import RESULTS, ROOT  # noqa: E402

WORKFLOW = ROOT / "workflows" / "imdb-rnn-sentiment" / "imdb-rnn-sentiment.ga"
SAMPLES = {name: ROOT / "test-data" / f"imdb_{name}_sample.tsv" for name in ("X_train", "y_train", "X_test", "y_test")}
COMPARED = ("metrics", "training_history", "test_scores", "predictions")
REPORT = RESULTS / "pulsar-test.json"
OUT = RESULTS / "pulsar-test"
JOB_TIMEOUT_S = 900


def log(message: str) -> None:
    print(message, flush=True)


def run_workflow(gi: GalaxyInstance, label: str) -> tuple[dict[str, bytes], list[dict]]:
    """Upload the samples, invoke the workflow, return its compared outputs and its jobs."""
    started = time.monotonic()
    history_id = gi.histories.create_history(f"pulsar-test: {label}")["id"]
    # One fetch request for the four small tables, pasted: one upload job, not four.
    elements = [{"src": "pasted", "paste_content": path.read_text(), "name": name, "ext": "tabular"}
                for name, path in SAMPLES.items()]
    inputs = {name: {"src": "hda", "id": dataset_id} for name, dataset_id in upload(gi, history_id, elements).items()}
    workflow_id = gi.workflows.import_workflow_dict(json.loads(WORKFLOW.read_text()))["id"]
    invocation = gi.workflows.invoke_workflow(workflow_id, inputs=inputs, inputs_by="name", history_id=history_id)
    jobs = list(follow_invocation(gi, invocation["id"], tool_step_count(WORKFLOW), JOB_TIMEOUT_S).values())
    outputs = gi.invocations.show_invocation(invocation["id"])["outputs"]
    files = {}
    target = OUT / label
    target.mkdir(parents=True, exist_ok=True)
    for name in COMPARED:
        path = target / f"{name}.tsv"
        gi.datasets.download_dataset(outputs[name]["id"], file_path=str(path), use_default_filename=False)
        files[name] = path.read_bytes()
    log(f"{label}: workflow finished in {time.monotonic() - started:.0f} s, {len(jobs)} jobs")
    return files, jobs


class Checks:
    def __init__(self) -> None:
        self.results: list[dict] = []

    def __call__(self, ok: bool, what: str) -> None:
        self.results.append({"ok": bool(ok), "check": what})
        log(f"{'PASS' if ok else 'FAIL'}: {what}")


def check_routing(admin: GalaxyInstance, jobs: list[dict], remote_expected: bool, label: str, check: Checks) -> None:
    """Where each job ran, from its command line as the admin API shows it.

    Galaxy clears a finished job's runner name, but the Pulsar client rewrites every path
    of the command to the Pulsar side: a command that runs the tool's script from Pulsar's
    staging directory ran there, with the script (and the galaxy_keras package it imports)
    staged by Pulsar; a local command runs tools/ in the repository.
    """
    staging = f"{pulsar_server.STAGING}/"
    for job in jobs:
        details = admin.jobs.show_job(job["id"], full_details=True)
        tool = details["tool_id"].split("/")[-2] if "/" in details["tool_id"] else details["tool_id"]
        remote = tool in job_conf.REMOTE_TOOLS and remote_expected
        command = details.get("command_line") or ""
        check(details["state"] == "ok", f"{label}: {tool} job finished ok (state {details['state']})")
        if remote:
            check(f"{staging}{details['external_id']}/tool_files/{tool}.py" in command
                  and f"{ROOT / 'tools'}/" not in command,
                  f"{label}: {tool} ran on Pulsar: script and inputs staged in Pulsar job {details['external_id']}")
        else:
            check(staging not in command and f"{ROOT / 'tools'}/{tool}.py" in command,
                  f"{label}: {tool} ran on the local runner")


def main() -> int:
    admin, local, remote = connect("admin_key"), connect("user_key"), connect("pulsar_key")
    check = Checks()
    try:
        # Both at once: most of a job's time is Galaxy's overhead, which overlaps well.
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            local_run = pool.submit(run_workflow, local, "local")
            remote_run = pool.submit(run_workflow, remote, "pulsar")
            (local_files, local_jobs), (remote_files, remote_jobs) = local_run.result(), remote_run.result()
        check_routing(admin, local_jobs, False, "local run", check)
        check_routing(admin, remote_jobs, True, "Pulsar run", check)
        for name in COMPARED:
            check(remote_files[name] == local_files[name] and local_files[name],
                  f"{name}: the Pulsar run's file equals the local run's ({len(local_files[name])} bytes)")
    except Exception as error:  # one failed check with the reason, not a traceback in the CI log
        check(False, f"the workflow runs: {type(error).__name__}: {error}")
    passed = sum(result["ok"] for result in check.results)
    failed = len(check.results) - passed
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps({"passed": passed, "failed": failed, "checks": check.results}, indent=2) + "\n")
    log(f"pulsar test: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
