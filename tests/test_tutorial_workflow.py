"""The tutorial workflow (the main job) and the developer scripts train with the same settings."""

from __future__ import annotations

import json

import tutorial_params as tutorial
from conftest import ROOT

WORKFLOW = ROOT / "workflows" / "imdb-rnn-sentiment" / "imdb-rnn-sentiment.ga"


def builder_state() -> dict:
    steps = json.loads(WORKFLOW.read_text())["steps"].values()
    builder = next(step for step in steps if step.get("tool_id") == "keras_model_builder")
    return json.loads(builder["tool_state"])["mode_selection"]


def test_workflow_seed_is_the_tutorial_seed():
    assert int(builder_state()["random_seed"]) == tutorial.TUTORIAL_SEED


def test_workflow_fit_settings_are_the_tutorials():
    fit = builder_state()["fit_params"]
    expected = tutorial.builder(validation_split=0.0)["mode_selection"]["fit_params"]
    assert (int(fit["epochs"]), int(fit["batch_size"]), float(fit["validation_split"])) == (
        expected["epochs"], expected["batch_size"], expected["validation_split"])
