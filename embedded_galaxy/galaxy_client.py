"""The scripts' one way to talk to the running embedded Galaxy, through bioblend.

Connecting with a key of keys.json (written by galaxy_serve at start-up, which
also makes the users), uploading tables in one fetch request, counting a
workflow's tool steps, and following an invocation's jobs until they end.
Runs with planemo's Python, which has bioblend (run_tutorial.py, pulsar_test.py,
galaxy_ml_import_check.py).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

from bioblend.galaxy import GalaxyInstance

from galaxy_paths import KEYS, CtlError

# A job's states after which it changes no more.
TERMINAL = frozenset({"ok", "error", "failed", "deleted", "deleted_new", "skipped"})
FAILED_UPLOAD = frozenset({"error", "failed_metadata", "discarded"})


def keys() -> dict[str, Any]:
    if not KEYS.exists():
        raise CtlError(f"{KEYS} missing: start the embedded Galaxy first (`galaxy_ctl.py start`)")
    return json.loads(KEYS.read_text())


def connect(key: str = "admin_key", timeout_s: float = 120) -> GalaxyInstance:
    """bioblend's client for the running server, as the keys.json user ``key`` names (admin_key, user_key, ...)."""
    saved = keys()
    if key not in saved:
        raise CtlError(f"{KEYS} has no {key}: restart the server (`galaxy_ctl.py stop && galaxy_ctl.py start`)")
    galaxy = GalaxyInstance(saved["url"], key=saved[key])
    galaxy.timeout = timeout_s  # seconds per HTTP request (bioblend's default waits for ever)
    return galaxy


def upload(galaxy: GalaxyInstance, history_id: str, elements: list[dict[str, Any]],
           on_ready: Callable[[str, dict], None] | None = None, poll_s: float = 2) -> dict[str, str]:
    """Upload datasets in ONE request to Galaxy's fetch API; name -> dataset id, once all are ready.

    ``elements``: fetch API elements, each with a ``name`` (pasted, by server path or URL).
    bioblend's upload_file and put_url make one upload job per dataset (4 jobs: 96 s against
    23 s for the one job, measured on the tutorial's test samples).
    """
    response = galaxy.make_post_request(f"{galaxy.url}/tools/fetch", payload={
        "history_id": history_id, "targets": [{"destination": {"type": "hdas"}, "elements": elements}]})
    ids = {output["name"]: output["id"] for output in response["outputs"]}
    pending = dict(ids)
    while pending:
        for name, dataset_id in list(pending.items()):
            dataset = galaxy.datasets.show_dataset(dataset_id)
            if dataset["state"] == "ok":
                if on_ready:
                    on_ready(name, dataset)
                del pending[name]
            elif dataset["state"] in FAILED_UPLOAD:
                raise CtlError(f"upload of {name} failed: {dataset.get('misc_info')}")
        if pending:
            time.sleep(poll_s)
    return ids


def tool_step_count(workflow: Path) -> int:
    """The number of tool steps (jobs) of a native (.ga) workflow file."""
    return sum(1 for step in json.loads(Path(workflow).read_text())["steps"].values() if step.get("tool_id"))


def follow_invocation(galaxy: GalaxyInstance, invocation_id: str, tool_steps: int, timeout_s: float,
                      on_change: Callable[[str, dict], None] | None = None, poll_s: float = 3) -> dict[str, dict]:
    """Wait until each of an invocation's ``tool_steps`` jobs has ended; step label -> its job (show_job).

    ``on_change(label, job)`` is called whenever a step's job changes state
    (to print progress, or to raise at the first failed job). A failed or
    cancelled invocation, or one not finished within ``timeout_s``, raises
    CtlError. Polled by hand: bioblend's wait_for_invocation says nothing until
    the end, and an invocation is "scheduled" before its jobs have run.
    """
    deadline = time.monotonic() + timeout_s
    states: dict[str, str] = {}
    while True:
        invocation = galaxy.invocations.show_invocation(invocation_id)
        if invocation["state"] in ("failed", "cancelled"):
            raise CtlError(f"invocation {invocation['state']}: {invocation.get('messages')}")
        jobs = {}
        for step in invocation["steps"]:
            label = step.get("workflow_step_label") or f"step {step['order_index']}"
            # Galaxy 26 gives a step's job as job_id; older releases list "jobs".
            job_ids = [step["job_id"]] if step.get("job_id") else [job["id"] for job in step.get("jobs", [])]
            for job_id in job_ids:
                job = galaxy.jobs.show_job(job_id)
                jobs[label] = job
                if states.get(label) != job["state"]:
                    states[label] = job["state"]
                    if on_change:
                        on_change(label, job)
        if invocation["state"] in ("scheduled", "completed") and len(jobs) >= tool_steps and \
                all(job["state"] in TERMINAL for job in jobs.values()):
            return jobs
        if time.monotonic() > deadline:
            raise CtlError(f"invocation {invocation_id}: jobs not finished after {timeout_s:.0f} s")
        time.sleep(poll_s)
