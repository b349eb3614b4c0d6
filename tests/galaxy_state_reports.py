"""Galaxy's own import check of the workflow states in test-data, run once for the whole test session.

tests/galaxy_state_check.py needs Galaxy's Python, and importing Galaxy and making its mock app
costs about 12 CPU seconds a process: one process checks every (tool, states file) pair below, for
all the tests that ask (the ``galaxy_import_reports`` fixture in conftest.py). Under pytest-xdist
the workers share one run through a file in the session's common temporary folder: the first
worker to ask runs the check while holding a lock, the others wait for it and read its report.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GALAXY_PYTHON = ROOT / ".venv" / "galaxy" / "bin" / "python"
GTN = "gtn"  # the tool's steps in the GTN tutorials' Galaxy-ML workflows (tests/data/gtn_galaxy_ml_workflows.json)
# Report name -> (tool id, its states file in test-data/, None for the tool's steps in this suite's own
# workflows/*.ga, or GTN): every state a test imports with Galaxy's own code.
CHECKS = {
    "keras_model_builder gtn": ("keras_model_builder", GTN),
    "keras_train_and_eval gtn": ("keras_train_and_eval", GTN),
    "keras_model_config": ("keras_model_config", "config_galaxy_ml_states.json"),
    "keras_model_config workflows": ("keras_model_config", None),
    "model_prediction": ("model_prediction", "viz_prediction_galaxy_ml_states.json"),
    "sklearn_to_categorical": ("sklearn_to_categorical", "categorical_galaxy_ml_states.json"),
    "ml_visualization_ex": ("ml_visualization_ex", "viz_galaxy_ml_states.json"),
}


def workflow_states(tool_id: str) -> dict[str, dict]:
    """The steps of ``tool_id`` in this suite's workflows, as the .ga files store them."""
    states = {}
    for path in sorted((ROOT / "workflows").glob("*/*.ga")):
        for index, step in json.loads(path.read_text())["steps"].items():
            if step.get("tool_id") == tool_id:
                states[f"workflow {path.stem} step {index}"] = {"tool_state": json.loads(step["tool_state"])}
    return states


def gtn_states(tool_id: str) -> dict[str, dict]:
    """The steps of ``tool_id`` in the GTN tutorials' workflows, by workflow."""
    workflows = json.loads((ROOT / "tests" / "data" / "gtn_galaxy_ml_workflows.json").read_text())["workflows"]
    return {name: {"tool_state": step["tool_state"]} for name, steps in workflows.items()
            for step in steps if step["tool"] == tool_id}


def states_file(tool_id: str, name: str | None, shared: Path) -> Path:
    if name and name != GTN:
        return ROOT / "test-data" / name
    path = shared / f"{tool_id}_{name or 'workflow'}_states.json"
    path.write_text(json.dumps(gtn_states(tool_id) if name == GTN else workflow_states(tool_id)))
    return path


def run_check(shared: Path) -> str:
    """The check's JSON output: one report a pair of CHECKS, in order."""
    pairs = [str(path) for tool_id, name in CHECKS.values()
             for path in (ROOT / "tools" / f"{tool_id}.xml", states_file(tool_id, name, shared))]
    result = subprocess.run([str(GALAXY_PYTHON), str(ROOT / "tests" / "galaxy_state_check.py"), *pairs],
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def reports(shared: Path) -> dict[str, dict]:
    """Report name -> Galaxy's report of its states; ``shared``: a folder every worker of the session sees."""
    if not GALAXY_PYTHON.exists():
        pytest.skip("Galaxy's Python (.venv/galaxy) is not installed")
    cache = shared / "galaxy_state_reports.json"
    with open(shared / "galaxy_state_reports.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not cache.exists():
            output = run_check(shared)  # a failed check writes no cache: a later test runs it again and fails too
            cache.write_text(output)
    return dict(zip(CHECKS, json.loads(cache.read_text())))
