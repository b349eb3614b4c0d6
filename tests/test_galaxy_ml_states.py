"""Galaxy-ML's and the GTN tutorials' workflow states, imported into keras_model_config the way Galaxy does.

Galaxy's decoding of a stored tool state drops, without a word, every key the tool has no parameter
for (and its typed workflow-step model reports them as extra keys); the editor and an invocation
report a parameter absent from the state as a correction, filled with its default. The layer forms are
exactly Galaxy-ML 1.0.11's, so neither happens: the check finds nothing for the GTN workflows' and
Galaxy-ML's test states, nor for this suite's own workflows. It runs tests/galaxy_state_check.py with
Galaxy's own Python (the ``galaxy`` package, no server; once a test session,
tests/galaxy_state_reports.py); without it those tests are skipped.
"""

import json
import xml.etree.ElementTree as ET

import pytest
from conftest import TEST_DATA

from galaxy_keras.layer_catalog import LAYERS
from galaxy_state_reports import workflow_states

GALAXY_ML_STATES = {name: entry for name, entry in json.loads((TEST_DATA / "config_galaxy_ml_states.json")
                                                               .read_text()).items() if not name.startswith("_")}
STATES = {**GALAXY_ML_STATES, **workflow_states("keras_model_config")}


def test_the_suites_workflows_have_a_model_config_step():
    assert len(workflow_states("keras_model_config")) >= 5


@pytest.fixture(scope="module")
def imported(galaxy_import_reports):
    return {**galaxy_import_reports["keras_model_config"], **galaxy_import_reports["keras_model_config workflows"]}


def test_no_stored_value_is_dropped_or_unknown(imported):
    assert {name: (report["dropped"], report["unknown"]) for name, report in imported.items()
            if report["dropped"] or report["unknown"]} == {}


def test_galaxy_makes_no_correction_to_any_state(imported):
    """Every parameter of each chosen layer has a value in the stored state: Galaxy says nothing."""
    assert set(imported) == set(STATES)
    assert {name: report["corrections"] for name, report in imported.items() if report["corrections"]} == {}


def test_every_stored_key_is_a_parameter_of_the_form_without_galaxy():
    """The same check from the tool's XML alone (tests/galaxy_forms.py), for runs without Galaxy's Python."""
    from galaxy_forms import inputs, problems

    form = inputs("keras_model_config")
    states = {name: entry["tool_state"] for name, entry in STATES.items()}
    assert {name: problems(form, state) for name, state in states.items() if problems(form, state)} == {}


# Galaxy-ML 1.0.11's layer forms (bgruening/galaxytools tools/sklearn/keras_macros.xml, its layer_<Name> macros
# as keras_model_config.xml expands them): each layer's parameters inside layer_selection, name:type.
_CONV = "filters:integer kernel_size:text activation:select kwargs:text"
GALAXY_ML_LAYER_FORMS = {
    "Dense": "units:integer activation:select kwargs:text", "Activation": "activation:select",
    "Dropout": "rate:float kwargs:text", "Flatten": "data_format:select", "Reshape": "target_shape:text",
    "Permute": "dims:text", "RepeatVector": "n:integer", "ActivityRegularization": "l1:float l2:float",
    "Masking": "mask_value:float", "SpatialDropout1D": "rate:float", "SpatialDropout2D": "rate:float kwargs:text",
    "SpatialDropout3D": "rate:float kwargs:text",
    "Conv1D": _CONV, "Conv2D": _CONV, "Conv3D": _CONV, "SeparableConv1D": _CONV, "SeparableConv2D": _CONV,
    "Conv2DTranspose": _CONV, "Conv3DTranspose": _CONV,
    "DepthwiseConv2D": "kernel_size:text activation:select kwargs:text",
    "Cropping1D": "cropping:text", "Cropping2D": "cropping:text kwargs:text", "Cropping3D": "cropping:text kwargs:text",
    "UpSampling1D": "size:integer", "UpSampling2D": "size:text kwargs:text", "UpSampling3D": "size:text kwargs:text",
    "ZeroPadding1D": "padding:text", "ZeroPadding2D": "padding:text kwargs:text",
    "ZeroPadding3D": "padding:text kwargs:text",
    "MaxPooling1D": "pool_size:integer strides:integer kwargs:text",
    "AveragePooling1D": "pool_size:integer strides:integer kwargs:text",
    **{f"{kind}Pooling{dims}D": "pool_size:text strides:text kwargs:text" for kind in ("Max", "Average")
       for dims in (2, 3)},
    **{f"Global{kind}Pooling{dims}D": "data_format:select" for kind in ("Max", "Average") for dims in (1, 2, 3)},
    "SimpleRNN": "units:integer kwargs:text", "GRU": "units:integer kwargs:text", "LSTM": "units:integer kwargs:text",
    "CuDNNGRU": "units:integer kwargs:text", "CuDNNLSTM": "units:integer kwargs:text",
    "ConvLSTM2D": "filters:integer kernel_size:text kwargs:text",
    "Embedding": "input_dim:integer output_dim:integer kwargs:text",
    "LeakyReLU": "alpha:float",
    "PReLU": "alpha_initializer:select alpha_regularizer:text alpha_constraint:conditional shared_axes:text",
    "ELU": "alpha:float", "ThresholdedReLU": "theta:float", "Softmax": "axis:integer",
    "ReLU": "max_value:float negative_slope:float threshold_max_value:float",
    "BatchNormalization": "kwargs:text", "GaussianNoise": "stddev:float", "GaussianDropout": "rate:float",
    "AlphaDropout": "rate:float kwargs:text",
    # functional models only
    "Input": "shape:text name:text dtype:select sparse:boolean",
    **{merge: "merging_layers:text" for merge in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")},
    "Concatenate": "merging_layers:text axis:integer", "Dot": "merging_layers:text axis:text normalize:boolean",
}
# PReLU's alpha_constraint: the constraint_type's cases and the parameters of their constraint_options section.
GALAXY_ML_CONSTRAINT_CASES = {"None": set(), "NonNeg": set(), "MaxNorm": {"max_value:float", "axis:text"},
                              "UnitNorm": {"axis:text"},
                              "MinMaxNorm": {"min_value:float", "max_value:float", "rate_max_value:float", "axis:text"}}
# Functional entries: inbound_nodes (Galaxy-ML's inbound_nodes_index macro, through each layer macro's yield) for
# every layer but Input, the merge layers and those whose macro has no yield.
GALAXY_ML_NO_INBOUND_NODES = {"Input", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
                              "Dot", "Activation", "RepeatVector", "BatchNormalization", "GaussianNoise",
                              "GaussianDropout", "AlphaDropout"}


def _cases(model_type: str) -> dict[str, ET.Element]:
    from galaxy_forms import inputs

    model = inputs("keras_model_config").find("conditional[@name='model_selection']")
    when = model.find(f"when[@value='{model_type}']")
    layer = when.find("repeat[@name='layers']")
    assert [item.get("name") for item in layer] == ["layer_selection"]  # nothing beside it
    return {case.get("value"): case for case in layer.find("conditional[@name='layer_selection']").findall("when")}


def _shape(case: ET.Element) -> set[str]:
    return {f"{item.get('name')}:{item.get('type') or item.tag}" for item in case
            if item.tag in ("param", "conditional", "section", "repeat")}


def test_galaxy_mls_layers_are_exactly_those_of_galaxy_ml_that_keras_3_has():
    assert {name for name, spec in LAYERS.items() if spec.galaxy_ml} == set(GALAXY_ML_LAYER_FORMS)


@pytest.mark.parametrize("model_type", ["sequential", "functional"])
def test_each_galaxy_ml_layer_has_exactly_galaxy_mls_parameters(model_type):
    cases = _cases(model_type)
    for name, form in GALAXY_ML_LAYER_FORMS.items():
        if name not in cases:
            assert model_type == "sequential" and LAYERS[name].functional_only, name
            continue
        expected = set(form.split())
        if model_type == "functional" and name not in GALAXY_ML_NO_INBOUND_NODES:
            # Galaxy-ML's inbound_nodes is an integer; here a text that also takes a list (attention layers)
            expected.add("inbound_nodes:text")
        assert _shape(cases[name]) == expected, (model_type, name)


def test_prelus_constraint_choice_is_galaxy_mls():
    constraint = _cases("sequential")["PReLU"].find("conditional[@name='alpha_constraint']")
    assert [item.get("name") for item in constraint.findall("param")] == ["constraint_type"]
    found = {}
    for case in constraint.findall("when"):
        sections = case.findall("section")
        assert [item.get("name") for item in sections] in ([], ["constraint_options"]), case.get("value")
        found[case.get("value")] = _shape(sections[0]) if sections else set()
    assert found == GALAXY_ML_CONSTRAINT_CASES
