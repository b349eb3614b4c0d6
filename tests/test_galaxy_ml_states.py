"""Galaxy-ML's and the GTN tutorials' workflow states, imported into keras_model_config the way Galaxy does.

Galaxy's decoding of a stored tool state drops, without a word, every key the tool has no parameter
for (and its typed workflow-step model reports them as extra keys); the editor and an invocation
report a parameter absent from the state as a correction, filled with its default. The check runs
tests/galaxy_state_check.py with Galaxy's own Python (the ``galaxy`` package, no server; once a test
session, tests/galaxy_state_reports.py); without it the test is skipped.
"""

import json

import pytest
from conftest import TEST_DATA

# Parameters this tool has and Galaxy-ML's did not: a Galaxy-ML state has no value for them, so Galaxy
# fills in their defaults (which keep Galaxy-ML's meaning) and says so once, until the workflow is saved.
NOT_IN_GALAXY_ML = {"kwargs", "layer_options", "strides", "padding", "mask_zero", "activation", "return_sequences",
                    "inbound_nodes"}


@pytest.fixture(scope="module")
def imported(galaxy_import_reports):
    return galaxy_import_reports["keras_model_config"]  # test-data/config_galaxy_ml_states.json


def test_no_stored_value_is_dropped_or_unknown(imported):
    assert {name: (report["dropped"], report["unknown"]) for name, report in imported.items()
            if report["dropped"] or report["unknown"]} == {}


def test_the_only_corrections_are_defaults_for_parameters_galaxy_ml_did_not_have(imported):
    for name, report in imported.items():
        for path, message in report["corrections"].items():
            assert message.startswith("No value found"), (name, path, message)
            parts = path.split("|")
            assert NOT_IN_GALAXY_ML & set(parts), (name, path)


def test_every_stored_key_is_a_parameter_of_the_form_without_galaxy():
    """The same check from the tool's XML alone (tests/galaxy_forms.py), for runs without Galaxy's Python."""
    from galaxy_forms import inputs, problems

    form = inputs("keras_model_config")
    states = {name: entry["tool_state"] for name, entry in json.loads(
        (TEST_DATA / "config_galaxy_ml_states.json").read_text()).items() if not name.startswith("_")}
    assert {name: problems(form, state) for name, state in states.items() if problems(form, state)} == {}
