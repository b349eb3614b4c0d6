"""Build a Keras model from the "Create a deep learning model architecture" form."""

from __future__ import annotations

from typing import Any

from .errors import UserError, summarise
from .fields import parse_fields, parse_ints
from .keras_env import keras
from .layer_catalog import FUNCTIONAL_LAYERS, LAYERS, SEQUENTIAL_LAYERS, LayerSpec
from .params import Params

MODEL_TYPES = ("sequential", "functional")


def read_layer(params: Params, allowed: list[LayerSpec]) -> tuple[LayerSpec, dict[str, Any]]:
    """The layer chosen in one repeat entry and its argument values."""
    selection = params.section("layer_selection")
    names = {spec.name for spec in allowed}
    layer_type = selection.choice("layer_type", names)
    spec = LAYERS[layer_type]
    values = parse_fields(spec.main, selection)
    if spec.advanced and selection.has("layer_options"):
        values.update(parse_fields(spec.advanced, selection.section("layer_options")))
    return spec, values


def make_layer(spec: LayerSpec, values: dict[str, Any], position: int) -> Any:
    """Instantiate one layer; only catalogue classes with typed values ever get here."""
    values = dict(values)
    try:
        if spec.name == "Bidirectional":
            merge_mode = values.pop("merge_mode", "concat")
            inner_class = values.pop("layer")
            if inner_class == "SimpleRNN":
                values.pop("recurrent_activation", None)
            inner = getattr(keras.layers, inner_class)(**values)
            return keras.layers.Bidirectional(inner, merge_mode=merge_mode, name=f"layer_{position}")
        return getattr(keras.layers, spec.keras_class or spec.name)(**values, name=f"layer_{position}")
    except (ValueError, TypeError) as err:
        raise UserError(f"layer {position} ({spec.name}): {summarise(err)}") from None


def build_sequential(params: Params) -> Any:
    shape = parse_ints(params.str("input_shape"), "input_shape", allow_none=True)
    layers = [keras.Input(shape=shape)]
    entries = params.repeat("layers")
    if not entries:
        raise UserError("the model has no layers: add at least one LAYER")
    model = keras.Sequential(layers, name="sequential")
    for position, entry in enumerate(entries, start=1):
        spec, values = read_layer(entry, SEQUENTIAL_LAYERS)
        layer = make_layer(spec, values, position)
        try:
            model.add(layer)
        except Exception as err:  # noqa: BLE001 - Keras reports shape mismatches with many types
            raise UserError(f"layer {position} ({spec.name}) does not fit the output of the layer before it: "
                            f"{summarise(err)}") from None
    return model


def _inbound(entry: Params, position: int) -> list[int]:
    text = entry.str("inbound_nodes", "") or ""
    if not text.strip():
        return [position - 1] if position > 1 else []
    numbers = parse_ints(text, f"layer {position}: inbound_nodes")
    for number in numbers:
        if number >= position:
            raise UserError(f"layer {position}: inbound_nodes may only name earlier layers (1 to {position - 1}), "
                            f"got {number}")
    return list(numbers)


def build_functional(params: Params) -> Any:
    entries = params.repeat("layers")
    if not entries:
        raise UserError("the model has no layers: add at least one LAYER, starting with an Input layer")
    tensors: dict[int, Any] = {}
    inputs = []
    consumed: set[int] = set()
    for position, entry in enumerate(entries, start=1):
        spec, values = read_layer(entry, FUNCTIONAL_LAYERS)
        if spec.name == "Input":
            if (entry.str("inbound_nodes", "") or "").strip():
                raise UserError(f"layer {position} is an Input layer, which takes no inbound_nodes; leave its "
                                f"'Inputs of this layer' empty")
            try:
                tensors[position] = keras.Input(**values, name=f"input_{position}")
            except (ValueError, TypeError) as err:
                raise UserError(f"layer {position} (Input): {summarise(err)}") from None
            inputs.append(tensors[position])
            continue
        sources = _inbound(entry, position)
        if not sources:
            raise UserError(f"layer {position} ({spec.name}) has no input: a functional model starts with an Input layer")
        consumed.update(sources)
        layer = make_layer(spec, values, position)
        incoming = [tensors[number] for number in sources]
        try:
            if spec.call == "list":
                tensors[position] = layer(incoming)
            elif spec.call == "args":
                tensors[position] = layer(*incoming)
            else:
                if len(incoming) != 1:
                    raise UserError(f"layer {position} ({spec.name}) takes one input, got inbound_nodes {sources}")
                tensors[position] = layer(incoming[0])
        except UserError:
            raise
        except Exception as err:  # noqa: BLE001 - Keras reports shape mismatches with many types
            raise UserError(f"layer {position} ({spec.name}) does not fit its inputs {sources}: "
                            f"{summarise(err)}") from None
    if not inputs:
        raise UserError("a functional model needs at least one Input layer")
    output_text = params.str("output_layers", "") or ""
    if output_text.strip():
        outputs = list(parse_ints(output_text, "output_layers"))
        for number in outputs:
            if number not in tensors:
                raise UserError(f"output_layers names layer {number}, but the model has layers 1 to {len(entries)}")
    else:
        # Default: every layer nothing else consumes, except unused inputs.
        outputs = [n for n in tensors if n not in consumed and tensors[n] not in inputs] or [max(tensors)]
    try:
        return keras.Model(inputs=inputs, outputs=[tensors[n] for n in outputs] if len(outputs) > 1
                           else tensors[outputs[0]], name="functional")
    except Exception as err:  # noqa: BLE001
        raise UserError(f"cannot connect the model: {summarise(err)}") from None


def build_model(params: Params) -> Any:
    selection = params.section("model_selection")
    model_type = selection.choice("model_type", MODEL_TYPES)
    if model_type == "sequential":
        return build_sequential(selection)
    return build_functional(selection)
