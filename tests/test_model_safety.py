"""Model files: safe loading, corrupt and malicious files."""

import json
import zipfile

import pytest
from conftest import TEST_DATA

from galaxy_keras.errors import UserError
from galaxy_keras.keras_env import keras
from galaxy_keras.model_io import ModelMeta, load_model, read_model_json, save_model
from galaxy_keras.safety import check_config


def small_model():
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])


def test_round_trip_keeps_meta_and_plain_keras_loads_it(tmp_path):
    path = tmp_path / "model.dat"
    save_model(small_model(), path, ModelMeta("classifier", {"epochs": 3}, ["a", "b"], True))
    model, meta = load_model(path)
    assert meta.classes == ["a", "b"] and meta.fit["epochs"] == 3 and meta.trained
    assert model.output_shape == (None, 2)
    renamed = tmp_path / "copy.keras"
    renamed.write_bytes(path.read_bytes())
    assert keras.saving.load_model(renamed).output_shape == (None, 2)


def test_lambda_model_file_is_refused():
    with pytest.raises(UserError, match="'Lambda' object, which can run code"):
        load_model(TEST_DATA / "lambda_model.keras")


def test_corrupt_and_non_model_files(tmp_path):
    with pytest.raises(UserError, match="the model file"):
        load_model(TEST_DATA / "corrupt_model.keras")
    text = tmp_path / "text.dat"
    text.write_text("hello")
    with pytest.raises(UserError, match="not a Keras 3 .keras archive"):
        load_model(text)
    archive = tmp_path / "other.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("readme.txt", "x")
    with pytest.raises(UserError, match="has a member 'readme.txt', which a model file of these tools does not have"):
        load_model(archive)
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("metadata.json", "{}")
    with pytest.raises(UserError, match="no config.json"):
        load_model(archive)


def test_unsafe_member_names_are_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("config.json", "{}")
        handle.writestr("../../etc/evil", "x")
    with pytest.raises(UserError, match="has a member '../../etc/evil', which a model file of these tools does not"):
        load_model(archive)


@pytest.mark.parametrize("node, message", [
    ({"class_name": "Lambda", "module": "keras.layers", "config": {}}, "'Lambda' object"),
    ({"class_name": "system", "module": "os", "config": {}}, "from module 'os', outside Keras"),
    ({"class_name": "MyLayer", "module": "keras.layers", "registered_name": "Custom>MyLayer"},
     "'MyLayer' object, which these tools do not build"),
    ({"class_name": "Dense", "module": "keras.layers", "registered_name": "Custom>MyLayer"},
     "custom object 'Custom>MyLayer' for 'Dense'"),
    ({"class_name": "function", "module": "keras.activations", "config": {"code": "..."}}, "serialised Python code"),
    ({"class_name": "TFSMLayer", "module": "keras.layers"}, "'TFSMLayer' object"),
])
def test_check_config_refuses_code(node, message):
    config = {"class_name": "Sequential", "module": "keras", "config": {"layers": [node]}}
    with pytest.raises(UserError, match=message):
        check_config(config)


def test_check_config_accepts_the_tutorial_model():
    check_config(json.loads((TEST_DATA / "tutorial_model.json").read_text()))


def test_read_model_json_refuses_foreign_module():
    with pytest.raises(UserError, match="outside Keras"):
        read_model_json(TEST_DATA / "malicious_module_model.json")
    with pytest.raises(UserError, match="not a Keras model JSON"):
        read_model_json(TEST_DATA / "not_a_model.json")
