"""Keras 2 model configurations as Keras 3 ones, for the allowlist to check and Keras 3 to build.

Galaxy-ML's model JSON (``keras_model_config``), the model inside a Galaxy-ML
model file and the ``model_config`` of an HDF5 model are Keras 2
serialisations: objects named by ``class_name`` alone, with no ``module``, and
a few arguments Keras 3 renamed or dropped. Keras 3 can read some of that
through its legacy deserialiser, which finds classes by bare name anywhere it
knows; here every object instead gets the one Keras module that holds its
kind (``keras.layers``, ``keras.initializers``, ...), so that
``safety.check_config`` checks the result like any Keras 3 configuration and
Keras 3 builds it with its own deserialiser in safe mode. An object whose
kind cannot be told from where it sits gets no module and is refused by the
allowlist. Nothing here imports or evaluates anything a file names.

What changes, and why nothing else needs to:

* ``batch_input_shape`` (Keras 2's input shape, batch size first) becomes an
  InputLayer's ``batch_shape``. On a Sequential model's first layer without an
  InputLayer before it, an InputLayer is added, as Keras 2 added one when it
  built the model; on any other layer it repeated that shape and is dropped.
* Embedding's ``input_length`` only told Keras 2 the input length when nothing
  else did: it becomes the InputLayer's shape in that case, and is dropped.
* Recurrent layers' ``implementation`` chose between two equal computations
  (speed and memory only): dropped. ``time_major`` False is Keras 3's only
  layout: dropped; True is refused by name.
* LeakyReLU's ``alpha`` is Keras 3's ``negative_slope``; BatchNormalization's
  ``axis`` as a one-item list (how Keras 2 writes a built layer's) is that item.
* ``shared_object_id`` marks an object shared by several layers in Keras 2;
  each layer gets its own copy of the (stateless) initializer instead.
* A ``Model`` (Keras 2's name for a functional model) is a ``Functional``;
  a ``Policy`` dtype is Keras 3's ``DTypePolicy``. ``keras_version`` and
  ``backend`` at the top are Keras 2's notes, not settings.

Functional models' ``inbound_nodes`` stay in Keras 2's list form, which Keras
3 reads as such; anything else Keras 3 does not take (an argument a Keras 2
layer had and Keras 3's lacks) is named by Keras 3 when it builds the model.
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import UserError, shown
from .model_limits import check_tree

MODEL_MODULES = {"Sequential": "keras", "Functional": "keras.src.models.functional"}
# Where an object sits (the argument's name or its ending) -> the Keras module that holds its kind.
_ARGUMENT_MODULES = (("_initializer", "keras.initializers"), ("_regularizer", "keras.regularizers"),
                     ("_constraint", "keras.constraints"))
_LAYER_ARGUMENTS = ("layer", "backward_layer", "forward_layer", "cell")
_RECURRENT = ("LSTM", "GRU", "SimpleRNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")
_TOP_NOTES = ("keras_version", "backend")


def convert_model_config(config: Any, source: str) -> dict[str, Any]:
    """A Keras 2 model configuration (``{"class_name": ..., "config": ...}``) in Keras 3's form.

    The input is not changed. The result still has to pass ``safety.check_config``. The caps
    (model_limits) are checked first: the copy and the conversion below recurse, at most ``MAX_DEPTH``
    levels (a few frames each), well under Python's limit.
    """
    check_tree(config, source)
    if not isinstance(config, dict) or config.get("class_name") not in ("Sequential", "Functional", "Model"):
        raise UserError(f"{source} is not a Keras model configuration (expected a Sequential or Functional model)")
    node = {key: value for key, value in copy.deepcopy(config).items() if key not in _TOP_NOTES}
    return _model(node, source)


def _model(node: dict[str, Any], source: str) -> dict[str, Any]:
    if node.get("class_name") == "Model":
        node["class_name"] = "Functional"
    kind = node["class_name"]
    node.setdefault("module", MODEL_MODULES.get(kind))
    body = node.get("config")
    if kind == "Sequential" and isinstance(body, list):  # Keras 2.0-2.2 wrote a Sequential's layers bare
        body = {"layers": body}
    if not isinstance(body, dict) or not isinstance(body.get("layers"), list):
        raise UserError(f"{source}: the {shown(kind)} model's configuration has no list of layers")
    layers = [_layer(layer, source) for layer in body["layers"]]
    if kind == "Sequential":
        layers = _sequential_input(layers, source)
    else:
        for layer in layers:  # a functional model has its InputLayers: the layers' own copies go
            _drop_input_shape(layer)
    node["config"] = {**body, "layers": layers}
    return node


def _sequential_input(layers: list[dict[str, Any]], source: str) -> list[dict[str, Any]]:
    """The first layer's input shape as an InputLayer (as Keras 2 made one); the others' copies dropped."""
    if not layers:
        raise UserError(f"{source}: the Sequential model has no layers")
    first = layers[0]
    shape = first["config"].get("batch_input_shape")
    if first["class_name"] == "Embedding" and shape is None and first["config"].get("input_length") is not None:
        shape = [None, first["config"]["input_length"]]
    for layer in layers:
        _drop_input_shape(layer)
    if first["class_name"] != "InputLayer" and shape is not None:
        dtype = first["config"].get("dtype")
        name = first["config"].get("name") or "layer"
        layers.insert(0, {"module": "keras.layers", "class_name": "InputLayer",
                          "config": {"batch_shape": shape, "dtype": dtype if isinstance(dtype, str) else "float32",
                                     "name": f"{name}_input"}})
    return layers


def _drop_input_shape(layer: dict[str, Any]) -> None:
    layer["config"].pop("batch_input_shape", None)
    if layer["class_name"] == "Embedding":
        layer["config"].pop("input_length", None)


def _layer(node: Any, source: str) -> dict[str, Any]:
    if not isinstance(node, dict) or not isinstance(node.get("class_name"), str) or \
            not isinstance(node.get("config"), dict):
        raise UserError(f"{source}: a layer's entry is not an object with a class_name and a config")
    if node["class_name"] in ("Sequential", "Functional", "Model"):
        return _model(node, source)
    if "module" in node:  # already in Keras 3's form (as in a Keras 3 HDF5 file's nested objects)
        return node
    node["module"] = "keras.layers"
    kind, config = node["class_name"], node["config"]
    if kind == "InputLayer" and "batch_input_shape" in config:
        config["batch_shape"] = config.pop("batch_input_shape")
    if kind in _RECURRENT or kind.endswith("Cell"):
        config.pop("implementation", None)
        if config.pop("time_major", False):
            raise UserError(f"{source}: the {shown(kind)} layer '{shown(config.get('name'))}' is time_major (time "
                            f"steps before samples), a layout Keras 3 does not have; refusing to convert it")
    if kind == "LeakyReLU" and "alpha" in config:
        config["negative_slope"] = config.pop("alpha")
    if kind == "BatchNormalization" and isinstance(config.get("axis"), list) and len(config["axis"]) == 1:
        config["axis"] = config["axis"][0]
    for key, value in config.items():
        config[key] = _argument(key, value, source)
    return node


def _argument(key: str, value: Any, source: str) -> Any:
    """An object inside a layer's config, given the module of its kind."""
    if key in _LAYER_ARGUMENTS and isinstance(value, dict) and "class_name" in value:
        return _layer(value, source)
    if not isinstance(value, dict) or "class_name" not in value:
        return value
    value.pop("shared_object_id", None)
    if key == "dtype" and value.get("class_name") == "Policy" and "module" not in value:
        return {"module": "keras", "class_name": "DTypePolicy", "config": value.get("config"),
                "registered_name": None}
    module = next((module for ending, module in _ARGUMENT_MODULES if key.endswith(ending)), None)
    if module is not None and "module" not in value:
        value["module"] = module
        if value.get("class_name") == "VarianceScaling" and isinstance(value.get("config"), dict) and \
                value["config"].get("distribution") == "normal":
            value["config"]["distribution"] = "truncated_normal"  # Keras 2.0's name for it
    return value
