"""Refuse model configurations that name anything the suite does not build.

Keras configs name classes and functions by module and name, and Keras
rebuilds whatever they name. A hostile file can ask for a Lambda layer
(pickled Python), a custom object, a class from an arbitrary module
(CVE-2024-3660, CVE-2025-1550), ``keras.utils.get_file`` dressed as a class or
a function (it downloads or reads any path), or a lookup layer whose
``vocabulary`` is a path to read. So the check is an allowlist, not a
denylist: before anything is deserialised, every object in the config (model
and compile config) must be a class the suite itself builds, from the Keras
module that holds it, and no argument may name a path, a URL or code. Keras'
own ``safe_mode`` stays on as a second line of defence, but this check stands
on its own.
"""

from __future__ import annotations

import json
from typing import Any

from .compile_catalog import LOSS_CLASSES, LOSSES, METRIC_CLASS_NAMES, METRICS, OPTIMIZERS
from .errors import UserError, shown
from .layer_catalog import ACTIVATIONS, LAYERS
from .model_limits import check_layer_arguments, check_tree

# Classes that carry or load code or foreign graphs: named as such, for a clearer message.
CODE_CARRYING = {"Lambda", "TFSMLayer", "__lambda__", "TorchModuleWrapper", "JaxLayer", "FlaxLayer"}
_MODEL_MODULES = frozenset({"keras", "keras.models", "keras.src.models.functional", "keras.src.models.sequential"})


def _allowed_classes() -> dict[str, frozenset[str]]:
    """class name -> the modules Keras keeps it in (Identity is a layer and an initializer)."""
    allowed: dict[str, frozenset[str]] = {}

    def add(names: Any, *modules: str) -> None:
        for name in names:
            allowed[name] = allowed.get(name, frozenset()) | frozenset(modules)

    add({spec.keras_class or spec.name for spec in LAYERS.values() if spec.name != "Input"} | {"InputLayer"},
        "keras.layers")
    add(("Sequential", "Functional", "Model"), *_MODEL_MODULES)
    add(("DTypePolicy", "FloatDTypePolicy"), "keras", "keras.dtype_policies")
    add(INITIALIZER_CLASSES, "keras.initializers")
    add(REGULARIZER_CLASSES, "keras.regularizers")
    add(CONSTRAINT_CLASSES, "keras.constraints")
    add(OPTIMIZERS, "keras.optimizers")
    add(LOSS_CLASSES.values(), "keras.losses")
    add(METRIC_CLASS_NAMES, "keras.metrics")
    return allowed


# The initializers, regularizers and constraints Keras ships (tests check each is a Keras class).
INITIALIZER_CLASSES = ("Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity",
                       "IdentityInitializer", "LecunNormal", "LecunUniform", "Ones", "Orthogonal",
                       "OrthogonalInitializer", "RandomNormal", "RandomUniform", "TruncatedNormal",
                       "VarianceScaling", "Zeros")
REGULARIZER_CLASSES = ("L1", "L2", "L1L2")
CONSTRAINT_CLASSES = ("MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm")
# Keras' own serialisation markers: the tensors that connect a functional model's layers, and tuples.
INTERNAL_CLASSES = ("__keras_tensor__", "__tuple__")
ALLOWED_CLASSES = _allowed_classes()
# class_name "function": only Keras' activations, losses and metrics by name.
FUNCTION_MODULES = frozenset({"builtins", "keras.activations", "keras.losses", "keras.metrics"})
FUNCTION_NAMES = frozenset(ACTIVATIONS) | frozenset(LOSSES) | frozenset(METRICS)
# Arguments that take a path, a URL or a callable: no layer the suite builds has one.
FORBIDDEN_ARGUMENTS = frozenset({"vocabulary", "idf_weights", "filepath", "filename", "fname", "path", "origin",
                                 "url", "root", "cache_dir", "cache_subdir", "backup_dir", "log_dir", "function", "fn",
                                 "code", "call_fn", "custom_objects"})


def load_json(text: str | bytes, source: str) -> Any:
    """Parse JSON from a user's file and check it against the caps (model_limits) before anything walks it.

    Nesting too deep for Python's parser, or a number too long for Python to read, is an error, not a crash.
    """
    try:
        tree = json.loads(text)
    except RecursionError:
        raise UserError(f"{source} is nested too deeply to be a Keras model or its settings "
                        f"(more than Python can parse); use a file made by these tools") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UserError(f"{source} is not valid JSON: {err}") from None
    except ValueError as err:  # a number of more digits than Python converts (sys.get_int_max_str_digits)
        raise UserError(f"{source} holds a number too long to read ({err}); use a file made by these tools") \
            from None
    check_tree(tree, source)
    return tree


def keras2_hint(config: Any) -> str | None:
    """Why a model config looks like a Keras 2 (Galaxy-ML) one, or None.

    Readers of Keras 2 files (model JSON, HDF5 and Galaxy-ML models) convert
    such a config to Keras 3's form (keras2_config.py) before ``check_config``;
    ``check_config`` itself refuses an unconverted one, so that no Keras 2
    config reaches Keras' legacy deserialiser unchecked.
    """
    if not isinstance(config, dict):
        return None
    version = config.get("keras_version")
    if isinstance(version, str) and version.startswith("2."):
        return f"keras_version {version}"
    if "module" not in config and isinstance(config.get("config"), (dict, list)):
        text = json.dumps(config)
        return "it has 'batch_input_shape'" if "batch_input_shape" in text else "its objects have no 'module'"
    return None


def check_config(config: Any, source: str = "model") -> None:
    """Raise UserError unless every object in a Keras config is one the suite builds.

    The caps (model_limits.check_tree) are checked first: a config that did not come through ``load_json``
    is capped as well (and the walk below, iterative, visits at most ``MAX_VALUES`` values).
    """
    check_tree(config, source)
    hint = keras2_hint(config)
    if hint:
        raise UserError(f"{source} is a Keras 2 (Galaxy-ML) model ({hint}); these tools read Keras 3 models: "
                        f"build it again with 'Create a deep learning model architecture'")
    _walk(config, source)


def _walk(config: Any, source: str) -> None:
    """Every object and argument of a config, depth first in the file's order, without recursion."""
    stack: list[Any] = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        if "class_name" in node:
            _check_object(node, source)
        for key in node:
            if key in FORBIDDEN_ARGUMENTS:
                raise UserError(f"{source} gives the argument '{key}' (a path, a URL or code), which no object "
                                f"these tools build takes; refusing to load it")
        stack.extend(reversed(list(node.values())))


def _check_object(node: dict[str, Any], source: str) -> None:
    class_name, module, registered = node.get("class_name"), node.get("module"), node.get("registered_name")
    if not isinstance(class_name, str) or not isinstance(module, (str, type(None))):
        raise UserError(f"{source}: malformed configuration (class_name or module is not text)")
    kind, where = shown(class_name), shown(module)
    if class_name in CODE_CARRYING:
        raise UserError(f"{source} contains a '{kind}' object, which can run code; refusing to load it")
    if module is not None and module != "keras" and not module.startswith("keras.") and \
            not (class_name == "function" and module == "builtins"):
        raise UserError(f"{source} refers to '{kind}' from module '{where}', outside Keras; refusing to load it")
    if class_name == "function":
        name = node.get("config")
        if not isinstance(name, str) or name not in FUNCTION_NAMES or module not in FUNCTION_MODULES:
            named = shown(name) if isinstance(name, str) else "serialised Python code"
            raise UserError(f"{source} contains the function '{named}' (module '{where}'), which is not an "
                            f"activation, loss or metric these tools use; refusing to load it")
        if registered not in (None, "function", name):
            raise UserError(f"{source} registers the function '{shown(name)}' under the name '{shown(registered)}'; "
                            f"only Keras built-ins by their own name are allowed")
        return
    if class_name in INTERNAL_CLASSES:
        if module is not None or registered is not None:
            raise UserError(f"{source}: Keras' internal '{kind}' entry names module '{where}'; refusing it")
        return
    modules = ALLOWED_CLASSES.get(class_name)
    if modules is None:
        raise UserError(f"{source} contains a '{kind}' object, which these tools do not build; refusing to "
                        f"load it (build the model with 'Create a deep learning model architecture')")
    if module not in modules:
        raise UserError(f"{source} names '{kind}' from module '{where}', where Keras keeps no such class; "
                        f"refusing to load it")
    if registered not in (None, class_name):
        raise UserError(f"{source} uses the custom object '{shown(registered)}' for '{kind}'; only built-in Keras "
                        f"objects are allowed")
    if module == "keras.layers":
        check_layer_arguments(class_name, node.get("config"), source)
