"""Caps on model configurations from files, layer arguments within the form's bounds, typed compile settings
and seeds (galaxy_keras.model_limits, safety, keras2_config, keras2_compile, model_io; issue 19)."""

from __future__ import annotations

import json

import pytest

from galaxy_keras import keras2_compile, model_limits, safety
from galaxy_keras.compile_catalog import SEED
from galaxy_keras.errors import UserError
from galaxy_keras.keras2_config import convert_model_config
from galaxy_keras.layer_catalog import MAX_UNITS
from galaxy_keras.model_limits import (MAX_DEPTH, MAX_LAYERS, MAX_NAME, MAX_TEXT, MAX_VALUES, check_layer_arguments,
                                       check_tree)


def nested(depth: int) -> list:
    """A list nested ``depth`` levels deep, built without recursion (json.loads would give up first)."""
    tree: list = []
    for _ in range(depth - 1):
        tree = [tree]
    return tree


def sequential(layers: list, **top) -> dict:
    return {"class_name": "Sequential", "config": {"name": "s", "layers": layers}, **top}


def dense(i: int = 0, **config) -> dict:
    return {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
            "config": {"name": f"dense_{i}", "units": 1, **config}}


# -- the caps ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 900, 200_000])
def test_depth_beyond_the_cap_is_refused_without_recursion(depth):
    with pytest.raises(UserError, match=rf"is nested too deeply .*more than {MAX_DEPTH} levels"):
        check_tree(nested(depth), "the model")


def test_depth_at_the_cap_passes_and_every_walk_handles_it():
    tree = sequential([dense(bias_constraint=nested(MAX_DEPTH - 5))])
    check_tree(tree, "the model")
    keras3 = convert_model_config({**tree, "keras_version": "2.2.4"}, "the model")
    assert keras3["config"]["layers"][0]["config"]["bias_constraint"] == nested(MAX_DEPTH - 5)


@pytest.mark.parametrize("reader", [lambda tree: safety.check_config(tree, "the model"),
                                    lambda tree: convert_model_config(tree, "the model")])
def test_readers_that_recurse_check_the_caps_first(reader):
    """A 100,000-deep tree handed to them directly (not through load_json) is refused, not a RecursionError."""
    tree = sequential([dense(bias_constraint=nested(100_000))], keras_version="2.2.4")
    with pytest.raises(UserError, match="nested too deeply"):
        reader(tree)


def test_layer_count_cap_counts_nested_models_and_bare_keras2_lists():
    check_tree(sequential([dense(i) for i in range(MAX_LAYERS)]), "the model")
    with pytest.raises(UserError, match=f"has more than {MAX_LAYERS:,} layers"):
        check_tree(sequential([dense(i) for i in range(MAX_LAYERS + 1)]), "the model")
    half = MAX_LAYERS // 2
    inner = sequential([dense(i) for i in range(half)])
    with pytest.raises(UserError, match="layers"):
        check_tree(sequential([inner] + [dense(i) for i in range(half + 1)]), "the model")
    with pytest.raises(UserError, match=f"has more than {MAX_LAYERS:,} layers"):
        check_tree({"class_name": "Sequential", "config": [{}] * (MAX_LAYERS + 1)}, "the model")
    with pytest.raises(UserError, match=f"has more than {MAX_LAYERS:,} layers"):  # Galaxy-ML's params
        check_tree({"model_type": "sequential", "config": {"layers": [{}] * (MAX_LAYERS + 1)}}, "the params")


def test_value_count_cap():
    check_tree([0] * (MAX_VALUES - 1), "the model")
    with pytest.raises(UserError, match=f"holds more than {MAX_VALUES:,} values"):
        check_tree([0] * MAX_VALUES, "the model")


def test_name_and_text_caps():
    check_tree(dense(name="a" * MAX_NAME), "the model")
    with pytest.raises(UserError, match=f"has the name of {MAX_NAME + 1:,} characters"):
        check_tree(dense(name="a" * (MAX_NAME + 1)), "the model")
    check_tree(dense(dtype="a" * MAX_TEXT), "the model")
    with pytest.raises(UserError, match=f"has a text of {MAX_TEXT + 1:,} characters"):
        check_tree(dense(dtype="a" * (MAX_TEXT + 1)), "the model")
    with pytest.raises(UserError, match=f"has a key of {MAX_TEXT + 1:,} characters"):
        check_tree({"a" * (MAX_TEXT + 1): 1}, "the model")


def test_the_name_cap_fits_keras_hdf5_saving(tmp_path):
    """Keras' HDF5 saving refuses an attribute item over its header limit; a name at the cap saves."""
    from galaxy_keras.keras_env import keras
    from keras.src.legacy.saving import legacy_h5_format

    assert model_limits.HDF5_ITEM_LIMIT == legacy_h5_format.HDF5_OBJECT_HEADER_LIMIT
    assert 4 * MAX_NAME * 4 < model_limits.HDF5_ITEM_LIMIT  # four nested names, 4 UTF-8 bytes a character
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="é" * MAX_NAME)])
    model.save(tmp_path / "model.h5")
    assert (tmp_path / "model.h5").stat().st_size > 0


def test_load_json_checks_the_caps_and_long_numbers():
    with pytest.raises(UserError, match="nested too deeply"):
        safety.load_json("[" * 900 + "]" * 900, "the model")
    with pytest.raises(UserError, match="the model holds a number too long to read"):
        safety.load_json("[" + "9" * 5000 + "]", "the model")


def test_json_size_cap():
    model_limits.check_json_size(model_limits.MAX_JSON_BYTES, "the model")
    with pytest.raises(UserError, match="more than the 16 MB"):
        model_limits.check_json_size(model_limits.MAX_JSON_BYTES + 1, "the model")


# -- layer arguments: the form's bounds ------------------------------------------------------------------

@pytest.mark.parametrize("class_name, config, message", [
    ("RepeatVector", {"name": "r", "n": MAX_UNITS + 1}, rf"n={MAX_UNITS + 1}, outside the form's bounds \(from 1 "
                                                        rf"to {MAX_UNITS:,}\)"),
    ("Dense", {"name": "d", "units": 0}, "units=0, outside the form's bounds"),
    ("Dense", {"name": "d", "units": True}, "units=True, which is not a whole number"),
    ("Dense", {"name": "d", "units": 2.5}, "units=2.5, which is not a whole number"),
    ("Conv2D", {"name": "c", "filters": 2, "kernel_size": [3, 0]}, r"kernel_size=\[3, 0\], outside"),
    ("Conv2D", {"name": "c", "filters": 2, "kernel_size": 3, "strides": [1, -2]}, "strides="),  # a kwargs argument
    ("MaxPooling1D", {"name": "p", "pool_size": [MAX_UNITS + 1]}, "pool_size="),
    ("Dropout", {"name": "d", "rate": 1.5}, r"rate=1.5, outside the form's bounds \(from 0 to 1\)"),
    ("Dropout", {"name": "d", "rate": float("nan")}, "rate=nan, which is not a finite number"),
    ("Dropout", {"name": "d", "rate": 0.1, "seed": SEED.max + 1}, "seed="),
    ("Embedding", {"name": "e", "input_dim": 10, "output_dim": MAX_UNITS + 1}, "output_dim="),
    ("GRU", {"name": "g", "units": 0}, "the GRU layer 'g' has units=0"),
])
def test_layer_arguments_outside_the_form_are_refused(class_name, config, message):
    with pytest.raises(UserError, match=message):
        check_layer_arguments(class_name, config, "the model")


@pytest.mark.parametrize("class_name, config", [
    ("RepeatVector", {"n": MAX_UNITS}), ("Reshape", {"target_shape": [-1, 4]}), ("Dot", {"axes": [-1, -1]}),
    ("Softmax", {"axis": [-1, -2]}), ("ReLU", {"max_value": None}), ("Dropout", {"rate": 0, "seed": None}),
    ("MaxPooling1D", {"pool_size": [2], "strides": None}), ("Conv2D", {"filters": 2, "kernel_size": (3, 3)}),
])
def test_layer_arguments_keras_writes_pass(class_name, config):
    check_layer_arguments(class_name, config, "the model")


def test_check_config_holds_layers_to_the_form():
    with pytest.raises(UserError, match="the RepeatVector layer 'r' has n=200000000"):
        safety.check_config({"module": "keras", "class_name": "Sequential", "config": {"layers": [
            {"module": "keras.layers", "class_name": "RepeatVector", "config": {"name": "r", "n": 200_000_000}}]}},
            "the model")


# -- compile settings from files: typed ----------------------------------------------------------------

@pytest.mark.parametrize("loss, message", [
    (["mse", "mae"], "the loss is a list"), (3, "the loss is a number"), ("my.module.loss", "Python function path"),
    ({"class_name": "function", "config": "os.system", "module": "builtins"}, "'os.system' is a Python function"),
    ({"class_name": "function", "config": "mse", "module": "my_module"}, "from module 'my_module', outside"),
    ({"class_name": ["MeanSquaredError"], "config": {}}, "is an object .* that is not Keras' form of one"),
    ({"class_name": "MeanSquaredError", "config": ["x"]}, "is an object .* that is not Keras' form of one"),
])
def test_loss_of_a_training_config_is_typed(loss, message):
    with pytest.raises(UserError, match=message):
        keras2_compile.loss_of_training_config({"loss": loss})


def test_keras_forms_of_a_loss_are_read():
    function = {"class_name": "function", "config": "mean_squared_error", "module": "keras.losses"}
    assert keras2_compile.loss_of_training_config({"loss": function}) == "mean_squared_error"
    assert keras2_compile.loss_of_training_config({"loss": "mse"}) == "mean_squared_error"
    assert keras2_compile.loss_of_training_config({}) is None
    logits = {"class_name": "BinaryCrossentropy", "config": {"from_logits": True}}
    assert keras2_compile.loss_of_training_config({"loss": logits}) == "binary_crossentropy"


@pytest.mark.parametrize("params, message", [
    ({"optimizer": {"class_name": "Adam"}}, "the optimizer is an object"),
    ({"optimizer": ["adam"]}, r"the optimizer is a list \(\['adam'\]\)"),
    ({"optimizer": "adam", "loss": "mse", "metrics": [{"a": 1}]}, "the metric is an object"),
    ({"optimizer": "adam", "loss": "mse", "metrics": [["mse"]]}, "the metric is a list"),
    ({"optimizer": "adam", "loss": ["mse"]}, "the loss is"),
])
def test_galaxy_ml_compile_settings_are_typed(params, message):
    with pytest.raises(UserError, match=message):
        keras2_compile.from_galaxy_ml(params, "the model file")


def test_training_config_metrics_are_typed():
    training = {"loss": "mse", "optimizer_config": {"class_name": "Adam", "config": {}},
                "metrics": [{"config": {"fn": "mse"}}]}
    with pytest.raises(UserError, match="the metric is an object"):
        keras2_compile.from_training_config(training, "the model file's training_config")
    training["metrics"] = [{"class_name": "function", "config": "mse", "module": "keras.metrics"}]
    assert keras2_compile.from_training_config(training, "x")["metrics"] == ["mse"]


# -- seeds and the layers' outputs --------------------------------------------------------------------

def test_seed_from_a_file_is_refused_naming_the_file():
    from galaxy_keras.model_io import check_seed

    check_seed(SEED.max, "the model file")
    for seed in (-1, SEED.max + 1, 1.5, True, "1"):
        with pytest.raises(UserError, match="the model file gives the random seed .*, not a whole number from 0"):
            check_seed(seed, "the model file")


def test_layer_outputs_beyond_the_memory_plan_name_the_largest_layer():
    from galaxy_keras.model_io import check_activations

    outputs = [("wide", "Dense", (None, 10_000)), ("repeat", "RepeatVector", (None, 100_000, 10_000))]
    with pytest.raises(UserError, match=r"the largest: layer 'repeat' \(RepeatVector\), output shape "
                                        r"\(batch, 100000, 10000\)"):
        check_activations(outputs, "the model", 32)
    check_activations([("wide", "Dense", (None, 10_000))], "the model", 32)


def test_built_model_outputs_are_checked_before_allocation():
    from galaxy_keras.model_io import build_model

    config = json.loads(json.dumps({"module": "keras", "class_name": "Sequential", "registered_name": None,
                                    "config": {"name": "s", "layers": [
                                        {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                                         "config": {"batch_shape": [None, 8], "name": "in"}},
                                        dense(1, units=10_000),
                                        {"module": "keras.layers", "class_name": "RepeatVector",
                                         "registered_name": None, "config": {"name": "repeat", "n": MAX_UNITS}}]}}))
    with pytest.raises(UserError, match="layer outputs for a batch of 4 samples .* layer 'repeat' "):
        build_model(config, "the model", batch_size=4)
