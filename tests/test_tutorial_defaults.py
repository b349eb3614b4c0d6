"""A person who follows the GTN RNN tutorial's hands-on boxes trains what the tutorial's workflow trains.

The hands-on boxes set some fields; every other field keeps the form's
default. Each stored value of the tutorial's workflow (Intro_To_RNN_v1_0_10_0.ga, its steps in
tests/data/gtn_galaxy_ml_workflows.json) that a hands-on box does not set is
compared with the form's default; where they differ, the field's help must say
what the tutorial did (and so why the default is what it is).
"""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from form_defaults import Difference, differences
from galaxy_forms import inputs

# {tool id: stored state} of the tutorial workflow's steps (the same data the Galaxy import check uses).
STATES = {step["tool"]: step["tool_state"] for step in json.loads(
    (ROOT / "tests" / "data" / "gtn_galaxy_ml_workflows.json").read_text())["workflows"]["gtn_rnn"]}
TOOLS = ("keras_model_config", "keras_model_builder", "keras_train_and_eval", "model_prediction",
         "ml_visualization_ex")

# The fields the tutorial's hands-on boxes set (topics/statistics/tutorials/RNN/tutorial.md), by tool.
LAYER = "model_selection|layers|layer_selection|"
HANDS_ON = {
    "keras_model_config": {"model_selection|model_type", "model_selection|input_shape", LAYER + "layer_type",
                           LAYER + "input_dim", LAYER + "output_dim", LAYER + "units", LAYER + "activation"},
    "keras_model_builder": {"mode_selection|mode_type", "mode_selection|learning_type",
                            "mode_selection|compile_params|loss",
                            "mode_selection|compile_params|optimizer_selection|optimizer_type",
                            "mode_selection|compile_params|metrics", "mode_selection|fit_params|epochs",
                            "mode_selection|fit_params|batch_size"},
    "keras_train_and_eval": {"experiment_schemes|selected_exp_scheme", "input_options|selected_input",
                             "input_options|column_selector_options_1|selected_column_selector_option",
                             "input_options|column_selector_options_2|selected_column_selector_option2"},
    "model_prediction": {"method", "input_options|selected_input",
                         "input_options|column_selector_options_1|selected_column_selector_option"},
    "ml_visualization_ex": {"plotting_selection|plot_type", "plotting_selection|header_true",
                            "plotting_selection|column_selector_options_true|selected_column_selector_option"},
}
# What the comparison finds today, so that a change of a default (or of the workflow file) is seen here.
EXPECTED = {
    "keras_model_builder": {"mode_selection|fit_params|validation_split": ("0.1", "0.0"),
                            "mode_selection|fit_params|verbose": ("1", "2")},
    "keras_train_and_eval": {"experiment_schemes|metrics|scoring|primary_scoring": ("f1", "default")},
    "ml_visualization_ex": {"plotting_selection|title": ("Confusion matrix between true and predicted labels", ""),
                            "plotting_selection|plot_color": ("Greens", "Blues")},
}


def unset_by_hands_on(tool: str) -> list[Difference]:
    return [found for found in differences(inputs(tool), STATES[tool]) if found.path not in HANDS_ON[tool]]


@pytest.mark.parametrize("tool", TOOLS)
def test_the_differences_from_the_tutorial_workflow_are_these(tool):
    found = {item.path: (item.stored, item.default) for item in unset_by_hands_on(tool)}
    assert found == EXPECTED.get(tool, {})


@pytest.mark.parametrize("tool", TOOLS)
def test_each_difference_is_explained_in_the_fields_help(tool):
    unexplained = [f"{item.path}: the tutorial's workflow stores {item.stored!r}, the form's default is "
                   f"{item.default!r}" for item in unset_by_hands_on(tool)
                   if "tutorial" not in (item.param.get("help") or "") or str(item.stored) not in item.param.get("help")]
    assert unexplained == []


def test_the_hands_on_fields_are_compared():
    """A renamed field would otherwise drop out of the comparison without a word."""
    for tool in TOOLS:
        seen: set[str] = set()
        differences(inputs(tool), STATES[tool], seen=seen)
        assert HANDS_ON[tool] <= seen, (tool, HANDS_ON[tool] - seen)


def test_a_changed_default_is_found():
    """The comparison itself: a form whose batch_size default is the tutorial's 128 shows no difference there."""
    form = inputs("keras_model_builder")
    batch = next(item for item in form.iter("param") if item.get("name") == "batch_size")
    state = STATES["keras_model_builder"]
    paths = {item.path for item in differences(form, state)}
    assert "mode_selection|fit_params|batch_size" in paths
    batch.set("value", "128")
    assert "mode_selection|fit_params|batch_size" not in {item.path for item in differences(form, state)}
