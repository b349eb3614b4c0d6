"""Galaxy-ML's and the GTN tutorials' workflow states, imported into keras_model_config the way Galaxy does.

Galaxy's decoding of a stored tool state drops, without a word, every key the tool has no parameter
for (and its typed workflow-step model reports them as extra keys); the editor and an invocation
report a parameter absent from the state as a correction, filled with its default. The check runs
tests/galaxy_state_check.py with Galaxy's own Python (the ``galaxy`` package, no server); without
it the test is skipped.
"""

import json
import subprocess

import pytest
from conftest import ROOT, TEST_DATA

GALAXY_PYTHON = ROOT / ".venv" / "galaxy" / "bin" / "python"
# Parameters this tool has and Galaxy-ML's did not: a Galaxy-ML state has no value for them, so Galaxy
# fills in their defaults (which keep Galaxy-ML's meaning) and says so once, until the workflow is saved.
NOT_IN_GALAXY_ML = {"kwargs", "layer_options", "strides", "padding", "mask_zero", "activation", "return_sequences",
                    "inbound_nodes"}


@pytest.fixture(scope="module")
def imported():
    if not GALAXY_PYTHON.exists():
        pytest.skip("Galaxy's Python (.venv/galaxy) is not installed")
    result = subprocess.run([str(GALAXY_PYTHON), str(ROOT / "tests" / "galaxy_state_check.py"),
                             str(ROOT / "tools" / "keras_model_config.xml"),
                             str(TEST_DATA / "config_galaxy_ml_states.json")],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


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
