"""Weights in Keras' HDF5 layout (Keras 2 and Keras 3 ``.h5``, Galaxy-ML's models) into a built model.

The layout: a group with the attribute ``layer_names``; under it one group a
layer, with the attribute ``weight_names``, each a path (within the layer's
group) to one dataset. Like Keras, the layers that have weights are matched
in order, and each layer's weights in order (trainable first, then the
others, as Keras 2 and 3 both save them). Unlike Keras, nothing is read from
the file here: the values come from the file's snapshot (hdf5_snapshot.py,
read and checked in a guarded child), every object's kind is checked (a
layer's entry is a group, a weight a dataset of numbers), and the counts and
each weight's shape are checked against the variable it is for before any
value is assigned. ``stored_weights`` needs no Keras, so that a tool's check
before TensorFlow starts refuses weights that are not finite numbers.
"""

from __future__ import annotations

from typing import Any

from .errors import UserError, shown
from .hdf5_checks import read_names
from .hdf5_snapshot import Dataset, Group


def layer_weights(layer: Any) -> list[Any]:
    """A layer's variables in the order Keras' HDF5 format stores them."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def stored_weights(group: Group, what: str) -> list[tuple[str, list[tuple[str, Dataset]]]]:
    """The layers with weights, in order, each with its weights (name and dataset of numbers), typed."""
    stored = []
    for name in read_names(group.attrs.get("layer_names"), f"{what}'s layer_names"):
        layer_group = group.get(name)
        if not isinstance(layer_group, Group):
            state = "has a dataset where its group should be" if layer_group is not None else "has no group for it"
            raise UserError(f"{what} lists the layer '{shown(name)}' but {state}; the file is damaged")
        names = read_names(layer_group.attrs.get("weight_names"),
                           f"{what}'s weight_names of layer '{shown(name)}'")
        if names:
            stored.append((name, [(weight, _dataset(layer_group, weight, f"{what}, layer '{shown(name)}'"))
                                  for weight in names]))
    return stored


def load_weights(model: Any, group: Group, what: str) -> None:
    """Assign every weight of ``model`` from the snapshot's ``group``; ``what`` names the group in messages."""
    from .model_checks import check_finite_values

    stored = stored_weights(group, what)
    check_finite_values(((name, weight, dataset.value) for name, weights in stored for weight, dataset in weights),
                         what)
    layers = [layer for layer in model.layers if layer_weights(layer)]
    if len(stored) != len(layers):
        raise UserError(f"{what} holds weights for {len(stored)} layers, but the model's configuration has "
                        f"{len(layers)} layers with weights; the weights are not this model's")
    for (name, datasets), layer in zip(stored, layers):
        variables = layer_weights(layer)
        if len(datasets) != len(variables):
            raise UserError(f"{what}: the layer '{shown(name)}' has {len(datasets)} weights, but the model's layer "
                            f"'{shown(layer.name)}' has {len(variables)}; the weights are not this model's")
        for (_, dataset), variable in zip(datasets, variables):
            if tuple(dataset.shape) != tuple(variable.shape):
                raise UserError(f"{what}: the weight '{shown(dataset.path)}' has the shape {tuple(dataset.shape)}, "
                                f"but the model's layer '{shown(layer.name)}' needs {tuple(variable.shape)} there; "
                                f"the weights are not this model's")
    for (name, datasets), layer in zip(stored, layers):
        for (_, dataset), variable in zip(datasets, layer_weights(layer)):
            variable.assign(dataset.value)


def _dataset(group: Group, path: str, what: str) -> Dataset:
    """The dataset a weight name points to, which must be numbers the snapshot has read."""
    node = group.get(path)
    if not isinstance(node, Dataset):
        state = "is a group, not a dataset" if node is not None else "is listed but not stored"
        raise UserError(f"{what}: the weight '{shown(path)}' {state}; the file is damaged")
    if node.is_text or not node.read:
        raise UserError(f"{what}: the weight '{shown(path)}' is of type {shown(node.dtype)}, not numbers; refusing "
                        f"to read it")
    return node
