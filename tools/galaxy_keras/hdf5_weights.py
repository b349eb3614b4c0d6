"""Weights in Keras' HDF5 layout (Keras 2 and Keras 3 ``.h5``, Galaxy-ML's models) into a built model.

The layout: a group with the attribute ``layer_names``; under it one group a
layer, with the attribute ``weight_names``, each a path (within the layer's
group) to one dataset. Like Keras, the layers that have weights are matched
in order, and each layer's weights in order (trainable first, then the
others, as Keras 2 and 3 both save them). Unlike Keras, everything is checked
before any value is read: the counts, each dataset's declared shape against
the variable it is for (so a dataset declaring a huge shape is refused from
its declaration), and its type; only then is each dataset read, by h5py, and
assigned.
"""

from __future__ import annotations

from typing import Any

from .errors import UserError
from .hdf5_checks import read_names


def layer_weights(layer: Any) -> list[Any]:
    """A layer's variables in the order Keras' HDF5 format stores them."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def load_weights(model: Any, group: Any, what: str) -> None:
    """Assign every weight of ``model`` from the HDF5 ``group``; ``what`` names the group in messages."""
    import h5py

    stored = []
    for name in read_names(group.attrs.get("layer_names"), f"{what}'s layer_names"):
        if name not in group or not isinstance(group[name], h5py.Group):
            raise UserError(f"{what} lists the layer '{name}' but has no group for it; the file is damaged")
        layer_group = group[name]
        names = read_names(layer_group.attrs.get("weight_names"), f"{what}'s weight_names of layer '{name}'")
        if names:
            stored.append((name, [_dataset(layer_group, weight, f"{what}, layer '{name}'") for weight in names]))
    layers = [layer for layer in model.layers if layer_weights(layer)]
    if len(stored) != len(layers):
        raise UserError(f"{what} holds weights for {len(stored)} layers, but the model's configuration has "
                        f"{len(layers)} layers with weights; the weights are not this model's")
    for (name, datasets), layer in zip(stored, layers):
        variables = layer_weights(layer)
        if len(datasets) != len(variables):
            raise UserError(f"{what}: the layer '{name}' has {len(datasets)} weights, but the model's layer "
                            f"'{layer.name}' has {len(variables)}; the weights are not this model's")
        for dataset, variable in zip(datasets, variables):
            if tuple(dataset.shape) != tuple(variable.shape):
                raise UserError(f"{what}: the weight '{dataset.name}' has the shape {tuple(dataset.shape)}, but the "
                                f"model's layer '{layer.name}' needs {tuple(variable.shape)} there; the weights are "
                                f"not this model's")
    for (name, datasets), layer in zip(stored, layers):
        for dataset, variable in zip(datasets, layer_weights(layer)):
            variable.assign(dataset[()])


def _dataset(group: Any, path: str, what: str) -> Any:
    """The dataset a weight name points to, which must be numbers (the file's links were checked before)."""
    import h5py

    node = group.get(path)
    if not isinstance(node, h5py.Dataset):
        raise UserError(f"{what}: the weight '{path}' is listed but not stored; the file is damaged")
    if node.dtype.kind not in "fiub":
        raise UserError(f"{what}: the weight '{path}' is of type {node.dtype}, not numbers; refusing to read it")
    return node
