"""Refuse model configurations that could run code when loaded.

Keras configs name classes by module and class name. A malicious file can
ask for a Lambda layer (pickled Python), a custom object, or a class from an
arbitrary module (CVE-2024-3660, CVE-2025-1550). Before anything is
deserialised, every object in the config is checked here: it must come from
Keras itself and must not be one of the code-carrying classes. Keras' own
``safe_mode`` stays on as a second line of defence.
"""

from __future__ import annotations

from typing import Any

from .errors import UserError

# Classes that carry or load code or foreign graphs.
CODE_CARRYING = {"Lambda", "TFSMLayer", "__lambda__", "TorchModuleWrapper", "JaxLayer", "FlaxLayer"}
_MAX_DEPTH = 200


def check_config(config: Any, source: str = "model") -> None:
    """Raise UserError if any object in a Keras config is not a plain Keras built-in."""
    _walk(config, source, 0)


def _walk(node: Any, source: str, depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise UserError(f"{source}: configuration is nested too deeply to be a Keras model")
    if isinstance(node, list):
        for item in node:
            _walk(item, source, depth + 1)
        return
    if not isinstance(node, dict):
        return
    class_name = node.get("class_name")
    module = node.get("module")
    registered = node.get("registered_name")
    if class_name is not None:
        if not isinstance(class_name, str):
            raise UserError(f"{source}: malformed configuration (class_name is not text)")
        if class_name in CODE_CARRYING:
            raise UserError(f"{source} contains a '{class_name}' object, which can run code; refusing to load it")
        if module is not None and not (isinstance(module, str) and (module == "keras" or module.startswith("keras."))):
            raise UserError(f"{source} refers to '{class_name}' from module '{module}', outside Keras; "
                            f"refusing to load it")
        if class_name == "function" and isinstance(node.get("config"), dict):
            raise UserError(f"{source} contains serialised Python code; refusing to load it")
        if registered not in (None, class_name) and not (isinstance(registered, str) and registered.startswith("keras")):
            raise UserError(f"{source} uses the custom object '{registered}'; only built-in Keras objects are allowed")
    for value in node.values():
        _walk(value, source, depth + 1)
