"""Compile settings of models made elsewhere, as the settings "Create deep learning model" offers.

A Galaxy-ML model stores its loss, optimizer and metrics as Galaxy-ML
parameters (``optimizer: "adam"``, ``learning_rate``, ``beta_1``, ...); a
Keras HDF5 model stores them as Keras' ``training_config`` (an optimizer's
class and config, a loss, metrics). Neither is handed to Keras to
deserialise: each is mapped onto the suite's own catalogue
(``compile_catalog``: one of its losses, optimizers with their typed fields,
metrics), checked with the same bounds as the builder's form, and the model is
compiled from that, as the builder compiles. A setting the catalogue has no
field for is accepted only at the value that means "off" (a ``clipnorm`` of
None, a ``decay`` of 0); any other value is refused by name, never dropped.
Settings that change how fast, not what, Keras computes (``jit_compile``) and
an optimizer's ``name`` are ignored.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from .compile_catalog import (LOSS_ALIASES, LOSS_CLASSES, LOSSES, METRIC_ALIASES, METRIC_CLASSES, METRICS, NO_METRIC,
                              OPTIMIZERS, make_metric, make_optimizer)
from .errors import UserError, quoted, shown
from .fields import parse_fields
from .params import Params

_LOSS_NAMES = {name: loss for loss, name in LOSS_CLASSES.items()}
_METRIC_NAMES = {**{name: metric for metric, name in METRIC_CLASSES.items()},
                 "BinaryAccuracy": "binary_accuracy", "CategoricalAccuracy": "categorical_accuracy",
                 "SparseCategoricalAccuracy": "sparse_categorical_accuracy",
                 "TopKCategoricalAccuracy": "top_k_categorical_accuracy",
                 "SparseTopKCategoricalAccuracy": "sparse_top_k_categorical_accuracy", "MeanSquaredError": "mse",
                 "MeanAbsoluteError": "mae", "MeanAbsolutePercentageError": "mape",
                 "MeanSquaredLogarithmicError": "msle", "CosineSimilarity": "cosine_similarity"}

# Galaxy-ML's optimizer names -> the catalogue's, with the value Galaxy-ML used for each field it
# passes when the parameter is empty (it wrote ``value or default``, so 0 too meant the default).
GALAXY_ML_OPTIMIZERS: dict[str, tuple[str, dict[str, Any]]] = {
    "sgd": ("SGD", {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}),
    "rmsprop": ("RMSprop", {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-07,
                            "centered": False}),
    "adam": ("Adam", {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}),
    "adadelta": ("Adadelta", {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-07}),
    "adagrad": ("Adagrad", {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-07}),
    "adamax": ("Adamax", {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07}),
    "nadam": ("Nadam", {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07}),
    "ftrl": ("Ftrl", {"learning_rate": 0.001, "learning_rate_power": -0.5, "initial_accumulator_value": 0.1,
                      "l1_regularization_strength": 0.0, "l2_regularization_strength": 0.0,
                      "l2_shrinkage_regularization_strength": 0.0, "beta": 0.0}),
}
# Galaxy-ML's optimizer parameters (those of all its optimizers, and its older versions' lr and decays).
GALAXY_ML_OPTIMIZER_PARAMS = ("learning_rate", "lr", "momentum", "nesterov", "epsilon", "rho", "centered", "amsgrad",
                              "beta_1", "beta_2", "learning_rate_power", "initial_accumulator_value", "beta",
                              "l1_regularization_strength", "l2_regularization_strength",
                              "l2_shrinkage_regularization_strength", "decay", "schedule_decay")
# Keras optimizer config keys without a catalogue field: the values that mean "off", and what else they do.
_OPTIMIZER_OFF: dict[str, tuple[tuple[Any, ...], str]] = {
    "decay": ((0, None), "Keras 2's learning-rate decay per step"), "clipnorm": ((None,), "gradient clipping"),
    "clipvalue": ((None,), "gradient clipping"), "global_clipnorm": ((None,), "gradient clipping"),
    "use_ema": ((False, None), "an exponential moving average of the weights"),
    "weight_decay": ((None, 0), "weight decay (the AdamW optimizer has it)"),
    "loss_scale_factor": ((None,), "loss scaling"),
    "gradient_accumulation_steps": ((None,), "gradient accumulation"),
    "beta": ((0, None), "Ftrl's beta"), "l2_shrinkage_regularization_strength": ((0, None), "Ftrl's L2 shrinkage"),
}
# Keys that change nothing these tools compute: a name, compilation for speed, Keras 2's format
# marker, and the moving-average settings that only matter when use_ema is on (refused otherwise).
_OPTIMIZER_IGNORED = ("name", "jit_compile", "is_legacy_optimizer", "ema_momentum", "ema_overwrite_frequency")
_ADVICE = "build the model again with 'Create deep learning model'"
_shown = partial(quoted, limit=60)  # a value from a file in a message: text quoted, escaped and bounded


def checked_settings(loss: Any, optimizer: str, options: dict[str, Any], metrics: list[Any], where: str) -> dict:
    """The builder's compile settings (loss, optimizer, optimizer_options, metrics), each from the catalogue."""
    if not isinstance(loss, str):
        raise UserError(f"{where}: the loss is {_shown(loss)}, not one loss by name (a model with several "
                        f"outputs?); these tools train one output with one loss: {_ADVICE}")
    name = LOSS_ALIASES.get(_plain_name(loss, "loss", where), loss)
    if name not in LOSSES:
        raise UserError(f"{where}: the loss {_shown(loss)} is not one these tools train with ({', '.join(LOSSES)}): "
                        f"{_ADVICE}")
    if _plain_name(optimizer, "optimizer", where) not in OPTIMIZERS:
        raise UserError(f"{where}: the optimizer {_shown(optimizer)} is not one these tools offer "
                        f"({', '.join(OPTIMIZERS)}): {_ADVICE}")
    fields = OPTIMIZERS[optimizer][1]
    unknown = sorted(set(options) - {field.name for field in fields}, key=str)
    if unknown:
        raise UserError(f"{where}: the {optimizer} optimizer's setting {_shown(unknown[0])} is not one these tools "
                        f"set: {_ADVICE}")
    try:
        checked = parse_fields(fields, Params(options))
    except UserError as err:
        raise UserError(f"{where}, {optimizer} optimizer: {err}; {_ADVICE}") from None
    names = []
    for metric in metrics:
        metric = METRIC_ALIASES.get(_plain_name(metric, "metric", where), metric)
        if metric == NO_METRIC:
            continue
        if metric not in METRICS:
            raise UserError(f"{where}: the metric {_shown(metric)} is not one these tools report "
                            f"({', '.join(METRICS)}): {_ADVICE}")
        if metric not in names:
            names.append(metric)
    return {"loss": name, "optimizer": optimizer, "optimizer_options": checked, "metrics": names}


def from_galaxy_ml(params: dict[str, Any], where: str) -> dict:
    """Compile settings from a Galaxy-ML model's parameters, with Galaxy-ML's own defaults for empty ones."""
    optimizer = params.get("optimizer", "rmsprop")  # Galaxy-ML's default optimizer
    if _plain_name(optimizer, "optimizer", where) not in GALAXY_ML_OPTIMIZERS:
        raise UserError(f"{where}: the optimizer {_shown(optimizer)} is not one Galaxy-ML builds "
                        f"({', '.join(GALAXY_ML_OPTIMIZERS)}); refusing to guess it")
    name, defaults = GALAXY_ML_OPTIMIZERS[optimizer]
    given = {**params, "learning_rate": params.get("learning_rate", params.get("lr"))}
    fields = {field.name for field in OPTIMIZERS[name][1]}
    # Galaxy-ML passes only the chosen optimizer's own parameters, each as ``value or default``; one the
    # catalogue has no field for is accepted at its default (what "off" means for it) only.
    values = {key: given.get(key) or default for key, default in {**defaults, "decay": 0.0}.items()}
    for key, value in values.items():
        if key not in fields and value != defaults.get(key, 0.0):
            raise UserError(f"{where}: the {name} optimizer's {key} is {_shown(value)}; these tools have no such "
                            f"setting (only {defaults.get(key, 0.0)!r}): {_ADVICE}")
    options = {key: value for key, value in values.items() if key in fields}
    if optimizer == "nadam" and (given.get("schedule_decay") or 0.004) != 0.004:
        raise UserError(f"{where}: Nadam's schedule_decay is {_shown(given['schedule_decay'])}; Keras 3's Nadam has "
                        f"only Keras 2's default of 0.004: {_ADVICE}")
    metrics = params.get("metrics") or []
    if not isinstance(metrics, list):
        raise UserError(f"{where}: 'metrics' is not a list")
    return checked_settings(params.get("loss"), name, options, metrics, where)


def from_training_config(training: Any, where: str) -> dict:
    """Compile settings from a Keras HDF5 model's ``training_config`` (Keras 2 or Keras 3)."""
    if not isinstance(training, dict):
        raise UserError(f"{where} is not an object")
    for key in ("loss_weights", "weighted_metrics"):
        if training.get(key):
            raise UserError(f"{where} sets {key}, which these tools do not use (one output, unweighted): "
                            f"{_ADVICE}")
    optimizer = training.get("optimizer_config")
    if not isinstance(optimizer, dict) or not isinstance(optimizer.get("config"), dict):
        raise UserError(f"{where} has no optimizer configuration: {_ADVICE}")
    name = _catalogue_name(optimizer.get("class_name"), OPTIMIZERS, "optimizer", where)
    options = {}
    fields = {field.name for field in OPTIMIZERS[name][1]}
    for key, value in optimizer["config"].items():
        key = "learning_rate" if key == "lr" else key
        if key in fields:
            options[key] = value
        elif key in _OPTIMIZER_OFF:
            off, what = _OPTIMIZER_OFF[key]
            if not any(value is allowed or (allowed is not None and value == allowed) for allowed in off):
                raise UserError(f"{where}: the {name} optimizer sets {key}={_shown(value)} ({what}), which these tools "
                                f"do not offer: {_ADVICE}")
        elif key not in _OPTIMIZER_IGNORED:
            raise UserError(f"{where}: the {name} optimizer's setting '{shown(key)}' is not one these tools know: "
                            f"{_ADVICE}")
    if isinstance(options.get("learning_rate"), dict):
        raise UserError(f"{where}: the learning rate is a schedule "
                        f"({shown(options['learning_rate'].get('class_name'))}), which these tools do not offer: "
                        f"{_ADVICE}")
    return checked_settings(_loss_name(training.get("loss"), where), name, options,
                            [_metric_name(metric, where) for metric in _one_output(training.get("metrics"), where)],
                            where)


def loss_of_training_config(training: Any, where: str = "the model file's training_config") -> str | None:
    """The loss by the catalogue's name when a training_config gives one, else None (for guessing).

    Prediction reads it only to tell a regressor from a classifier; a loss of the wrong type (a list, a
    number, a Python function path, an object that is no loss) is refused all the same, by name.
    """
    loss = training.get("loss") if isinstance(training, dict) else None
    if loss is None:
        return None
    loss = _loss_name(loss, where, options=False)  # a loss option matters for training only
    return LOSS_ALIASES.get(loss, loss) if isinstance(loss, str) else None


def compile_model(model: Any, settings: dict) -> None:
    """Compile as the builder does, from checked settings."""
    from .keras_env import keras

    model.compile(loss=settings["loss"],
                  optimizer=make_optimizer(keras, settings["optimizer"], settings["optimizer_options"]),
                  metrics=[make_metric(keras, name) for name in settings["metrics"]])


def _catalogue_name(name: Any, catalogue: dict, kind: str, where: str) -> str:
    """A Keras class name matched to the catalogue, ignoring case (Keras 2 wrote 'Adam' and 'adam')."""
    by_lower = {key.lower(): key for key in catalogue}
    if not isinstance(name, str) or name.lower() not in by_lower:
        raise UserError(f"{where}: the {kind} {_shown(name)} is not one these tools offer "
                        f"({', '.join(catalogue)}): {_ADVICE}")
    return by_lower[name.lower()]


def _one_output(metrics: Any, where: str) -> list[Any]:
    """The metrics of the one output: Keras 2 nests them per output (a list of lists, or by output name)."""
    if metrics is None:
        return []
    if isinstance(metrics, dict) and len(metrics) == 1:
        metrics = next(iter(metrics.values()))
    if isinstance(metrics, list) and len(metrics) == 1 and isinstance(metrics[0], list):
        metrics = metrics[0]
    if not isinstance(metrics, list) or any(isinstance(metric, list) for metric in metrics):
        raise UserError(f"{where}: the metrics are not one list (a model with several outputs?); these tools "
                        f"train one output: {_ADVICE}")
    return metrics


# Where Keras keeps the functions a config may name as a loss or a metric ({"class_name": "function", ...}).
_FUNCTION_MODULES = {"loss": (None, "keras.losses", "builtins"), "metric": (None, "keras.metrics", "builtins")}
_PLURALS = {"loss": "losses", "metric": "metrics", "optimizer": "optimizers"}


def _plain_name(value: Any, kind: str, where: str) -> str:
    """A loss, metric or optimizer given by name; anything else (a list, a number, an object, a dotted Python
    path to a function) refused by what it is, before it is looked up in a catalogue."""
    if isinstance(value, str):
        if "." in value:
            raise UserError(f"{where}: the {kind} {_shown(value)} is a Python function path; these tools use "
                            f"Keras' built-in {_PLURALS[kind]} by name only: {_ADVICE}")
        return value
    several = " (one for each output?)" if kind != "optimizer" else ""
    what = f"a list{several}" if isinstance(value, (list, tuple)) else \
        "an object" if isinstance(value, dict) else "a number" if isinstance(value, (int, float)) else "empty"
    raise UserError(f"{where}: the {kind} is {what} ({_shown(value)}), not one {kind} by name: {_ADVICE}")


def _function_name(node: dict, kind: str, where: str) -> str:
    """Keras' serialised function (``{"class_name": "function", "config": "mse", "module": "keras.losses"}``)."""
    name, module = node.get("config"), node.get("module")
    if module not in _FUNCTION_MODULES[kind]:
        raise UserError(f"{where}: the {kind} is the function {_shown(name)} from module {_shown(module)}, "
                        f"outside Keras' {_PLURALS[kind]}; these tools use Keras' built-in {_PLURALS[kind]} only: "
                        f"{_ADVICE}")
    return _plain_name(name, kind, where)


def _class_of(node: dict, kind: str, where: str) -> tuple[str, dict]:
    """An object's class name and config, each of its type (Keras' {"class_name": ..., "config": {...}})."""
    class_name, config = node.get("class_name"), node.get("config")
    if not isinstance(class_name, str) or not isinstance(config, (dict, type(None))) and class_name != "function":
        raise UserError(f"{where}: the {kind} is an object ({_shown(node)}) that is not Keras' form of one "
                        f"(a class_name and a config): {_ADVICE}")
    return class_name, config or {}


def _loss_name(loss: Any, where: str, options: bool = True) -> Any:
    """A loss object (Keras' class and its options) by its catalogue name; options other than the defaults
    refused (when ``options``: training uses them, prediction does not)."""
    if not isinstance(loss, dict):
        return _plain_name(loss, "loss", where) if loss is not None else None
    class_name, config = _class_of(loss, "loss", where)
    if class_name == "function":  # Keras 3's form of a loss function
        return _function_name(loss, "loss", where)
    name = _LOSS_NAMES.get(class_name)
    if name is None and class_name == "LossFunctionWrapper":  # Keras 2's wrapper of a loss function
        name = _plain_name(config.get("fn"), "loss", where)
    if not isinstance(name, str):
        raise UserError(f"{where}: the loss {_shown(class_name)} is not one these tools train with: {_ADVICE}")
    for key, value in config.items() if options else ():
        if key in ("from_logits", "label_smoothing") and value:
            raise UserError(f"{where}: the loss {name} sets {key}={_shown(value)}, which these tools do not offer: "
                            f"{_ADVICE}")
    return name


def _metric_name(metric: Any, where: str) -> Any:
    """A metric object by its catalogue name, when it has Keras 3's default options (beyond its name)."""
    if not isinstance(metric, dict):
        return _plain_name(metric, "metric", where)
    kind, config = _class_of(metric, "metric", where)
    if kind == "function":
        return _function_name(metric, "metric", where)
    if kind == "MeanMetricWrapper":  # Keras 2's wrapper of a metric function, named by the function
        return _plain_name(config.get("fn"), "metric", where)
    name = _METRIC_NAMES.get(kind)
    if name is None:
        raise UserError(f"{where}: the metric {_shown(kind)} is not one these tools report: {_ADVICE}")
    from .keras_env import keras

    defaults = getattr(keras.metrics, kind)().get_config()
    for key, value in config.items():
        if key not in ("name", "dtype") and key in defaults and value != defaults[key]:
            raise UserError(f"{where}: the metric {kind} sets {shown(key)}={_shown(value)}, which these tools do "
                            f"not offer (they use its default {_shown(defaults[key])}): {_ADVICE}")
        if key not in defaults and key not in ("name", "dtype") and value not in (None, False):
            raise UserError(f"{where}: the metric {kind} sets {shown(key)}={_shown(value)}, which Keras 3's {kind} "
                            f"does not have: {_ADVICE}")
    return name
