"""Bad input, as Galaxy runs the tools: real processes, one-line errors, nothing left behind.

Each case (tests/bad_inputs/<tool>.py) runs a tool's script in a fresh Python
process, in a job folder of its own with Galaxy's pre-created (empty) output
files, TMPDIR pointing at a folder of its own, and its data segment limited
(``bad_inputs.MEMORY_LIMIT``). It checks exit status 1, exactly one line on
stderr that starts with "Error:" and holds the expected reason, that the job
folder and TMPDIR hold nothing afterwards (no output, no ``.part`` file, no
temporary folder), and that a canary file and folder outside the job are as
they were.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

import bad_inputs

PYTHON = sys.executable
CANARY_TEXT = "a file outside the job that no tool may touch\n"


def all_cases() -> dict[str, bad_inputs.Case]:
    cases = {}
    for module in bad_inputs.TOOL_MODULES:
        for name, case in importlib.import_module(f"bad_inputs.{module}").CASES.items():
            cases[f"{module}: {name}"] = case
    return cases


CASES = all_cases()


def make_canary(folder: Path) -> Path:
    folder.mkdir()
    (folder / "keep.txt").write_text(CANARY_TEXT)
    (folder / "inner").mkdir()
    return folder


def canary_intact(folder: Path) -> bool:
    return ((folder / "keep.txt").read_text() == CANARY_TEXT and (folder / "inner").is_dir()
            and sorted(p.name for p in folder.iterdir()) == ["inner", "keep.txt"])


def run_case(case: bad_inputs.Case, tmp_path: Path) -> tuple[subprocess.CompletedProcess, Path, Path, Path]:
    job, made, tmp = tmp_path / "job", tmp_path / "inputs", tmp_path / "tmp"
    for folder in (job, made, tmp):
        folder.mkdir()
    canary = make_canary(tmp_path / "canary")
    params_path = made / "inputs.json"
    params_path.write_text(case.params if isinstance(case.params, str) else json.dumps(case.params))
    argv = []
    for item in case.inputs:
        if callable(item):
            item = item(made, canary)
        elif item == "EMPTY":
            item = made / "empty.tsv"
            item.write_text("")
        argv.append(str(item))
    for i, option in enumerate(case.outputs):
        path = job / f"output{i}.dat"
        path.write_text("")  # as Galaxy pre-creates outputs
        argv += [option, str(path)]

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_DATA, (case.memory_limit, case.memory_limit))

    env = {**os.environ, "TMPDIR": str(tmp), **case.env}
    result = subprocess.run([PYTHON, str(ROOT / "tools" / f"{case.script}.py"), "--inputs", str(params_path),
                             *argv], capture_output=True, text=True, timeout=300, cwd=job, env=env,
                            preexec_fn=limit_memory)
    return result, job, tmp, canary


@pytest.mark.parametrize("name", list(CASES), ids=list(CASES))
def test_bad_input(name, tmp_path, record_property):
    case = CASES[name]
    result, job, tmp, canary = run_case(case, tmp_path)
    record_property("error", result.stderr.strip()[-1000:])  # the JUnit report lists every message
    assert result.returncode == 1, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-3000:]
    assert lines[0].startswith("Error: ") and case.expected in lines[0], lines[0]
    assert sorted(p.name for p in job.iterdir()) == [], "left in the job folder"
    assert sorted(p.name for p in tmp.iterdir()) == [], "left in TMPDIR"
    assert canary_intact(canary), "the canary outside the job was changed"


def test_at_least_sixty_kinds_across_the_six_tools():
    scripts = {case.script for case in CASES.values()}
    assert len(CASES) >= 60, len(CASES)
    assert scripts == {"keras_model_config", "keras_model_builder", "keras_train_and_eval", "model_prediction",
                       "ml_visualization_ex", "keras_text_to_sequences"}, scripts
