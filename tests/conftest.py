"""Shared fixtures: the scripts on sys.path, tiny data sets, and a way to run a tool's script."""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
TEST_DATA = ROOT / "test-data"
sys.path.insert(0, str(TOOLS))
sys.path.insert(0, str(ROOT / "scripts" / "dev"))

from galaxy_keras.errors import run_tool  # noqa: E402
from tutorial_params import ALL_COLUMNS, layer, sequential  # noqa: E402,F401


class ToolRunner:
    """Runs a tool script's main() in-process, as Galaxy would run the script."""

    def __init__(self, tmp_path: Path, capsys) -> None:
        self.tmp_path = tmp_path
        self.capsys = capsys
        self.count = 0

    def params(self, params: dict) -> str:
        self.count += 1
        path = self.tmp_path / f"inputs{self.count}.json"
        path.write_text(json.dumps(params))
        return str(path)

    def __call__(self, script: str, params: dict, *args: str) -> None:
        module = importlib.import_module(script)
        module.main(["--inputs", self.params(params), *map(str, args)])

    def fails(self, script: str, params: dict, *args: str) -> str:
        """Run through run_tool, expect exit status 1, return the error line."""
        module = importlib.import_module(script)
        argv = ["--inputs", self.params(params), *map(str, args)]
        self.capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            run_tool(lambda: module.main(argv))
        assert exit_info.value.code == 1
        err = self.capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1, err
        assert err.startswith("Error: ")
        return err


@pytest.fixture
def tool(tmp_path, capsys) -> ToolRunner:
    return ToolRunner(tmp_path, capsys)


@pytest.fixture(scope="session")
def galaxy_import_reports(tmp_path_factory) -> dict[str, dict]:
    """Tool id -> Galaxy's own import report of its workflow states (tests/galaxy_state_reports.py), or skip."""
    from galaxy_state_reports import reports

    base = tmp_path_factory.getbasetemp()
    # pytest-xdist gives each worker a folder of its own inside the session's: share the session's.
    return reports(base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base)


def write_tsv(path: Path, rows, header: list[str] | None = None) -> Path:
    lines = ["\t".join(header)] if header else []
    lines += ["\t".join(str(value) for value in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def sequences(tmp_path):
    """60 sequences of length 10 over a vocabulary of 20; label 1 when token 19 occurs more than token 18."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 20, size=(60, 10))
    y = ((x == 19).sum(axis=1) > (x == 18).sum(axis=1)).astype(int)
    return write_tsv(tmp_path / "X.tsv", x), write_tsv(tmp_path / "y.tsv", y[:, None]), x, y


def builder_params(learning_type="KerasGClassifier", loss="binary_crossentropy", epochs=2, batch_size=16,
                   validation_split=0.0, seed=3, callbacks=(), optimizer="Adam", metrics=("acc",)) -> dict:
    return {"mode_selection": {
        "mode_type": "train_model", "learning_type": learning_type,
        "compile_params": {"loss": loss, "optimizer_selection": {"optimizer_type": optimizer},
                           "metrics": list(metrics)},
        "fit_params": {"epochs": epochs, "batch_size": batch_size, "validation_split": validation_split,
                       "callbacks": [{"callback_selection": c} for c in callbacks]},
        "random_seed": seed}}


def train_params(scheme="train_val", shuffle="simple", test_size=0.25, save=("save_estimator",),
                 primary="default", header2=False, selector2=None, val_size=0.2) -> dict:
    schemes = {"selected_exp_scheme": scheme,
               "test_split": {"split_algos": {"shuffle": shuffle, "test_size": test_size}},
               "metrics": {"scoring": {"primary_scoring": primary}}}
    if scheme == "train_val_test":
        schemes["val_split"] = {"split_algos": {"shuffle": shuffle, "test_size": val_size}}
    return {"experiment_schemes": schemes,
            "input_options": {"selected_input": "tabular", "header1": False, "column_selector_options_1": ALL_COLUMNS,
                              "header2": header2,
                              "column_selector_options_2": selector2 or {"selected_column_selector_option2": "all_columns"}},
            "save": list(save)}


@pytest.fixture
def built_lstm(tool, tmp_path):
    """A tiny Embedding -> LSTM -> Dense classifier, configured and built by the tools."""
    model_json = tmp_path / "model.json"
    tool("keras_model_config", sequential("(10,)", layer("Embedding", input_dim=20, output_dim=4),
                                          layer("LSTM", units=4), layer("Dense", units=1, activation="sigmoid")),
         "--outfile", model_json)
    built = tmp_path / "built.keras.dat"
    tool("keras_model_builder", builder_params(), "--model-json", model_json, "--outfile", built)
    return built


def functional(*layers: dict, **model: str) -> dict:
    """A functional model's parameters; ``model`` adds input_layers / output_layers."""
    return {"model_selection": {"model_type": "functional", "layers": list(layers), **model}}


def stored_state(tool_state: dict) -> dict:
    """A workflow step's stored tool state as the tool's inputs: without Galaxy's bookkeeping keys."""
    def strip(node):
        if isinstance(node, dict):
            return {key: strip(value) for key, value in node.items()
                    if not key.startswith("__") and key != "chromInfo"}
        if isinstance(node, list):
            return [strip(item) for item in node]
        return node

    return strip(tool_state)
