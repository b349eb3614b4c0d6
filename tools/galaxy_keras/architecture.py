"""Build a Keras model from the "Create a deep learning model architecture" form.

The form keeps Galaxy-ML's parameters where they were (docs/galaxy-ml-compatibility.md): a
functional layer names its inputs in its own settings (``layer_selection|inbound_nodes``, or
``layer_selection|merging_layers`` for a merge layer), the model's inputs and outputs are lists of
layer numbers (``input_layers``, ``output_layers``: "1,5" or "[1, 5]"), and every layer's
``kwargs`` text adds Keras arguments (layer_kwargs.py). A layer of Galaxy-ML has exactly Galaxy-ML's
fields; what Galaxy-ML left to the kwargs text (padding, strides, mask_zero, return_sequences, the
initializers...) is set there. Galaxy-ML's layers without ``inbound_nodes`` in a functional model
(Activation, RepeatVector, BatchNormalization, the noise layers) take the layer just before them.
"""

from __future__ import annotations

from typing import Any, Callable

from .errors import UserError, quoted, summarise
from .fields import Choice, Field, Regularization, parse_indices, parse_ints
from .keras_env import keras
from .layer_catalog import FUNCTIONAL_LAYERS, GALAXY_ML_REFUSED, LAYERS, SEQUENTIAL_LAYERS, LayerSpec
from .layer_kwargs import REFUSED, check_names, keras_arguments, parse_kwargs
from .params import Params

MODEL_TYPES = ("sequential", "functional")
CONSTRAINTS = {"MaxNorm": keras.constraints.MaxNorm, "NonNeg": keras.constraints.NonNeg,
               "UnitNorm": keras.constraints.UnitNorm, "MinMaxNorm": keras.constraints.MinMaxNorm}


def _keras_target(spec: LayerSpec, values: dict[str, Any]) -> Callable[..., Any]:
    """The Keras class (or function) whose arguments a layer's kwargs may set."""
    if spec.name == "Input":
        return keras.Input
    if spec.name == "Bidirectional":
        return getattr(keras.layers, values["layer"])
    return getattr(keras.layers, spec.keras_class or spec.name)


def _add_kwargs(spec: LayerSpec, typed: dict[Field, Any], values: dict[str, Any], text: str | None,
                where: str, notes: list[str]) -> None:
    """Add a layer's kwargs to its values; a field changed from its default wins over the same argument."""
    given = parse_kwargs(text, where)
    if not given:
        return
    fields = {name: item for item in spec.typed_fields for name in (item.name, item.argument)}
    renamed: dict[str, Any] = {}
    for name, value in given.items():
        item = fields.get(name)
        if item is not None and item.argument in REFUSED:
            raise UserError(f"{where}: kwargs argument '{name}' is not accepted here: set it in this layer's field "
                            f"'{item.label or item.name}'")
        argument = item.argument if item is not None else name
        if argument in renamed:
            raise UserError(f"{where}: kwargs sets the argument '{argument}' twice; keep one")
        renamed[argument] = value
    target = _keras_target(spec, values)  # Bidirectional: its recurrent layer, plus its own merge_mode
    allowed = keras_arguments(target) | ({"merge_mode"} if spec.name == "Bidirectional" else set())
    accepted, more = check_names(renamed, allowed, where, getattr(target, "__name__", spec.name))
    notes.extend(more)
    for argument, value in accepted.items():
        item = fields.get(argument)
        if item is not None and item in typed and typed[item] != item.default_value:
            notes.append(f"{where}: kwargs {argument}={quoted(value)} is not used: the field '{item.name}' is set to "
                         f"{quoted(typed[item])}, and a field set in the form wins")
            continue
        values[argument] = value


def read_layer(entry: Params, allowed: list[LayerSpec], position: int,
               notes: list[str] | None = None) -> tuple[LayerSpec, dict[str, Any]]:
    """The layer chosen in one repeat entry and its Keras arguments (fields, then kwargs)."""
    selection = entry.section("layer_selection")
    layer_type = selection.raw("layer_type", None)
    if isinstance(layer_type, str) and layer_type in GALAXY_ML_REFUSED:
        raise UserError(f"layer {position}: {layer_type} is not available: {GALAXY_ML_REFUSED[layer_type]}")
    spec = LAYERS[selection.choice("layer_type", {spec.name for spec in allowed})]
    typed = {item: item.parse(selection) for item in spec.main if item.kind != "kwargs"}
    if spec.advanced and selection.has("layer_options"):
        options = selection.section("layer_options")
        typed.update({item: item.parse(options) for item in spec.advanced})
    values = {item.argument: value for item, value in typed.items() if value is not None}
    # Only where the form has the kwargs text (Galaxy-ML's layers without one take none): elsewhere a
    # kwargs value is left unread and refused by name.
    if any(item.kind == "kwargs" for item in spec.main):
        _add_kwargs(spec, typed, values, selection.str("kwargs", None), f"layer {position} ({spec.name})",
                    notes if notes is not None else [])
    return spec, values


def _keras_value(name: str, value: Any) -> Any:
    """Keras' object for a value a field describes (an L1L2 regularizer, a constraint)."""
    if isinstance(value, Regularization):
        return keras.regularizers.L1L2(l1=value.l1, l2=value.l2)
    if isinstance(value, Choice):
        return CONSTRAINTS[value.case](**value.options)
    if name.endswith("_initializer") and value == "constant":
        return keras.initializers.Constant(0.0)  # Keras 2's 'constant' (value 0); Keras 3 cannot read the name
    return value


def make_layer(spec: LayerSpec, values: dict[str, Any], position: int) -> Any:
    """Instantiate one layer; only catalogue classes with checked values ever get here."""
    values = {name: _keras_value(name, value) for name, value in values.items()}
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


def build_sequential(params: Params, notes: list[str]) -> Any:
    shape = parse_ints(params.str("input_shape"), "input_shape", allow_none=True)
    layers = [keras.Input(shape=shape)]
    entries = params.repeat("layers")
    if not entries:
        raise UserError("the model has no layers: add at least one LAYER")
    model = keras.Sequential(layers, name="sequential")
    for position, entry in enumerate(entries, start=1):
        spec, values = read_layer(entry, SEQUENTIAL_LAYERS, position, notes)
        layer = make_layer(spec, values, position)
        try:
            model.add(layer)
        except Exception as err:  # noqa: BLE001 - Keras reports shape mismatches with many types
            raise UserError(f"layer {position} ({spec.name}) does not fit the output of the layer before it: "
                            f"{summarise(err)}") from None
    return model


def _sources(entry: Params, spec: LayerSpec, position: int) -> list[int]:
    """The layers a functional layer takes its input from: its own field, else the layer just before it."""
    where = f"layer {position} ({spec.name})"
    field = spec.connection_fields[0] if spec.connection_fields else None
    numbers = list(field.parse(entry.section("layer_selection")) or ()) if field is not None else []
    if not numbers:
        if field is not None and spec.group == "Merge":
            raise UserError(f"{where} merges layers: give their numbers in '{field.label}' ({field.name}), e.g. 2,3")
        if position == 1:
            raise UserError(f"{where} has no input: a functional model starts with an Input layer")
        numbers = [position - 1]
    for number in numbers:
        if not 1 <= number < position:
            raise UserError(f"{where}: {field.name if field is not None else 'its input'} may only name earlier "
                            f"layers (1 to {position - 1}), got {number}")
    return numbers


def _numbers(params: Params, name: str, count: int) -> list[int]:
    numbers = list(parse_indices(params.str(name, "") or "", name))
    for number in numbers:
        if not 1 <= number <= count:
            raise UserError(f"{name} names layer {number}, but the model has layers 1 to {count}")
    return numbers


def _call(layer: Any, spec: LayerSpec, incoming: list[Any], sources: list[int], position: int) -> Any:
    try:
        if spec.call == "list":
            return layer(incoming)
        if spec.call == "args":
            return layer(*incoming)
        if len(incoming) != 1:
            raise UserError(f"layer {position} ({spec.name}) takes one input, got inbound_nodes {sources}")
        return layer(incoming[0])
    except UserError:
        raise
    except Exception as err:  # noqa: BLE001 - Keras reports shape mismatches with many types
        raise UserError(f"layer {position} ({spec.name}) does not fit its inputs {sources}: "
                        f"{summarise(err)}") from None


def build_functional(params: Params, notes: list[str]) -> Any:
    entries = params.repeat("layers")
    if not entries:
        raise UserError("the model has no layers: add at least one LAYER, starting with an Input layer")
    tensors: dict[int, Any] = {}
    names: dict[int, str] = {}
    input_positions: list[int] = []
    consumed: set[int] = set()
    for position, entry in enumerate(entries, start=1):
        spec, values = read_layer(entry, FUNCTIONAL_LAYERS, position, notes)
        names[position] = spec.name
        if spec.name == "Input":
            name = values.pop("name", None) or f"input_{position}"
            try:
                tensors[position] = keras.Input(**values, name=name)
            except (ValueError, TypeError) as err:
                raise UserError(f"layer {position} (Input): {summarise(err)}") from None
            input_positions.append(position)
            continue
        sources = _sources(entry, spec, position)
        consumed.update(sources)
        tensors[position] = _call(make_layer(spec, values, position), spec, [tensors[n] for n in sources], sources,
                                  position)
    if not input_positions:
        raise UserError("a functional model needs at least one Input layer")
    inputs = _numbers(params, "input_layers", len(entries)) or input_positions
    for number in inputs:
        if number not in input_positions:
            raise UserError(f"input_layers names layer {number} ({names[number]}), which is not an Input layer")
    # Default outputs: every layer nothing else consumes, except unused inputs.
    outputs = _numbers(params, "output_layers", len(entries)) or \
        [n for n in tensors if n not in consumed and n not in input_positions] or [max(tensors)]
    try:
        return keras.Model(inputs=[tensors[n] for n in inputs],
                           outputs=[tensors[n] for n in outputs] if len(outputs) > 1 else tensors[outputs[0]],
                           name="functional")
    except Exception as err:  # noqa: BLE001
        raise UserError(f"cannot connect the model: {summarise(err)}") from None


def build_model(params: Params, notes: list[str] | None = None) -> Any:
    """The model; ``notes`` collects what the user should know (kwargs left out or not used)."""
    notes = notes if notes is not None else []
    selection = params.section("model_selection")
    model_type = selection.choice("model_type", MODEL_TYPES)
    if model_type == "sequential":
        return build_sequential(selection, notes)
    return build_functional(selection, notes)
