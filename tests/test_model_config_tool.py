"""keras_model_config: the layer catalogue and building architectures."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT, TEST_DATA, functional, layer, sequential, stored_state

from galaxy_keras.keras_env import keras
from galaxy_keras.layer_catalog import LAYERS, SEQUENTIAL_LAYERS
from galaxy_keras.params import Params
from galaxy_keras.fields import parse_fields
from galaxy_keras.architecture import make_layer


def test_tutorial_architecture(tool, tmp_path, capsys):
    out = tmp_path / "model.json"
    tool("keras_model_config", sequential("(500, )", layer("Embedding", input_dim=10000, output_dim=32),
                                          layer("LSTM", units=100), layer("Dense", units=1, activation="sigmoid")),
         "--outfile", out)
    model = keras.models.model_from_json(out.read_text())
    assert [type(item).__name__ for item in model.layers] == ["Embedding", "LSTM", "Dense"]
    assert model.count_params() == 373_301
    assert model.input_shape == (None, 500)
    assert "Total params: 373,301" in capsys.readouterr().out


@pytest.mark.parametrize("spec", list(LAYERS.values()), ids=lambda spec: spec.name)
def test_every_catalogue_layer_instantiates_with_its_defaults(spec):
    if spec.name == "Input":
        return
    values = parse_fields(spec.fields, Params({}))
    created = make_layer(spec, values, 1)
    assert isinstance(created, keras.layers.Layer)


def test_catalogue_covers_what_users_expect():
    expected = {"Dense", "Dropout", "Flatten", "Conv1D", "Conv2D", "MaxPooling1D", "GlobalMaxPooling1D",
                "GlobalAveragePooling1D", "LSTM", "GRU", "SimpleRNN", "Bidirectional", "Embedding",
                "LeakyReLU", "PReLU", "BatchNormalization", "LayerNormalization", "GaussianNoise",
                "MultiHeadAttention", "Concatenate", "Add"}
    assert expected <= set(LAYERS)
    assert "Lambda" not in LAYERS
    assert "MultiHeadAttention" not in {spec.name for spec in SEQUENTIAL_LAYERS}


def test_mask_zero_and_conv_text_model(tool, tmp_path):
    out = tmp_path / "model.json"
    tool("keras_model_config", sequential("(50,)", layer("Embedding", input_dim=100, output_dim=8,
                                                         kwargs="mask_zero=True"),
                                          layer("Bidirectional", layer="GRU", units=4, return_sequences=True),
                                          layer("Conv1D", filters=4, kernel_size="3", activation="relu"),
                                          layer("GlobalMaxPooling1D"),
                                          layer("Dense", units=3, activation="softmax")),
         "--outfile", out)
    config = json.loads(out.read_text())
    assert config["config"]["layers"][1]["config"]["mask_zero"] is True
    assert keras.models.model_from_json(out.read_text()).output_shape == (None, 3)


def test_functional_attention_model(tool, tmp_path):
    out = tmp_path / "model.json"
    params = functional(
        layer("Input", shape="(12,)"),
        layer("Embedding", input_dim=30, output_dim=8),
        layer("MultiHeadAttention", num_heads=2, key_dim=4, inbound_nodes="2,2"),
        layer("LayerNormalization"),
        layer("GlobalAveragePooling1D"),
        layer("Dense", units=1, activation="sigmoid"),
    )
    tool("keras_model_config", params, "--outfile", out)
    model = keras.models.model_from_json(out.read_text())
    assert model.output_shape == (None, 1)
    assert any(type(item).__name__ == "MultiHeadAttention" for item in model.layers)


@pytest.mark.parametrize("params, message", [
    (sequential("(10,)", layer("LSTM", units=4)), "layer 1 \\(LSTM\\) does not fit"),
    (sequential("(10,)"), "the model has no layers"),
    (sequential("ten", layer("Dense", units=1)), "input_shape must be whole numbers"),
    (sequential("(10,)", layer("Lambda")), "must be one of"),
    (sequential("(10,)", layer("LocallyConnected1D", filters=2)), "Keras 3 removed locally connected layers; Conv1D"),
    (sequential("(5, 3)", layer("LSTMCell", units=2)), "a recurrent cell is no layer of its own; LSTM runs it"),
    (sequential("(10,)", layer("Dense", units=0)), "must be at least 1"),
    (sequential("(10,)", layer("Dense", units=2, activation="__import__('os').system('x')")), "must be one of"),
    ({"model_selection": {"model_type": "functional", "layers": [layer("Dense", units=1)]}}, "starts with an Input"),
    (functional(layer("Input", shape="(3,)"), layer("Dense", units=1, inbound_nodes="5")),
     "layer 2 \\(Dense\\): inbound_nodes may only name earlier layers \\(1 to 1\\), got 5"),
    # inbound_nodes beside layer_selection (this tool's place before 3.15.0+galaxy2) is no parameter any more
    (functional(layer("Input", shape="(3,)"), {**layer("Dense", units=1), "inbound_nodes": "1"}),
     "unknown parameter 'model_selection\\|layers_1\\|inbound_nodes'"),
    (functional(layer("Input", shape="(3,)", inbound_nodes="1"), layer("Dense", units=1)),
     "unknown parameter 'model_selection\\|layers_0\\|layer_selection\\|inbound_nodes'"),
    # Galaxy-ML gave Activation (and RepeatVector, BatchNormalization, the noise layers) no inbound_nodes
    (functional(layer("Input", shape="(3,)"), layer("Activation", activation="relu", inbound_nodes="1")),
     "unknown parameter 'model_selection\\|layers_1\\|layer_selection\\|inbound_nodes'"),
    # fields of earlier versions that Galaxy-ML's form does not have: their values go into kwargs now
    (sequential("(10,)", layer("Embedding", input_dim=20, output_dim=4, mask_zero=True)),
     "unknown parameter 'model_selection\\|layers_0\\|layer_selection\\|mask_zero'"),
    (sequential("(5, 3)", layer("LSTM", units=2, return_sequences=True)),
     "unknown parameter 'model_selection\\|layers_0\\|layer_selection\\|return_sequences'"),
    (sequential("(10,)", layer("Dense", units=2, layer_options={"use_bias": False})),
     "unknown parameter 'model_selection\\|layers_0\\|layer_selection\\|layer_options'"),
    (sequential("(8, 8, 1)", layer("Conv2D", filters=2, kernel_size="3", padding="same")),
     "unknown parameter 'model_selection\\|layers_0\\|layer_selection\\|padding'"),
    (sequential("(10,)", layer("Reshape", target_shape="(5, 2)", kwargs="dtype='float32'")),
     "unknown parameter 'model_selection\\|layers_0\\|layer_selection\\|kwargs'"),
    (functional(layer("Input", shape="(3,)"), layer("Dense", units=1, inbound_nodes="1"),
                layer("Dense", units=1, inbound_nodes="1"), layer("Add")),
     "layer 4 \\(Add\\) merges layers: give their numbers in 'Layers to merge' \\(merging_layers\\)"),
    (functional(layer("Input", shape="(3,)"), layer("Dense", units=1), input_layers="[2]"),
     "input_layers names layer 2 \\(Dense\\), which is not an Input layer"),
    (functional(layer("Input", shape="(3,)"), layer("Dense", units=1), output_layers="[4, 10]"),
     "output_layers names layer 4, but the model has layers 1 to 2"),
    (functional(layer("Input", shape="(3,)"), layer("Dense", units=1), output_layers="two"),
     "output_layers must be layer numbers separated by commas, like 2 or 2,3 or \\[2, 3\\]"),
    (functional(layer("Input", shape="(3,)", name="x/y"), layer("Dense", units=1)),
     "parameter 'name' must be letters, digits"),
    (functional(layer("Input", shape="(3,)"), layer("Dense", units=1, merging_layers="1")),
     "unknown parameter 'model_selection\\|layers_1\\|layer_selection\\|merging_layers'"),
])
def test_bad_architectures(tool, tmp_path, params, message):
    out = tmp_path / "model.json"
    err = tool.fails("keras_model_config", params, "--outfile", out)
    assert pytest.importorskip("re").search(message, err), err
    assert not out.exists()


def test_form_macros_are_generated_from_the_catalogue():
    import subprocess
    import sys

    from conftest import ROOT

    result = subprocess.run([sys.executable, str(ROOT / "scripts/dev/generate_form_macros.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_requirements_match_macros():
    import subprocess
    import sys

    from conftest import ROOT

    result = subprocess.run([sys.executable, str(ROOT / "scripts/dev/sync_requirements.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_tutorial_fixture_is_current():
    config = json.loads((TEST_DATA / "tutorial_model.json").read_text())
    assert [item["class_name"] for item in config["config"]["layers"]] == ["InputLayer", "Embedding", "LSTM", "Dense"]


GALAXY_ML_STATES = {name: entry for name, entry in json.loads((TEST_DATA / "config_galaxy_ml_states.json").read_text())
                    .items() if not name.startswith("_")}


@pytest.mark.parametrize("name", sorted(GALAXY_ML_STATES))
def test_galaxy_ml_and_gtn_workflow_states_build_with_every_value_read(tool, tmp_path, name):
    """The keras_model_config states of the GTN tutorials' workflows and Galaxy-ML's tests, as stored.

    The tool refuses any key it does not read (Params.refuse_unread), so a build is proof that no
    stored value was ignored.
    """
    out = tmp_path / "model.json"
    tool("keras_model_config", stored_state(GALAXY_ML_STATES[name]["tool_state"]), "--outfile", out)
    assert keras.models.model_from_json(out.read_text()).count_params() > 0


def test_the_cnn_tutorials_kwargs_padding_same_keeps_the_image_size(tool, tmp_path):
    out = tmp_path / "model.json"
    tool("keras_model_config", stored_state(GALAXY_ML_STATES["cnn_kwargs_same"]["tool_state"]), "--outfile", out)
    convs = [item for item in keras.models.model_from_json(out.read_text()).layers if type(item).__name__ == "Conv2D"]
    assert [conv.padding for conv in convs] == ["same", "same"]
    assert [tuple(conv.output.shape) for conv in convs] == [(None, 28, 28, 64), (None, 14, 14, 32)]


def test_galaxy_ml_functional_test_keeps_its_inputs_outputs_and_names(tool, tmp_path, capsys):
    out = tmp_path / "model.json"
    tool("keras_model_config", stored_state(GALAXY_ML_STATES["galaxy_ml_test_2"]["tool_state"]), "--outfile", out)
    model = keras.models.model_from_json(out.read_text())
    assert [tensor.name for tensor in model.inputs] == ["main_input", "aux_input"]
    assert [tuple(tensor.shape) for tensor in model.outputs] == [(None, 1), (None, 1)]
    assert model.inputs[0].dtype == "int32"
    assert [type(item).__name__ for item in model.layers] == [
        "InputLayer", "Embedding", "LSTM", "Dense", "InputLayer", "Concatenate", "Dense", "Dense", "Dense", "Dense"]
    assert "Note: layer 2 (Embedding): kwargs input_length=100 is a Keras 2 argument; it is left out" \
        in capsys.readouterr().out


@pytest.mark.parametrize("inputs, outputs", [("[1]", "[3]"), ("1", "3"), ("", ""), ("[ ]", "[]")])
def test_model_inputs_and_outputs_in_galaxy_mls_list_form_and_this_tools(tool, tmp_path, inputs, outputs):
    out = tmp_path / "model.json"
    tool("keras_model_config", functional(layer("Input", shape="(3,)"), layer("Dense", units=2, inbound_nodes=1),
                                          layer("Dense", units=1, inbound_nodes="[2]"),
                                          input_layers=inputs, output_layers=outputs), "--outfile", out)
    assert keras.models.model_from_json(out.read_text()).output_shape == (None, 1)


def test_galaxy_mls_layers_without_inbound_nodes_take_the_layer_just_before_them(tool, tmp_path):
    out = tmp_path / "model.json"
    tool("keras_model_config", functional(layer("Input", shape="(4,)"), layer("Dense", units=3, inbound_nodes="1"),
                                          layer("BatchNormalization", kwargs="momentum=0.9"),
                                          layer("Activation", activation="relu"),
                                          layer("GaussianNoise", stddev=0.1),
                                          layer("Dense", units=2, inbound_nodes="1"),
                                          layer("Concatenate", merging_layers="[5, 6]")), "--outfile", out)
    model = keras.models.model_from_json(out.read_text())
    assert model.output_shape == (None, 5)
    batch_norm = next(item for item in model.layers if type(item).__name__ == "BatchNormalization")
    assert batch_norm.momentum == pytest.approx(0.9)
    sources = {item["name"]: sorted(set(re.findall(r"'keras_history': \['(\w+)'", str(item["inbound_nodes"]))))
               for item in json.loads(out.read_text())["config"]["layers"]}
    assert sources == {"input_1": [], "layer_2": ["input_1"], "layer_3": ["layer_2"], "layer_4": ["layer_3"],
                       "layer_5": ["layer_4"], "layer_6": ["input_1"], "layer_7": ["layer_5", "layer_6"]}


def test_what_galaxy_ml_left_to_kwargs_is_set_there(tool, tmp_path):
    """The typed fields earlier versions had beyond Galaxy-ML's form, now kwargs, reach Keras."""
    out = tmp_path / "model.json"
    tool("keras_model_config", sequential(
        "(12, 12, 1)",
        layer("Conv2D", filters=2, kernel_size="3", activation="relu",
              kwargs="strides=(2, 2), padding='same', kernel_initializer='he_normal', use_bias=False"),
        layer("MaxPooling2D", pool_size="(2, 2)", strides="", kwargs="padding='same'"),
        layer("Reshape", target_shape="(9, 2)"),
        layer("LSTM", units=3, kwargs="return_sequences=True, recurrent_dropout=0.1, activation='relu'"),
        layer("GlobalMaxPooling1D", data_format="channels_last"),
        layer("Dense", units=1, kwargs="kernel_regularizer='l2'")), "--outfile", out)
    conv, pool, _, lstm, _, dense = keras.models.model_from_json(out.read_text()).layers
    assert (conv.strides, conv.padding, conv.use_bias) == ((2, 2), "same", False)
    assert type(conv.kernel_initializer).__name__ == "HeNormal" and pool.padding == "same"
    assert lstm.return_sequences and lstm.recurrent_dropout == pytest.approx(0.1)
    assert lstm.activation.__name__ == "relu" and dense.kernel_regularizer is not None


def test_galaxy_ml_layers_that_keras_3_renamed_run_as_their_keras_3_layer(tool, tmp_path):
    out = tmp_path / "model.json"
    tool("keras_model_config", sequential("(6, 2)", layer("CuDNNLSTM", units=3, kwargs="return_sequences=True"),
                                          layer("CuDNNGRU", units=2), layer("ThresholdedReLU", theta=0.5),
                                          layer("ReLU", threshold_max_value=0.1), layer("LeakyReLU", alpha=0.2)),
         "--outfile", out)
    lstm, gru, thresholded, relu, leaky = keras.models.model_from_json(out.read_text()).layers
    assert (type(lstm).__name__, type(gru).__name__) == ("LSTM", "GRU") and lstm.return_sequences
    assert thresholded.threshold == pytest.approx(0.5) and relu.threshold == pytest.approx(0.1)
    assert leaky.negative_slope == pytest.approx(0.2)


def test_prelu_takes_galaxy_mls_regularizer_text_and_constraint_choice(tool, tmp_path):
    out = tmp_path / "model.json"
    constraint = {"constraint_type": "MinMaxNorm",
                  "constraint_options": {"min_value": 0.0, "max_value": 1.0, "rate_max_value": 0.5, "axis": "[0]"}}
    tool("keras_model_config", sequential("(4, 3)", layer("PReLU", alpha_initializer="constant",
                                                          alpha_regularizer="(0.01, 0.)", alpha_constraint=constraint,
                                                          shared_axes="[1]"),
                                          layer("Cropping1D", cropping="(1, 1)"),
                                          layer("Reshape", target_shape="(2, 3, 1)"),
                                          layer("ZeroPadding2D", padding="((1, 0), (0, 1))"),
                                          layer("Flatten", data_format="channels_last")), "--outfile", out)
    prelu = json.loads(out.read_text())["config"]["layers"][1]["config"]
    assert prelu["alpha_regularizer"]["config"] == {"l1": 0.01, "l2": 0.0}
    assert prelu["alpha_constraint"]["class_name"] == "MinMaxNorm"
    assert prelu["alpha_constraint"]["config"]["rate"] == 0.5 and prelu["shared_axes"] == [1]
    assert keras.models.model_from_json(out.read_text()).output_shape == (None, 3 * 4)


def _macros() -> ET.Element:
    return ET.parse(ROOT / "tools" / "form_macros.xml").getroot()


# Galaxy-ML 1.0.11's layers with a kwargs text (its simple_kwargs macro), read from its keras_macros.xml.
GALAXY_ML_KWARGS = {"Dense", "Dropout", "SpatialDropout2D", "SpatialDropout3D", "Conv1D", "Conv2D", "SeparableConv1D",
                    "SeparableConv2D", "DepthwiseConv2D", "Conv2DTranspose", "Conv3D", "Conv3DTranspose", "Cropping2D",
                    "Cropping3D", "UpSampling2D", "UpSampling3D", "ZeroPadding2D", "ZeroPadding3D", "MaxPooling1D",
                    "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
                    "SimpleRNN", "GRU", "LSTM", "ConvLSTM2D", "CuDNNGRU", "CuDNNLSTM", "Embedding",
                    "BatchNormalization", "AlphaDropout"}
# Galaxy-ML's layers whose functional form has no inbound_nodes (their macros have no yield).
GALAXY_ML_UNCONNECTED = {"Activation", "RepeatVector", "BatchNormalization", "GaussianNoise", "GaussianDropout",
                         "AlphaDropout"}


def test_kwargs_text_where_galaxy_ml_has_one_and_on_this_suites_own_layers_with_quotes_and_brackets_let_through():
    macros = {item.get("name"): item for item in _macros() if item.get("name", "").startswith("layer_args_")}
    assert set(macros) == {f"layer_args_{name}" for name in LAYERS}
    expected = GALAXY_ML_KWARGS | {name for name, spec in LAYERS.items() if not spec.galaxy_ml}
    assert {name[len("layer_args_"):] for name, macro in macros.items()
            if macro.find("param[@name='kwargs']") is not None} == expected
    for name in expected:
        kwargs = macros[f"layer_args_{name}"].find("param[@name='kwargs']")  # layer_selection|kwargs
        valid = {item.get("value") for item in kwargs.findall("sanitizer/valid/add")}
        assert valid == {"'", '"', "[", "]"}, name


def test_each_kwargs_help_names_typical_arguments_that_the_keras_class_takes():
    from galaxy_keras.architecture import _keras_target
    from galaxy_keras.layer_kwargs import keras_arguments

    for name in GALAXY_ML_KWARGS:
        spec = LAYERS[name]
        (kwargs,) = [item for item in spec.fields if item.kind == "kwargs"]
        typical = re.search(r"Typical ones, with Keras' defaults: (.*?)\. Values:", kwargs.help).group(1)
        named = set(re.findall(r"(?:^|, )([a-z_]+)=", typical))
        assert named and named <= keras_arguments(_keras_target(spec, {})), (name, named)


def test_functional_layers_name_their_inputs_in_their_own_settings_and_sequential_ones_do_not():
    conditionals = {item.get("name"): item.find("conditional") for item in _macros()
                    if item.get("name", "").startswith("layer_selection_")}
    for when in conditionals["layer_selection_sequential"].findall("when"):
        assert when.find("param") is None, when.get("value")
    for when in conditionals["layer_selection_functional"].findall("when"):
        names = [item.get("name") for item in when.findall("param")]
        value = when.get("value")
        expected = [] if value == "Input" or value in GALAXY_ML_UNCONNECTED else \
            ["merging_layers"] if LAYERS[value].group == "Merge" else ["inbound_nodes"]
        assert names == expected, value


def test_the_tool_xml_checks_layer_lists_as_the_script_reads_them():
    from galaxy_keras.fields import INDICES_VALIDATOR

    text = (ROOT / "tools" / "keras_model_config.xml").read_text()
    token = re.search(r'<token name="@INDICES_VALIDATOR@">(.*?)</token>', text).group(1)
    assert token == INDICES_VALIDATOR
    for value in ("[4, 10]", "4,10", "[]", "[ ]", "", "1"):
        assert re.match(token, value), value
