"""HDF5 files as data: read once in a guarded child (hdf5_snapshot.py), then typed values checked where used.

Three kinds of model file are HDF5: the weights member of a .keras archive, a
Keras HDF5 model (``model.save("x.h5")``) and a Galaxy-ML model (h5mlm).
``check_hdf5_file`` reads one into a snapshot (in a child process that a
crash or a hang of libhdf5 cannot take the job down with), after refusing
links, external and virtual storage, unknown filters, and declared sizes
beyond the memory plan. The loaders then read the snapshot's values through
the helpers here, each of which checks the value's type and size: a text is
a text of at most MAX_TEXT, a list of names is a 1-D list of texts, class
labels are a 1-D list of numbers or texts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import UserError
from .hdf5_snapshot import MAX_OBJECTS, MAX_TEXT, Dataset, Snapshot, TooLong, read_snapshot
from .resources import readable

__all__ = ["MAX_OBJECTS", "MAX_TEXT", "check_hdf5_file", "read_classes", "read_names", "read_text"]
MAX_CLASSES = 100_000  # class labels: far more than any classifier's output has units


def check_hdf5_file(path: Path, what: str, text: bool = False, read_all: bool = True,
                    budget_what: str | None = None, advice: str = "", keep: bool = True) -> Snapshot:
    """The file's snapshot: checked (see hdf5_snapshot) and read whole or as the loaders need it.

    ``what`` names the file in messages, e.g. "the model file's model.weights.h5";
    ``budget_what`` the datasets in the message when their declared sizes
    exceed the memory plan.
    """
    return read_snapshot(Path(path), what, text, read_all, budget_what or f"{what}'s datasets", advice, keep)


def read_text(value: Any, what: str) -> str:
    """A text (an attribute's value or a scalar text dataset's), refused when too long, not UTF-8 or not text."""
    if isinstance(value, Dataset):
        if value.shape != () or not value.is_text:
            raise UserError(f"{what} is not a text (it is a dataset of shape {value.shape}, type {value.dtype})")
        value = value.value
    if isinstance(value, TooLong):
        raise UserError(f"{what} is {readable(value.length)} of text, more than the {readable(MAX_TEXT)} any "
                        f"model needs; refusing to read it")
    if not isinstance(value, str):
        raise UserError(f"{what} is not a text (it is {type(value).__name__})")
    if len(value) > MAX_TEXT:
        raise UserError(f"{what} is {readable(len(value))} of text, more than the {readable(MAX_TEXT)} any model "
                        f"needs; refusing to read it")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # the snapshot keeps bytes that are not UTF-8 as lone surrogates
        raise UserError(f"{what} is not UTF-8 text") from None
    return value


def read_names(value: Any, what: str) -> list[str]:
    """A list of names as Keras stores it in an attribute (``layer_names``, ``weight_names``): texts only."""
    import numpy as np

    if value is None:
        raise UserError(f"{what} is missing")
    if isinstance(value, np.ndarray) and value.size == 0:
        return []  # Keras writes an empty float array for a layer without weights
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise UserError(f"{what} is not a list of names")
    if len(value) > MAX_OBJECTS:
        raise UserError(f"{what} lists more than {MAX_OBJECTS:,} names; refusing to read it")
    return [read_text(item, what) for item in value]


def read_classes(node: Any, what: str) -> list[Any]:
    """Class labels stored as a dataset: a 1-D list of numbers or of texts, at most MAX_CLASSES of them."""
    import numpy as np

    if not isinstance(node, Dataset):
        raise UserError(f"{what} is {'a group' if node is not None else 'missing'}, not a list of class labels")
    if len(node.shape) != 1 or node.shape[0] > MAX_CLASSES:
        raise UserError(f"{what} is not a list of at most {MAX_CLASSES:,} class labels (its shape is "
                        f"{node.shape})")
    if node.is_text:
        return [read_text(label, what) for label in node.value]
    values = node.value
    if not isinstance(values, np.ndarray) or values.dtype.kind not in "iuf":
        raise UserError(f"{what} is not a list of class labels (numbers or texts)")
    if values.dtype.kind == "f" and not np.isfinite(values).all():
        raise UserError(f"{what} holds a class label that is not a finite number")
    return values.tolist()
