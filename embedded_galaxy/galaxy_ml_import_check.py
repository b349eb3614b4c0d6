#!/usr/bin/env python3
"""`galaxy_ctl.py test-imports`: the GTN tutorials' Galaxy-ML workflows imported into this suite.

A server that installs this suite instead of Galaxy-ML keeps its users' workflows. This
check does what such a user does: it takes the Galaxy-ML tool steps of the published GTN FNN,
CNN and RNN workflows (tests/data/gtn_galaxy_ml_workflows.json: every value as the .ga
files store it) with only their tool ids rewritten to this suite's, imports each workflow
into the running Galaxy through the API, and reads back what Galaxy itself reports:

- tool-state corrections: the workflow editor's ``upgrade_messages`` of each step (a
  parameter with no stored value, a value the form refuses, ...) and the run form's
  ``has_upgrade_messages``; a correction means a stored value was replaced or is unknown;
- stored values that the imported step lost or holds differently: Galaxy drops a key the
  tool has no parameter for without a word, so the editor's tool state is compared with
  the stored one, value by value;
- tool errors and missing tools of a step.

Galaxy also notes that it runs this suite's tool version instead of Galaxy-ML's
(``version_changes``); that is what a rewritten tool id means, so it is printed, not judged.
One check per workflow step; writes results/import-check.json ({"passed", "failed", "checks"}).
Runs with the planemo venv's python (bioblend).
"""

from __future__ import annotations

import json
import sys
import uuid

from bioblend.galaxy import GalaxyInstance

from galaxy_client import connect
from galaxy_paths import RESULTS, ROOT

WORKFLOWS = ROOT / "tests" / "data" / "gtn_galaxy_ml_workflows.json"
REPORT = RESULTS / "import-check.json"
FIRST_TOOL_STEP = 4  # steps 0-3 are the data inputs, as in the published workflows


def native_workflow(name: str, inputs: list[str], steps: list[dict]) -> dict:
    """A Galaxy .ga dict: the data inputs, then each Galaxy-ML step with this suite's tool id."""
    ga_steps = {}
    for index, label in enumerate(inputs):
        ga_steps[str(index)] = {
            "id": index, "type": "data_input", "label": label, "name": "Input dataset", "tool_id": None,
            "tool_state": json.dumps({"optional": False, "tag": None}), "input_connections": {},
            "inputs": [{"description": "", "name": label}], "outputs": [], "annotation": "",
            "position": {"left": 0, "top": 120 * index}, "workflow_outputs": []}
    for offset, step in enumerate(steps):
        index = FIRST_TOOL_STEP + offset
        ga_steps[str(index)] = {
            "id": index, "type": "tool", "label": None, "name": step["tool"], "annotation": "",
            "tool_id": step["tool"], "tool_version": step["tool_version"],
            "tool_state": json.dumps({**step["tool_state"], "__page__": None, "__rerun_remap_job_id__": None}),
            "input_connections": {input_name: {"id": source, "output_name": output}
                                  for input_name, (source, output) in step["connections"].items()},
            "inputs": [], "outputs": [], "post_job_actions": {},
            "position": {"left": 220 * (offset + 1), "top": 0}, "workflow_outputs": [],
            # Galaxy renumbers steps on import (topological order): the uuid finds a step again.
            "uuid": str(uuid.uuid4())}
    return {"a_galaxy_workflow": "true", "format-version": "0.1", "name": f"Galaxy-ML import check: {name}",
            "annotation": "", "tags": [], "steps": ga_steps}


RUNTIME_MARKERS = ({"__class__": "RuntimeValue"}, {"__class__": "ConnectedValue"})


def imported_state(step: dict) -> dict:
    """The editor's tool_state of a step: each top-level value is itself JSON text."""
    return {key: json.loads(value) if isinstance(value, str) else value
            for key, value in (step.get("tool_state") or {}).items()}


def differences(stored, imported, path: str = "") -> dict[str, str]:
    """Every stored value that the imported state lost or holds differently (Galaxy's own keys aside)."""
    found = {}
    if isinstance(stored, dict):
        if stored in RUNTIME_MARKERS and imported in RUNTIME_MARKERS:
            return {}  # a data input: set at run time or by its connection
        if not isinstance(imported, dict):
            return {path: f"stored {json.dumps(stored)}, imported {json.dumps(imported)}"}
        for key, value in stored.items():
            where = f"{path}|{key}" if path else key
            if key.startswith("__"):
                continue
            if key not in imported:
                found[where] = f"dropped (stored {json.dumps(value)})"
            else:
                found.update(differences(value, imported[key], where))
    elif isinstance(stored, list) and stored and isinstance(stored[0], dict):
        if not isinstance(imported, list) or len(imported) != len(stored):
            return {path: f"stored {len(stored)} items, imported {json.dumps(imported)}"}
        for index, (item, kept) in enumerate(zip(stored, imported)):
            found.update(differences(item, kept, f"{path}_{index}"))
    elif stored != imported:
        found[path] = f"stored {json.dumps(stored)}, imported {json.dumps(imported)}"
    return found


def download(gi: GalaxyInstance, workflow_id: str, style: str, history_id: str) -> dict:
    """The workflow as the editor ("editor") or the run form ("run", for a history) receives it."""
    response = gi.make_get_request(f"{gi.url}/workflows/{workflow_id}/download",
                                   params={"style": style, "history_id": history_id})
    response.raise_for_status()
    return response.json()


def step_checks(gi: GalaxyInstance, name: str, workflow: dict, history_id: str) -> list[dict]:
    """One check per tool step: what the editor and the run form of the imported workflow report."""
    imported = gi.workflows.import_workflow_dict(workflow)
    try:
        editor, run_form = (download(gi, imported["id"], style, history_id) for style in ("editor", "run"))
    finally:
        gi.workflows.delete_workflow(imported["id"])
    messages = {int(index): value for index, value in (editor.get("upgrade_messages") or {}).items()}
    by_uuid = {step.get("uuid"): step for step in editor["steps"].values()}
    run_messages = {int(step["step_index"]): step["messages"] for step in run_form.get("steps", [])
                    if step.get("messages")}
    checks = []
    for index, ga_step in sorted(workflow["steps"].items(), key=lambda item: int(item[0])):
        if ga_step["type"] != "tool":
            continue
        tool_id = ga_step["tool_id"]
        step = by_uuid.get(ga_step["uuid"], {})
        order = step.get("id", -1)
        reported = dict(messages.get(order) or {})
        versions = reported.pop(step.get("name"), None)  # "using version X instead of Y": the rewrite itself
        problems = {}
        if reported:
            problems["tool-state corrections"] = reported
        if not step:
            problems["step"] = "not found in the imported workflow"
        changed = differences(json.loads(ga_step["tool_state"]), imported_state(step)) if step else {}
        if changed:
            problems["stored values lost or changed"] = changed
        if run_messages.get(order):
            problems["run form"] = run_messages[order]
        if step.get("errors"):
            problems["errors"] = step["errors"]
        if step.get("content_id") != tool_id:
            problems["tool"] = f"step runs {step.get('content_id')!r}, expected {tool_id!r}"
        checks.append({"name": f"{name} step {index} {tool_id}", "passed": not problems, "problems": problems,
                       "version_note": versions})
    return checks


def main() -> int:
    gi = connect("user_key")
    data = json.loads(WORKFLOWS.read_text())
    history = gi.histories.create_history(name="Galaxy-ML import check")
    checks = []
    try:
        for name, steps in data["workflows"].items():
            checks += step_checks(gi, name, native_workflow(name, data["inputs"], steps), history["id"])
    finally:
        gi.histories.delete_history(history["id"], purge=True)
    for check in checks:
        mark = "PASS" if check["passed"] else "FAIL"
        print(f"{mark} {check['name']}" + (f": {json.dumps(check['problems'])[:3000]}" if check["problems"] else ""))
        if check["version_note"]:
            print(f"     note: {' '.join(check['version_note'].split())}")
    passed = sum(check["passed"] for check in checks)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps({"passed": passed, "failed": len(checks) - passed, "checks": checks}, indent=1) + "\n")
    print(f"{passed} passed, {len(checks) - passed} failed")
    return 0 if checks and passed == len(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
