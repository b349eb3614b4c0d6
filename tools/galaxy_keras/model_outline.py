"""A model in two short lines, for the top of the architecture tool's stdout.

Galaxy shows the first 255 characters of a job's stdout as the output's
information; Keras' ``model.summary()`` table spends them on its frame. These
lines come first, e.g.::

    Sequential model: 3 layers, 373,301 parameters (373,301 trainable)
    Embedding -> LSTM -> Dense; input (None, 500), output (None, 1)

and the whole summary follows them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# The layer chain is cut to leave room for the first line and the shapes within Galaxy's 255 characters.
MAX_CHAIN = 120


def _shapes(tensors: Any) -> str:
    items = tensors if isinstance(tensors, (list, tuple)) else [tensors]
    return ", ".join(str(tuple(item.shape)) for item in items)


def chain(names: list[str], limit: int = MAX_CHAIN) -> str:
    """Layer class names joined by arrows, the middle left out (and counted) where they run past ``limit``."""
    text = " -> ".join(names)
    if len(text) <= limit:
        return text
    head, tail = names[:2], names[-2:]
    return " -> ".join(head) + f" -> ... ({len(names) - 4} more) -> " + " -> ".join(tail)


def outline(model: Any) -> list[str]:
    total = int(model.count_params())
    trainable = int(sum(int(np.prod(weight.shape)) for weight in model.trainable_weights))
    kind = "Sequential" if type(model).__name__ == "Sequential" else "Functional"
    layers = [type(layer).__name__ for layer in model.layers if type(layer).__name__ != "InputLayer"]
    frozen = f", {total - trainable:,} non-trainable" if total != trainable else ""
    second = chain(layers)
    try:
        second += f"; input {_shapes(model.inputs)}, output {_shapes(model.outputs)}"
    except (AttributeError, ValueError):  # a model without defined inputs has no shapes to show
        pass
    return [f"{kind} model: {len(layers)} layers, {total:,} parameters ({trainable:,} trainable{frozen})", second]
