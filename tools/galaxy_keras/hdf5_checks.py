"""HDF5 files as data: their structure checked before any dataset is read, and bounded reads of text.

Three kinds of model file are HDF5: the weights member of a .keras archive, a
Keras HDF5 model (``model.save("x.h5")``) and a Galaxy-ML model (h5mlm). In
each, a dataset's bytes may live in another file (``external=`` storage, a
virtual dataset, an external or soft link): reading it would read that file.
``check_hdf5_file`` walks every object once, refuses all of those, and adds up
the bytes that the datasets declare (shape times item size, before reading
one), so that a file declaring terabytes in a few kilobytes of chunks is
refused from its declaration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import UserError, summarise
from .resources import readable

MAX_OBJECTS = 100_000  # far beyond a model's groups and datasets; bounds a file whose links loop
# A text a model file holds (a configuration, settings, a class name): the most any real one needs.
MAX_TEXT = 16 * 1024**2


def check_hdf5_file(path: Path, what: str, text: bool = False) -> int:
    """Refuse links, external and virtual storage, and non-numbers (text too unless ``text``).

    ``what`` names the file in messages, e.g. "the model file's model.weights.h5".
    Returns the bytes its datasets declare, for the caller to check against the
    memory budget with its own advice.
    """
    import h5py

    total, count = 0, 0

    def walk(group: Any, where: str) -> None:
        nonlocal total, count
        for name in group:
            count += 1
            if count > MAX_OBJECTS:
                raise UserError(f"{what} has more than {MAX_OBJECTS:,} objects (its links loop?); refusing to "
                                f"read it")
            item = f"{where}/{name}"
            link = group.get(name, getlink=True)
            if not isinstance(link, h5py.HardLink):
                raise UserError(f"{what} has a link '{item}' to "
                                f"{'another file' if isinstance(link, h5py.ExternalLink) else 'elsewhere'}, "
                                f"which Keras never writes; refusing to read it")
            node = group[name]
            if isinstance(node, h5py.Group):
                walk(node, item)
                continue
            if node.is_virtual or node.external:
                kind = "a virtual dataset" if node.is_virtual else "stored in another file (external storage)"
                raise UserError(f"{what} has the dataset '{item}' {kind}, which Keras never writes; refusing "
                                f"to read it")
            if node.dtype.kind in "fiub" or (text and node.dtype.kind == "S"):
                total += node.size * node.dtype.itemsize
            elif not (text and h5py.check_string_dtype(node.dtype) is not None):
                raise UserError(f"{what} has the dataset '{item}' of type {node.dtype}, not numbers; refusing "
                                f"to read it")

    try:
        with h5py.File(path, "r") as handle:
            walk(handle, "")
    except UserError:
        raise
    except Exception as err:  # noqa: BLE001 - h5py raises many types for a damaged file
        raise UserError(f"{what} is not a readable HDF5 file (truncated or damaged?): {summarise(err)}") from None
    return total


def read_text(value: Any, what: str) -> str:
    """An HDF5 string (an attribute's value or a scalar dataset's) as text, refused when too long or not text."""
    import h5py

    if isinstance(value, h5py.Dataset):
        if value.shape != () or (value.dtype.kind != "S" and h5py.check_string_dtype(value.dtype) is None):
            raise UserError(f"{what} is not a text (it is a dataset of shape {value.shape}, type {value.dtype})")
        value = value[()]
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise UserError(f"{what} is not UTF-8 text") from None
    if not isinstance(value, str):
        raise UserError(f"{what} is not a text (it is {type(value).__name__})")
    if len(value) > MAX_TEXT:
        raise UserError(f"{what} is {readable(len(value))} of text, more than the {readable(MAX_TEXT)} any model "
                        f"needs; refusing to read it")
    return value


def read_names(value: Any, what: str) -> list[str]:
    """A list of names as Keras stores it in an attribute (``layer_names``, ``weight_names``): texts only."""
    import numpy as np

    if value is None:
        raise UserError(f"{what} is missing")
    items = np.asarray(value)
    if items.ndim != 1 or (items.size and items.dtype.kind not in "SOU"):
        if items.size == 0:  # Keras writes an empty float array for a layer without weights
            return []
        raise UserError(f"{what} is not a list of names")
    if items.size > MAX_OBJECTS:
        raise UserError(f"{what} lists more than {MAX_OBJECTS:,} names; refusing to read it")
    return [read_text(item, what) for item in items.tolist()]
