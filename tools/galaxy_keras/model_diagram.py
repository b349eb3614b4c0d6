"""A diagram of a Keras model's layers, drawn from its JSON (Galaxy-ML's "keras plot model").

Galaxy-ML called ``keras.utils.plot_model``, which needs Graphviz and pydot.
Here the layers are read from the JSON as data (nothing is built or imported
from it) and drawn with matplotlib: one box a layer, "name: class" as Keras'
diagram shows them, with the settings that define the layer, and an arrow from
each layer to the layers that take its output. Keras 3 JSON (these tools'
architecture output) and Keras 2 JSON (Galaxy-ML's) are both read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UserError
from .model_limits import check_json_size
from .plot_common import literal
from .safety import load_json

MAX_LAYERS = 200
MAX_LINE = 60
SETTINGS = ("units", "filters", "kernel_size", "strides", "pool_size", "activation", "rate", "target_shape",
            "input_dim", "output_dim", "return_sequences", "batch_shape", "batch_input_shape", "dims", "axis",
            "n", "size", "padding", "merge_mode")
WHAT = "the model configuration"


@dataclass(frozen=True)
class Layer:
    name: str
    class_name: str
    settings: str
    inputs: tuple[str, ...]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "(" + ", ".join("None" if item is None else _text(item) for item in value) + ")"
    if isinstance(value, dict):
        return str(value.get("class_name", "{...}"))
    return str(value)


def _inbound(node: Any, found: list[str]) -> None:
    """The names of the layers a layer is called on: Keras 3 'keras_history', Keras 2 [name, i, j, {...}]."""
    if isinstance(node, dict):
        history = node.get("keras_history")
        if isinstance(history, list) and history and isinstance(history[0], str):
            found.append(history[0])
            return
        for value in node.values():
            _inbound(value, found)
    elif isinstance(node, list):
        if len(node) >= 3 and isinstance(node[0], str) and isinstance(node[1], int) and isinstance(node[2], int):
            found.append(node[0])
            return
        for item in node:
            _inbound(item, found)


def read_layers(path: str | Path) -> tuple[str, list[Layer]]:
    path = Path(path)
    check_json_size(path.stat().st_size, WHAT)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise UserError(f"{WHAT} is not valid JSON: {err}") from None
    model = load_json(text, WHAT)  # with the caps every model JSON reader checks (model_limits)
    if not isinstance(model, dict) or not isinstance(model.get("class_name"), str):
        raise UserError(f"{WHAT} is not a Keras model JSON (expected a Sequential or Functional model, as 'Create a "
                        f"deep learning model architecture' writes)")
    config = model.get("config")
    raw = config.get("layers") if isinstance(config, dict) else config
    if not isinstance(raw, list) or not raw:
        raise UserError(f"{WHAT} lists no layers")
    if len(raw) > MAX_LAYERS:
        raise UserError(f"{WHAT} has {len(raw):,} layers; a diagram shows at most {MAX_LAYERS}")
    sequential = model["class_name"] == "Sequential"
    layers: list[Layer] = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise UserError(f"{WHAT}: layer {i + 1} is not a JSON object")
        settings = entry.get("config") if isinstance(entry.get("config"), dict) else {}
        name = str(entry.get("name") or settings.get("name") or f"layer_{i + 1}")
        class_name = str(entry.get("class_name", "?"))
        parts = [f"{key}={_text(settings[key])}" for key in SETTINGS if settings.get(key) is not None]
        if isinstance(settings.get("layer"), dict):  # Bidirectional, TimeDistributed
            parts.insert(0, f"layer={_text(settings['layer'])}")
        found: list[str] = []
        if not sequential:
            _inbound(entry.get("inbound_nodes", []), found)
        inputs = tuple(dict.fromkeys(found)) if not sequential else ((layers[-1].name,) if layers else ())
        layers.append(Layer(name, class_name, ", ".join(parts), inputs))
    return str(model["class_name"]), layers


def _wrapped(text: str) -> str:
    lines, line = [], ""
    for word in text.split(", "):
        if line and len(line) + len(word) + 2 > MAX_LINE:
            lines.append(line + ",")
            line = word
        else:
            line = f"{line}, {word}" if line else word
    lines.append(line)
    shown = lines[:3] + (["..."] if len(lines) > 3 else [])
    return "\n".join(literal(item) for item in shown)


def draw(path: str | Path, plt, heading: str) -> int:
    """Draw the model's layers; returns how many."""
    kind, layers = read_layers(path)
    step = 1.2
    fig, ax = plt.subplots(figsize=(6.5, max(3.0, step * len(layers) * 0.75 + 1.2)))
    position = {}
    for i, layer in enumerate(layers):
        y = -i * step
        position[layer.name] = y
        label = f"{literal(layer.name[:MAX_LINE])}: {literal(layer.class_name[:MAX_LINE])}"
        if layer.settings:
            label += "\n" + _wrapped(layer.settings)
        ax.text(0, y, label, ha="center", va="center", fontsize=8, family="monospace",
                bbox=dict(boxstyle="round,pad=0.4", facecolor="#e8f0fb", edgecolor="#4a6fa5"))
    for i, layer in enumerate(layers):
        for source in layer.inputs:
            if source not in position:
                continue
            start, end = position[source], -i * step
            adjacent = abs(start - end) <= step * 1.01
            ax.annotate("", xy=(0, end + 0.33), xytext=(0, start - 0.33),
                        arrowprops=dict(arrowstyle="->", color="#4a6fa5",
                                        connectionstyle="arc3" if adjacent else "arc3,rad=-0.6"))
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-step * (len(layers) - 1) - 0.8, 0.8)
    ax.axis("off")
    ax.set_title(f"{heading} ({kind}, {len(layers)} layers)")
    return len(layers)
