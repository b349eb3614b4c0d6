"""Galaxy-ML's 'Hyperparameter Swapping': new values for a built model's settings before it trains.

Each setting (``param_set``) names a parameter as Galaxy-ML's estimators name
them (``sp_name``) and gives its new value as a Python literal (``sp_value``,
read with ``ast.literal_eval``: numbers, 'quoted text', True/False/None, lists,
tuples and dicts of those; never code). The parameters these tools can swap:

* a layer argument, ``layers_<i>_<Class>__config__<argument>[__<key>...]``:
  ``<i>`` is the layer's place in the model configuration (0 is the Input), e.g.
  ``layers_1_Dense__config__kernel_initializer__config__seed``. The model is
  rebuilt from its changed configuration (its weights drawn again, from the
  model's random seed) and checked like any model file;
* ``optimizer`` (a name such as 'adamax'; the settings the new optimizer shares
  with the old one are kept), ``learning_rate`` (Keras 2's ``lr``), and any
  other argument of the optimizer (``beta_1``, ``momentum``, ...); ``decay`` only
  as 0 (Keras 3 optimizers have no decay);
* ``loss`` and ``metrics``;
* the fit settings ``epochs``, ``batch_size``, ``validation_split``,
  ``steps_per_epoch``, ``validation_steps``, ``verbose``, and ``seed`` (the
  model's random seed: weights, batch order and splits).

Anything else (callbacks, validation data, a scikit-learn estimator after
':') is refused by name: a value is never dropped.
"""

from __future__ import annotations

import ast
import json
import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .compile_catalog import (FIT_FIELDS, LOSS_ALIASES, LOSSES, METRIC_ALIASES, METRICS, NO_METRIC, OPTIMIZERS, SEED,
                              make_metric, make_optimizer)
from .errors import UserError, quoted, shown, summarise
from .params import Params

MAX_VALUE_CHARS = 10_000
_LAYER = re.compile(r"^layers_(\d+)_([A-Za-z][A-Za-z0-9]*)__(.+)$")
_FIT = {item.name: item for item in FIT_FIELDS}
_SEEDS = ("seed", "random_seed")
_OPTIMIZER_NAMES = {name.lower(): name for name in OPTIMIZERS}
_OPTIMIZER_ARGUMENTS = {item.name for _, fields in OPTIMIZERS.values() for item in fields}
SWAPPABLE = ("layers_<i>_<Class>__config__<argument>", "optimizer", "learning_rate (lr)", "the optimizer's arguments",
             "loss", "metrics", *_FIT, "seed")


@dataclass(frozen=True)
class Swap:
    name: str
    value: Any
    where: str  # the form's setting, e.g. "hyperparams_swapping|param_set_2"

    def refuse(self, reason: str) -> UserError:
        return UserError(f"hyperparameter '{shown(self.name)}' ({self.where}): {reason}")


def read_swaps(params: Params) -> list[Swap]:
    """The settings of 'Hyperparameter Swapping' that give a value (an empty value swaps nothing)."""
    swaps: list[Swap] = []
    seen: set[str] = set()
    for i, entry in enumerate(params.repeat("param_set")):
        where = f"experiment_schemes|hyperparams_swapping|param_set_{i}"
        name = (entry.str("sp_name", None) or "").strip()
        text = (entry.str("sp_value", None) or "").strip()
        if not text:
            if name:
                print(f"Note: hyperparameter '{shown(name)}' ({where}) has no new value; it keeps the model's")
            continue
        if not name:
            raise UserError(f"{where}: the new value {quoted(text, 40)} has no parameter name (sp_name)")
        if name in seen or (name in ("lr", "learning_rate") and {"lr", "learning_rate"} & seen):
            raise UserError(f"hyperparameter '{shown(name)}' ({where}) is given twice")
        seen.add(name)
        swaps.append(Swap(name, _literal(name, text, where), where))
    return swaps


def _literal(name: str, text: str, where: str) -> Any:
    if text.startswith(":"):
        raise UserError(f"hyperparameter '{shown(name)}' ({where}): a value after ':' builds a scikit-learn "
                        f"estimator in Galaxy-ML; these tools take Python literals only (numbers, 'text', "
                        f"True/False/None, lists)")
    if len(text) > MAX_VALUE_CHARS:
        raise UserError(f"hyperparameter '{shown(name)}' ({where}): the value is {len(text):,} characters long, "
                        f"more than {MAX_VALUE_CHARS:,}")
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise UserError(f"hyperparameter '{shown(name)}' ({where}): {quoted(text, 60)} is not a Python literal "
                        f"(a number, 'quoted text', True/False/None, or a list of those)") from None


@dataclass
class _Plan:
    layers: list[tuple[Swap, int, str, list[str]]]
    seed: Swap | None = None
    optimizer: str | None = None
    optimizer_args: dict[str, tuple[Swap, Any]] | None = None
    loss: str | None = None
    metrics: list[str] | None = None
    fit: dict[str, Any] | None = None


def _plan(swaps: list[Swap]) -> _Plan:
    plan = _Plan(layers=[], optimizer_args={}, fit={})
    for swap in swaps:
        name, value = swap.name, swap.value
        layer = _LAYER.match(name)
        if layer:
            keys = layer.group(3).split("__")
            if keys[0] != "config" or len(keys) < 2:
                raise swap.refuse("a layer is swapped by its arguments: layers_<i>_<Class>__config__<argument>")
            plan.layers.append((swap, int(layer.group(1)), layer.group(2), keys))
        elif name in _SEEDS:
            plan.seed = swap
        elif name == "optimizer":
            if not isinstance(value, str) or value.lower() not in _OPTIMIZER_NAMES:
                raise swap.refuse(f"{quoted(value)} is not an optimizer these tools build ({', '.join(OPTIMIZERS)})")
            plan.optimizer = _OPTIMIZER_NAMES[value.lower()]
        elif name == "decay":
            if value not in (0, 0.0, None):
                raise swap.refuse(f"{quoted(value)}: Keras 2's learning-rate decay (lr / (1 + decay * step)) is no "
                                  f"argument of a Keras 3 optimizer; only 0 (no decay) is accepted")
        elif name in ("lr", "learning_rate") or name in _OPTIMIZER_ARGUMENTS:
            plan.optimizer_args["learning_rate" if name == "lr" else name] = (swap, value)
        elif name == "loss":
            if not isinstance(value, str) or value not in (*LOSSES, *LOSS_ALIASES):
                raise swap.refuse(f"{quoted(value)} is not a loss these tools offer")
            plan.loss = LOSS_ALIASES.get(value, value)
        elif name == "metrics":
            plan.metrics = _metrics(swap)
        elif name in _FIT:
            plan.fit[name] = _typed(swap, _FIT[name])
        else:
            raise swap.refuse(f"not a parameter these tools can swap; they swap {', '.join(SWAPPABLE)}")
    return plan


def _metrics(swap: Swap) -> list[str]:
    values = [swap.value] if isinstance(swap.value, str) else swap.value
    if not isinstance(values, (list, tuple)) or not all(isinstance(item, str) for item in values):
        raise swap.refuse("metrics are a list of names, e.g. ['acc']")
    unknown = [item for item in values if item not in (*METRICS, *METRIC_ALIASES, NO_METRIC)]
    if unknown:
        raise swap.refuse(f"{quoted(unknown[0])} is not a metric these tools offer")
    return list(dict.fromkeys(METRIC_ALIASES.get(item, item) for item in values if item != NO_METRIC))


def _typed(swap: Swap, field: Any) -> Any:
    """A value checked by the form's own field (its type and bounds)."""
    if isinstance(swap.value, float) and not math.isfinite(swap.value):
        raise swap.refuse(f"{swap.value} is not a finite number")
    try:
        return field.parse(Params({field.name: swap.value}))
    except UserError as err:
        raise swap.refuse(str(err)) from None


def apply_swaps(model: Any, meta: Any, swaps: list[Swap]) -> Any:
    """The model with the swaps applied (a new model when a layer or the seed changes); ``meta.fit`` is updated."""
    if not swaps:
        return model
    from .keras_env import keras

    plan = _plan(swaps)
    fit = dict(meta.fit)
    fit.update(plan.fit)
    if plan.seed is not None:
        fit[SEED.name] = _typed(plan.seed, SEED)
    compile_config = dict(model.get_compile_config() or {})
    optimizer = model.optimizer
    recompile = bool(plan.layers) or plan.seed is not None
    if recompile:
        model = _rebuilt(model, meta, plan, fit.get(SEED.name))
    if plan.optimizer or plan.optimizer_args:
        compile_config["optimizer"] = keras.optimizers.serialize(_optimizer(keras, optimizer, plan))
        recompile = True
    if plan.loss is not None:
        compile_config["loss"] = plan.loss
        recompile = True
    if plan.metrics is not None:
        compile_config["metrics"] = [keras.saving.serialize_keras_object(make_metric(keras, name))
                                     for name in plan.metrics]
        recompile = True
    if recompile:
        try:
            model.compile_from_config(compile_config)
        except (ValueError, TypeError) as err:
            raise UserError(f"the swapped hyperparameters do not compile: {summarise(err)}") from None
    meta.fit = fit
    for swap in swaps:
        print(f"hyperparameter {shown(swap.name)} = {quoted(swap.value)}")
    return model


def _optimizer(keras: Any, current: Any, plan: _Plan) -> Any:
    name = plan.optimizer or type(current).__name__
    if name not in OPTIMIZERS:
        raise UserError(f"the model's optimizer {name} is not one these tools build; swap 'optimizer' too")
    fields = {item.name: item for item in OPTIMIZERS[name][1]}
    config = current.get_config()
    options = {key: value for key, value in config.items() if key in fields and isinstance(value, (int, float, bool))}
    for key, (swap, value) in plan.optimizer_args.items():
        if key not in fields:
            raise swap.refuse(f"the optimizer {name} has no argument '{shown(key)}' (it has {', '.join(fields)})")
        options[key] = _typed(swap, fields[key])
    return make_optimizer(keras, name, options)


def _rebuilt(model: Any, meta: Any, plan: _Plan, seed: int | None) -> Any:
    """The model built again from its configuration with the layer arguments changed."""
    from .model_io import read_model_json
    from .splitting import DEFAULT_SEED

    first = plan.layers[0][0] if plan.layers else plan.seed
    if meta.trained:
        raise first.refuse("it rebuilds the model, which would discard the weights it was trained to; swap it on "
                           "the built model from 'Create deep learning model'")
    config = json.loads(model.to_json())
    config.pop("compile_config", None)
    layers = config.get("config", {}).get("layers", [])
    for swap, index, class_name, keys in plan.layers:
        if index >= len(layers):
            raise swap.refuse(f"the model has {len(layers)} layers in its configuration (0 to {len(layers) - 1})")
        entry = layers[index]
        if entry.get("class_name") != class_name:
            raise swap.refuse(f"layer {index} of the model is a {shown(entry.get('class_name'))}, "
                              f"not a {shown(class_name)}")
        node: Any = entry
        for depth, key in enumerate(keys[:-1]):
            node = node.get(key) if isinstance(node, dict) else None
            if not isinstance(node, dict):
                raise swap.refuse(f"the layer's {shown('__'.join(keys[:depth + 1]))} holds no arguments to set")
        if keys[-1] not in node:
            names = ", ".join(sorted(key for key in node if not key.startswith("_"))[:30])
            raise swap.refuse(f"the layer's {shown('__'.join(keys[:-1]))} has no '{shown(keys[-1])}' (it has {names})")
        node[keys[-1]] = swap.value
    with tempfile.TemporaryDirectory(prefix="swap-") as tmp:
        path = Path(tmp) / "model.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        try:
            return read_model_json(path, seed=seed if seed is not None else DEFAULT_SEED)
        except UserError as err:
            raise first.refuse(f"the changed model is refused: {err}") from None
