"""Model configurations and model settings from files, typed and bounded before use (issue 19).

Every reader of a model JSON caps it first (galaxy_keras.model_limits: size, nesting, layers, values, text
lengths), layers' sizes are held to the config tool's form bounds, the outputs a model implies to the memory
plan, and compile settings and seeds from model files are typed. The files are written at test time: Keras 2
JSON for the builder, the test data's .keras and HDF5 models edited as model_files.py edits them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from bad_inputs import Case
from bad_inputs.builder import TINY, builder_case
from bad_inputs.common import written
from bad_inputs.model_files import (BUILT, GALAXY_ML, KERAS2_H5, TRAINED, Maker, edited, h5_edited, predict,
                                    train, with_dense, with_layer)

NAME = "a" * 70_000
MAX_NAME = 1_024


def keras2_sequential(layers: list[dict]) -> dict:
    """A Keras 2 (Galaxy-ML) model JSON: objects named by class_name alone, keras_version 2."""
    return {"class_name": "Sequential", "keras_version": "2.2.4", "backend": "tensorflow",
            "config": {"name": "sequential", "layers": layers}}


def keras2_dense(i: int, **config: Any) -> dict:
    return {"class_name": "Dense", "config": {"name": f"dense_{i}", "units": 1, "activation": "linear", **config}}


def keras2_layers(count: int) -> Maker:
    """A Keras 2 model JSON of ``count`` Dense layers, the first with the input shape."""
    def make(folder: Path, _canary: Path) -> Path:
        layers = [keras2_dense(0, batch_input_shape=[None, 4])] + [keras2_dense(i) for i in range(1, count)]
        path = folder / "model.json"
        path.write_text(json.dumps(keras2_sequential(layers)))
        return path
    return make


def nested_argument(depth: int) -> dict:
    """A Keras 2 model JSON whose Dense layer has an argument nested ``depth`` lists deep."""
    layer = keras2_dense(0, batch_input_shape=[None, 4])
    layer["config"]["kernel_constraint"] = json.loads("[" * depth + "]" * depth)
    return keras2_sequential([layer])


def tiny(edit) -> dict:
    """The builder's tiny Keras 3 model JSON with ``edit(layers)`` applied."""
    config = copy.deepcopy(TINY)
    edit(config["config"]["layers"])
    return config


def repeat_after_dense(units: int, n: int) -> dict:
    """The tiny model with a Dense of ``units`` and a RepeatVector of ``n`` after its LSTM."""
    def edit(layers: list[dict]) -> None:
        layers[-1:] = [{"module": "keras.layers", "class_name": "Dense", "registered_name": None,
                        "config": {"name": "wide", "units": units}},
                       {"module": "keras.layers", "class_name": "RepeatVector", "registered_name": None,
                        "config": {"name": "repeat", "n": n}}]
    return tiny(edit)


def galaxy_ml_params(edit, untrained: bool = False) -> Maker:
    """The Galaxy-ML model file with its params edited (``edit(params)``), optionally without its weights."""
    def change(handle: Any) -> None:
        group = handle["-keras_models-/0"]
        params = json.loads(group["params"][()])
        edit(params)
        del group["params"]
        group["params"] = json.dumps(params)
        if untrained:
            del group["weights"]
    return h5_edited(GALAXY_ML, change)


def setting(key: str, value: Any):
    return lambda params: params.update({key: value})


def training_config(**changes: Any) -> Maker:
    """The Keras 2 HDF5 model with its training_config changed."""
    def change(handle: Any) -> None:
        config = json.loads(handle.attrs["training_config"])
        config.update(changes)
        handle.attrs["training_config"] = json.dumps(config)
    return h5_edited(KERAS2_H5, change)


def keras2_h5_config(edit) -> Maker:
    """The Keras 2 HDF5 model with its model_config edited."""
    def change(handle: Any) -> None:
        config = json.loads(handle.attrs["model_config"])
        edit(config)
        handle.attrs["model_config"] = json.dumps(config)
    return h5_edited(KERAS2_H5, change)


def nested_layers(depth: int) -> Any:
    def edit(config: dict) -> None:
        config["config"]["layers"][1]["config"]["bias_constraint"] = json.loads("[" * depth + "]" * depth)
    return edit


REPEAT = {"module": "keras.layers", "class_name": "RepeatVector", "registered_name": None,
          "config": {"name": "repeat", "n": 200_000_000}}
FUNCTION_LOSS = {"module": "builtins", "class_name": "function", "config": "os.system", "registered_name": None}
TOO_DEEP = "is nested too deeply to be a Keras model or its settings (more than 64 levels)"
LONG_NAME = f"has the name of 70,000 characters ('{'a' * 37}...'); at most {MAX_NAME:,} are accepted"

CASES = {
    # Caps, checked before anything recurses over the configuration or copies it.
    "Keras 2 JSON of 1,000,000 layers": builder_case(keras2_layers(1_000_000),
                                                     "bytes, more than the 16 MB a model configuration of at most "
                                                     "2,000 layers can need"),
    "Keras 2 JSON of 3,000 layers": builder_case(keras2_layers(3_000), "the model configuration has more than 2,000 "
                                                                       "layers"),
    "Keras 2 JSON of 300,000 bare layers in 1.5 MB": builder_case(
        written("model.json", {"class_name": "Sequential", "keras_version": "2.0.8", "config": [{}] * 300_000}),
        "the model configuration has more than 2,000 layers"),
    "Keras 2 JSON nested 900 deep": builder_case(written("model.json", nested_argument(900)), TOO_DEEP),
    "Keras 3 JSON with 300,000 values": builder_case(
        written("model.json", tiny(lambda layers: layers[-1]["config"].update(padding=[0] * 300_000))),
        "holds more than 250,000 values"),
    "layer name of 70,000 characters": builder_case(
        written("model.json", tiny(lambda layers: layers[-1]["config"].update(name=NAME))), LONG_NAME),
    "Keras 2 layer name of 70,000 characters": builder_case(
        written("model.json", keras2_sequential([keras2_dense(0, batch_input_shape=[None, 4], name=NAME)])),
        LONG_NAME),
    "HDF5 model_config nested 900 deep": predict(keras2_h5_config(nested_layers(900)), TOO_DEEP),
    "Galaxy-ML params nested 900 deep": train(galaxy_ml_params(setting("callbacks", json.loads("[" * 900 + "]" * 900))),
                                              TOO_DEEP),
    "model file with a layer name of 70,000 characters": train(with_dense(config={"name": NAME}), LONG_NAME),
    # Layer arguments within the form's bounds, and the outputs a model implies within the memory plan.
    "RepeatVector n=200,000,000 in a model file": predict(
        with_layer(lambda canary: REPEAT, 3), "the RepeatVector layer 'repeat' has n=200000000, outside the form's "
                                              "bounds (from 1 to 100,000)"),
    "Conv1D strides 0 in the model JSON": builder_case(
        written("model.json", tiny(lambda layers: layers.insert(2, {
            "module": "keras.layers", "class_name": "Conv1D", "registered_name": None,
            "config": {"name": "conv", "filters": 4, "kernel_size": [3], "strides": [0]}}))),
        "the Conv1D layer 'conv' has strides=[0], outside the form's bounds (at least 1)"),
    "Dropout rate 7 in a Keras 2 JSON": builder_case(
        written("model.json", keras2_sequential([keras2_dense(0, batch_input_shape=[None, 4]), {
            "class_name": "Dropout", "config": {"name": "drop", "rate": 7}}])),
        "the Dropout layer 'drop' has rate=7, outside the form's bounds (from 0 to 1)"),
    "units as text in the model JSON": builder_case(
        written("model.json", tiny(lambda layers: layers[-1]["config"].update(units="1e9"))),
        "the Dense layer 'layer_3' has units=1e9, which is not a whole number"),
    "RepeatVector n=100,000 over a Dense of 10,000 units": builder_case(
        written("model.json", repeat_after_dense(10_000, 100_000)),
        "layer outputs for a batch of 16 samples (16,000,192,064 numbers, 4 bytes each; the largest: layer 'repeat' "
        "(RepeatVector), output shape (batch, 100000, 10000)"),
    # Compile settings from model files: typed, refused by what they are.
    "Galaxy-ML metric as an object": train(galaxy_ml_params(setting("metrics", [{"class_name": "AUC"}])),
                                           "the metric is an object ({'class_name': 'AUC'}), not one metric by name"),
    "Galaxy-ML metric as a list": train(galaxy_ml_params(setting("metrics", [["mse", "mae"]])),
                                        "the metric is a list (one for each output?)"),
    "Galaxy-ML optimizer as an object": train(galaxy_ml_params(setting("optimizer", {"class_name": "Adam"})),
                                              "the optimizer is an object ({'class_name': 'Adam'}), not one "
                                              "optimizer by name"),
    "Galaxy-ML optimizer as a list": train(galaxy_ml_params(setting("optimizer", ["adam"])),
                                           "the optimizer is a list (['adam']), not one optimizer by name"),
    "HDF5 loss as a Python function path (training)": train(training_config(loss="my_module.my_loss"),
                                                            "the loss 'my_module.my_loss' is a Python function path"),
    "HDF5 loss as a Python function path (prediction)": predict(training_config(loss="my_module.my_loss"),
                                                                "the loss 'my_module.my_loss' is a Python function "
                                                                "path"),
    "HDF5 loss as a builtins function (prediction)": predict(training_config(loss=FUNCTION_LOSS),
                                                             "the loss 'os.system' is a Python function path"),
    "HDF5 loss as a list (training)": train(training_config(loss=["mse", "mae"]),
                                            "the loss is a list (one for each output?)"),
    "HDF5 loss as a list (prediction)": predict(training_config(loss=["mse", "mae"]),
                                                "the loss is a list (one for each output?)"),
    "HDF5 metric as an object without a class": train(training_config(metrics=[{"config": {"fn": "mse"}}]),
                                                      "the metric is an object ({'config': "
                                                      "{'fn': 'mse'}}) that is not Keras' form of one"),
    "HDF5 optimizer as a list": train(training_config(optimizer_config=["adam"]),
                                      "has no optimizer configuration"),
    # Seeds from files.
    "Galaxy-ML seed of 2**40 (untrained model)": train(galaxy_ml_params(setting("seed", 2**40), untrained=True),
                                                       "gives the random seed 1099511627776, not a whole number "
                                                       "from 0 to 4,294,967,295"),
    "negative seed in a model file's settings": train(edited(BUILT, "galaxy_keras.json", lambda meta, canary: {
        **meta, "fit": {**meta["fit"], "random_seed": -5}}), "parameter 'random_seed' must be at least 0, got -5"),
}
