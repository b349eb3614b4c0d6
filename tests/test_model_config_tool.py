"""keras_model_config: the layer catalogue and building architectures."""

import json

import pytest
from conftest import TEST_DATA, layer, sequential

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
    tool("keras_model_config", sequential("(50,)", layer("Embedding", input_dim=100, output_dim=8, mask_zero=True),
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
    params = {"model_selection": {"model_type": "functional", "layers": [
        {**layer("Input", shape="(12,)"), "inbound_nodes": ""},  # as Galaxy writes the empty field
        {**layer("Embedding", input_dim=30, output_dim=8)},
        {**layer("MultiHeadAttention", num_heads=2, key_dim=4), "inbound_nodes": "2,2"},
        {**layer("LayerNormalization")},
        {**layer("GlobalAveragePooling1D")},
        {**layer("Dense", units=1, activation="sigmoid")},
    ]}}
    tool("keras_model_config", params, "--outfile", out)
    model = keras.models.model_from_json(out.read_text())
    assert model.output_shape == (None, 1)
    assert any(type(item).__name__ == "MultiHeadAttention" for item in model.layers)


@pytest.mark.parametrize("params, message", [
    (sequential("(10,)", layer("LSTM", units=4)), "layer 1 \\(LSTM\\) does not fit"),
    (sequential("(10,)"), "the model has no layers"),
    (sequential("ten", layer("Dense", units=1)), "input_shape must be whole numbers"),
    (sequential("(10,)", layer("Lambda")), "must be one of"),
    (sequential("(10,)", layer("Dense", units=0)), "must be at least 1"),
    (sequential("(10,)", layer("Dense", units=2, activation="__import__('os').system('x')")), "must be one of"),
    ({"model_selection": {"model_type": "functional", "layers": [layer("Dense", units=1)]}}, "starts with an Input"),
    ({"model_selection": {"model_type": "functional", "layers": [
        layer("Input", shape="(3,)"), {**layer("Dense", units=1), "inbound_nodes": "5"}]}}, "only name earlier layers"),
    ({"model_selection": {"model_type": "functional", "layers": [
        {**layer("Input", shape="(3,)"), "inbound_nodes": "1"}, layer("Dense", units=1)]}},
     "layer 1 is an Input layer, which takes no inbound_nodes"),
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
