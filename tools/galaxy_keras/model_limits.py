"""The caps on a model configuration (or model settings) read from a file, in one place.

Every reader of a model JSON (the builder's model JSON, a .keras archive's
config.json, an HDF5 or Galaxy-ML model's configuration and settings, the plot
tool's layer diagram, the Keras 2 conversion) runs ``check_tree`` on the parsed
JSON before anything recurses over it, copies it or builds it:
``safety.load_json`` runs it on what it parses, and ``safety.check_config``
and ``keras2_config.convert_model_config`` run it again on what they are given,
so that a configuration that reached them another way is capped too.
``check_tree`` itself is iterative: a file nested far deeper than Python's
recursion limit is refused by a count, not by a crash.

The caps are far above any model a Galaxy job trains and far below what makes
a tool crawl or crash (a Keras 2 JSON of 1,000,000 layers ran the builder 97 s
into a stack overflow; 3,000 layers took 206 s and 1.5 GB):

* ``MAX_DEPTH``: a functional model's tensors nest about 10 levels, a model
  inside a model adds about 4; everything that walks a configuration
  recursively (this suite's allowlist, ``copy.deepcopy``, Keras' own
  deserialiser, several frames a level) then stays well under Python's limit
  of 1,000 frames.
* ``MAX_LAYERS``: layers in all, nested models' included. The largest Keras
  application models have about 1,000 (EfficientNetV2L); the layer diagram
  draws at most 200 (model_diagram.MAX_LAYERS).
* ``MAX_VALUES``: every object, list, number and text together (a Keras 3
  layer has 30 to 60), which bounds the time of every walk.
* ``MAX_NAME``: a name (``"name": ...``). Keras' HDF5 saving refuses an
  attribute item over ``HDF5_ITEM_LIMIT`` bytes (its HDF5_OBJECT_HEADER_LIMIT)
  and stores every layer name, and every weight's path (layer names joined by
  "/"), as one: a name of at most 1,024 characters (4 bytes each at most in
  UTF-8) leaves room for paths of many nested layers.
* ``MAX_TEXT``: any other text (a class, a module, a dtype, a class label).
* ``MAX_JSON_BYTES``: a model JSON file or a .keras archive's config.json.
"""

from __future__ import annotations

from typing import Any

from .errors import UserError, shown

MAX_DEPTH = 64
MAX_LAYERS = 2_000
MAX_VALUES = 250_000
MAX_NAME = 1_024
MAX_TEXT = 10_000
MAX_JSON_BYTES = 16 * 1024**2
HDF5_ITEM_LIMIT = 64_512  # keras.src.legacy.saving.legacy_h5_format.HDF5_OBJECT_HEADER_LIMIT
_MODELS = ("Sequential", "Functional", "Model")
_ADVICE = "build the model again with 'Create a deep learning model architecture'"


def check_json_size(n_bytes: int, source: str) -> None:
    """Refuse a model JSON larger than any model's, before it is read or parsed."""
    if n_bytes > MAX_JSON_BYTES:
        raise UserError(f"{source} has {n_bytes:,} bytes, more than the {MAX_JSON_BYTES // 1024**2} MB a model "
                        f"configuration of at most {MAX_LAYERS:,} layers can need; refusing to read it")


def check_tree(tree: Any, source: str) -> None:
    """Refuse parsed JSON nested too deeply, too large, with too many layers or too long a text.

    Iterative (a stack of the values still to visit), so that it is safe on
    any input, however deep: the caps are checked before any recursive code
    sees the tree.
    """
    stack: list[tuple[Any, int]] = [(tree, 0)]
    values = layers = 0
    while stack:
        node, depth = stack.pop()
        values += 1
        if values > MAX_VALUES:
            raise UserError(f"{source} holds more than {MAX_VALUES:,} values (objects, lists, numbers and texts), "
                            f"more than a model of {MAX_LAYERS:,} layers has; refusing to read it")
        if isinstance(node, str):
            _check_text(node, "a text", MAX_TEXT, source)
            continue
        if not isinstance(node, (dict, list)):
            continue
        if depth >= MAX_DEPTH:
            raise UserError(f"{source} is nested too deeply to be a Keras model or its settings (more than "
                            f"{MAX_DEPTH} levels); refusing to read it")
        if isinstance(node, list):
            stack.extend((item, depth + 1) for item in node)
            continue
        layers += _layer_count(node)
        if layers > MAX_LAYERS:
            raise UserError(f"{source} has more than {MAX_LAYERS:,} layers, far more than a model trainable in a "
                            f"Galaxy job; refusing to read it")
        for key, value in node.items():
            _check_text(key, "a key", MAX_TEXT, source)
            if key == "name" and isinstance(value, str):
                _check_text(value, "the name", MAX_NAME, source)
            stack.append((value, depth + 1))


def _layer_count(node: dict) -> int:
    """The layers an object lists itself: a model's config (or Galaxy-ML's params) has them under "layers".

    A nested model's layers are counted when its own config is visited.
    """
    if isinstance(node.get("layers"), list):
        return len(node["layers"])
    if node.get("class_name") in _MODELS and isinstance(node.get("config"), list):
        return len(node["config"])  # Keras 2.0-2.2: a Sequential's layers bare
    return 0


def _check_text(text: str, what: str, limit: int, source: str) -> None:
    if len(text) > limit:
        raise UserError(f"{source} has {what} of {len(text):,} characters ('{shown(text, 40)}'); at most "
                        f"{limit:,} are accepted: {_ADVICE}")


# --- Layer arguments: the bounds of the config tool's form --------------------------------------------
# Arguments where Keras also takes -1 (a dimension Reshape infers, Dot's last axis), which the form does
# not offer: only their type is checked, not the form's "positive".
_SIGNED = frozenset({"target_shape", "axes"})


def _bounded(item: Any) -> bool:
    """Whether a form field bounds a number (a size, a rate) or a tuple of sizes, as a file's value can be checked."""
    if item.kind in ("int", "float"):
        return item.min is not None or item.max is not None
    return item.kind == "ints" and not item.nested and not item.allow_none


def _argument_fields() -> dict[str, dict[str, Any]]:
    """Keras layer class -> {argument: the form's field}, from the layer catalogue (the form's own definitions).

    A class the form offers under two names (GRU and Galaxy-ML's CuDNNGRU) takes the fields of the entry
    named as the class first; an alias adds only arguments that entry lacks. An argument the class's
    entry has no field for (Conv2D's strides, in Galaxy-ML's kwargs text) is bounded as the form bounds
    it in the other layers, at the widest of their bounds (a value some field of the form accepts), when
    every field of that name bounds it (``axis``, bounded nowhere, stays Keras' to check).
    """
    import dataclasses

    from .layer_catalog import LAYERS

    fields: dict[str, dict[str, Any]] = {}
    by_argument: dict[str, list[Any]] = {}
    for spec in sorted(LAYERS.values(), key=lambda spec: spec.keras_class is not None):
        if spec.name == "Input":  # an InputLayer's batch_shape is checked as the model's input, by Keras
            continue
        own = fields.setdefault(spec.keras_class or spec.name, {})
        for item in spec.typed_fields:
            by_argument.setdefault(item.argument, []).append(item)
            if _bounded(item):
                own.setdefault(item.argument, item)
    shared = {}
    for argument, items in by_argument.items():
        if all(_bounded(item) for item in items):
            kinds = {item.kind for item in items}
            kind = "float" if "float" in kinds else "ints" if "ints" in kinds else "int"
            low = None if any(item.min is None for item in items) else min(item.min for item in items)
            high = None if any(item.max is None for item in items) else max(item.max for item in items)
            shared[argument] = dataclasses.replace(items[0], kind=kind, min=low, max=high, optional=True)
    return {name: {**shared, **own} for name, own in fields.items()}


_FIELDS: dict[str, dict[str, Any]] | None = None


def check_layer_arguments(class_name: str, config: Any, source: str) -> None:
    """A layer's sizes, rates and seed from a file within the bounds the config tool's form gives them.

    Without this a file could ask for what the form refuses (RepeatVector's n of 200,000,000 against the
    form's 100,000), and Keras would try to allocate it.
    """
    global _FIELDS
    if _FIELDS is None:
        _FIELDS = _argument_fields()
    if not isinstance(config, dict):
        return
    from .compile_catalog import SEED

    fields = dict(_FIELDS.get(class_name, {}))
    if "seed" in config:
        fields["seed"] = SEED
    for argument, item in fields.items():
        if argument in config:
            _check_value(item, config[argument], f"{source}: the {class_name} layer "
                                                 f"'{shown(config.get('name'), 60)}' has {argument}=")


def _check_value(item: Any, value: Any, where: str) -> None:
    if value is None and (item.optional or item.default is None):
        return
    whole = item.kind != "float"
    items = value if isinstance(value, (list, tuple)) and item.kind != "float" else [value]
    for entry in items:
        if isinstance(entry, bool) or not isinstance(entry, int if whole else (int, float)) or \
                (not whole and entry != entry) or (not whole and abs(entry) == float("inf")):
            kind = "whole numbers" if item.kind == "ints" else "a whole number" if whole else "a finite number"
            raise UserError(f"{where}{shown(value)}, which is not {kind}: {_ADVICE}")
        low = 1 if item.kind == "ints" and item.argument not in _SIGNED else item.min
        high = item.max
        if (low is not None and entry < low) or (high is not None and entry > high):
            raise UserError(f"{where}{shown(value)}, outside the form's bounds ({_bounds(low, high, whole)}): "
                            f"{_ADVICE}")


def _bounds(low: Any, high: Any, whole: bool) -> str:
    def number(value: Any) -> str:
        return f"{int(value):,}" if whole else f"{value:g}"
    if low is not None and high is not None:
        return f"from {number(low)} to {number(high)}"
    return f"at least {number(low)}" if low is not None else f"at most {number(high)}"
