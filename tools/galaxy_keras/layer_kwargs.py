"""A layer's free-text "kwargs" field: name=value pairs read as data, never run.

Galaxy-ML gave every layer a text box for the Keras arguments its form lacks
(the GTN CNN tutorial types ``padding='same'`` there) and evaluated it as
Python. Here Python's parser only splits the text into name=value pairs; each
value must be a plain literal (``ast.literal_eval``: numbers, quoted text,
True, False, None, and tuples or lists of them) and each name an argument of
the layer's Keras 3 class. Anything else is refused with the layer, the
argument and what to do instead. Nothing typed here is ever executed.
"""

from __future__ import annotations

import ast
import difflib
import inspect
import math
from typing import Any, Callable

from .errors import UserError, quoted

MAX_LENGTH = 1000  # characters: far more than any set of layer arguments
MAX_NESTING = 3  # ((1, 1), (2, 2)) is two levels
EXAMPLE = "padding='same', strides=(2, 2)"
PLAIN_VALUES = "numbers, text in quotes, True, False, None, and tuples or lists of them"

# Arguments of Keras 3 layers that are not set from this field, with what to do instead.
_SHAPE = "the model's input_shape (Sequential) or an Input layer's shape (Functional) gives the input's shape"
REFUSED = {
    "name": "the tool names every layer itself (layer_1, layer_2, ...)",
    "input_shape": _SHAPE, "input_dim": _SHAPE, "batch_input_shape": _SHAPE, "batch_shape": _SHAPE,
    "batch_size": "the training tool's batch size sets it",
    "weights": "initial weights cannot be typed in",
    "layer": "choose the recurrent layer in the form", "backward_layer": "choose the recurrent layer in the form",
    "tensor": "an Input layer cannot wrap an existing tensor here",
    "input_tensor": "an Input layer cannot wrap an existing tensor here",
    "quantization_config": "these tools do not build quantized layers",
}
# Keras 2 arguments that Keras 3 dropped with nothing in their place: accepted, left out, and said so.
KERAS2_ONLY = {
    "implementation": "Keras 3 chooses the recurrent implementation itself",
    "input_length": "Keras 3 takes the sequence length from the input's shape",
}


def _plain(node: ast.AST, depth: int = 0) -> bool:
    """Whether a parsed value is a literal of the accepted kinds (checked before literal_eval)."""
    if isinstance(node, ast.Constant):
        value = node.value
        return value is None or isinstance(value, (bool, int, str)) or \
            (isinstance(value, float) and math.isfinite(value))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = node.operand
        return isinstance(operand, ast.Constant) and isinstance(operand.value, (int, float)) and \
            not isinstance(operand.value, bool) and math.isfinite(operand.value)
    if isinstance(node, (ast.Tuple, ast.List)) and depth < MAX_NESTING:
        return all(_plain(item, depth + 1) for item in node.elts)
    return False


def _why_not_plain(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        if node.id.lower() in ("true", "false", "none"):
            return f"write {node.id.capitalize()}"
        return f"write text in quotes, like '{node.id}'"
    if isinstance(node, (ast.Tuple, ast.List)):
        return f"tuples and lists may hold {PLAIN_VALUES}, nested at most {MAX_NESTING} deep"
    return f"only {PLAIN_VALUES} are accepted, never code"


def _value(node: ast.AST, source: str, what: str) -> Any:
    if not _plain(node):
        shown = " ".join((ast.get_source_segment(source, node) or "").split())[:60]
        raise UserError(f"{what}{shown} is not a plain value: {_why_not_plain(node)}")
    return ast.literal_eval(node)


def _parse(source: str, what: str) -> ast.Expression:
    try:
        return ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise UserError(f"{what} cannot be read: write name=value pairs separated by commas, like {EXAMPLE}") \
            from None


def parse_literal(text: str, what: str) -> Any:
    """One plain value written as text, e.g. ``((0, 0), (1, 1))`` or ``[1, 2]``."""
    if len(text) > MAX_LENGTH:
        raise UserError(f"{what} is {len(text):,} characters long; at most {MAX_LENGTH:,} are accepted")
    tree = _parse(text.strip(), what)
    return _value(tree.body, text.strip(), f"{what} ")


def parse_kwargs(text: str | None, where: str) -> dict[str, Any]:
    """``padding='same', strides=(2, 2)`` -> {"padding": "same", "strides": (2, 2)}; nothing is run."""
    text = (text or "").strip()
    if not text:
        return {}
    what = f"{where}: kwargs"
    if len(text) > MAX_LENGTH:
        raise UserError(f"{what} is {len(text):,} characters long; at most {MAX_LENGTH:,} are accepted")
    source = f"f({text})"  # parsed as the arguments of a call, never evaluated
    call = _parse(source, what).body
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name) or call.func.id != "f" \
            or call.args or any(item.arg is None for item in call.keywords):
        raise UserError(f"{what} must be name=value pairs separated by commas, like {EXAMPLE}; got {quoted(text)}")
    values: dict[str, Any] = {}
    for item in call.keywords:
        if item.arg in values:
            raise UserError(f"{what} gives '{item.arg}' twice; keep one")
        values[item.arg] = _value(item.value, source, f"{what} {item.arg}=")
    return values


def keras_arguments(target: Callable[..., Any]) -> set[str]:
    """The keyword arguments a Keras layer class (or keras.Input) takes, base Layer ones included."""
    init = target.__init__ if inspect.isclass(target) else target
    names = {name for name, parameter in inspect.signature(init).parameters.items()
             if name != "self" and parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)}
    if inspect.isclass(target):
        from .keras_env import keras

        names |= keras_arguments(keras.layers.Layer) if target is not keras.layers.Layer else set()
    return names


def check_names(given: dict[str, Any], allowed: set[str], where: str, class_name: str) -> tuple[dict[str, Any],
                                                                                                 list[str]]:
    """Keep the arguments the Keras class takes; refuse the others by name with what to do.

    Returns the accepted arguments and notes about Keras 2 arguments left out.
    """
    accepted, notes = {}, []
    for name, value in given.items():
        if name in KERAS2_ONLY:
            notes.append(f"{where}: kwargs {name}={quoted(value)} is a Keras 2 argument; it is left out "
                         f"({KERAS2_ONLY[name]})")
        elif name in REFUSED:
            raise UserError(f"{where}: kwargs argument '{name}' is not accepted: {REFUSED[name]}; remove it")
        elif name in allowed:
            accepted[name] = value
        else:
            close = difflib.get_close_matches(name, sorted(allowed - set(REFUSED)), n=1)
            hint = f"did you mean '{close[0]}'?" if close else \
                f"Keras 3's {class_name} takes {', '.join(sorted(allowed - set(REFUSED)))}"
            raise UserError(f"{where}: kwargs argument '{name}' is not an argument of Keras 3's {class_name}; "
                            f"remove it or correct its name ({hint})")
    return accepted, notes
