"""Hostile and damaged HDF5 model files, made at test time (shared by test_hdf5_snapshot and the sweep).

The byte flips are the reviewer's: in hdf5_keras2_dense.h5 (saved by Keras
2.10), byte 1897 XOR 0xFF makes libhdf5 crash (SIGSEGV) reading the
``layer_names`` attribute when the file is read as the loaders used to, and
byte 5272 XOR 0xFF makes it loop forever reading the root attributes. The
others are written with h5py, and two are patched afterwards at the byte
level: h5py cannot write variable-length strings that share one heap
object, or a filter that no library registers.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import h5py
import numpy as np

TEST_DATA = Path(__file__).resolve().parents[1] / "test-data"
DENSE = TEST_DATA / "hdf5_keras2_dense.h5"
GALAXY_ML_CLASSIFIER = TEST_DATA / "galaxy_ml_classifier_trained"
CRASH_OFFSET, HANG_OFFSET = 1897, 5272
MODEL = "-keras_models-/0"


def flipped(folder: Path, offset: int, name: str = "model.dat") -> Path:
    data = bytearray(DENSE.read_bytes())
    data[offset] ^= 0xFF
    path = folder / name
    path.write_bytes(bytes(data))
    return path


def copy_of(source: Path, folder: Path, name: str = "model.dat") -> Path:
    path = folder / name
    shutil.copyfile(source, path)
    return path


def attributes_dataset(folder: Path) -> Path:
    """Galaxy-ML's ``attributes`` group replaced by a dataset declaring 30 million never-written numbers."""
    path = copy_of(GALAXY_ML_CLASSIFIER, folder)
    with h5py.File(path, "a") as handle:
        del handle[f"{MODEL}/attributes"]
        handle.create_dataset(f"{MODEL}/attributes", shape=(30_000_000,), dtype="float64", chunks=(4096,))
    return path


def weights_dataset(folder: Path) -> Path:
    """The Keras 2 model's ``model_weights`` group replaced by a scalar dataset."""
    path = copy_of(DENSE, folder)
    with h5py.File(path, "a") as handle:
        del handle["model_weights"]
        handle["model_weights"] = 1.0
    return path


def model_dataset(folder: Path) -> Path:
    """Galaxy-ML's ``-keras_models-/0`` group replaced by a scalar dataset (h5py: "Can't iterate over a scalar")."""
    path = copy_of(GALAXY_ML_CLASSIFIER, folder)
    with h5py.File(path, "a") as handle:
        del handle[MODEL]
        handle[MODEL] = 1.0
    return path


def classes_heap_bomb(folder: Path, count: int = 20_000) -> Path:
    """``classes_`` of ``count`` variable-length strings, every one pointing to the same 1 MiB heap object.

    Written with one 1 MiB string and ``count - 1`` one-byte strings in a
    contiguous dataset, then each element's 16 bytes (length, heap collection
    address, object index) overwritten with the first element's: about 2 MB
    on disk, ``count`` MiB when read.
    """
    path = copy_of(GALAXY_ML_CLASSIFIER, folder)
    with h5py.File(path, "a") as handle:
        del handle[f"{MODEL}/attributes/classes_"]
        data = np.array(["x" * 1024**2] + ["a"] * (count - 1), dtype=object)
        dataset = handle.create_dataset(f"{MODEL}/attributes/classes_", data=data, dtype=h5py.string_dtype())
        offset = dataset.id.get_offset()
    raw = bytearray(path.read_bytes())
    first = raw[offset:offset + 16]
    for index in range(1, count):
        raw[offset + 16 * index:offset + 16 * (index + 1)] = first
    path.write_bytes(bytes(raw))
    return path


def huge_params(folder: Path) -> Path:
    """Galaxy-ML's ``params`` as a never-written fixed-length text declaring 1.5 GB."""
    path = copy_of(GALAXY_ML_CLASSIFIER, folder)
    with h5py.File(path, "a") as handle:
        del handle[f"{MODEL}/params"]
        handle.create_dataset(f"{MODEL}/params", shape=(), dtype=h5py.string_dtype("ascii", 1_500_000_000))
    return path


# An unregistered filter's id: 32004 is LZ4's registered id, whose plugin h5py does not ship.
UNKNOWN_FILTER = 32004


def unknown_filter(folder: Path) -> Path:
    """A kernel compressed with a filter that no loaded library provides (libhdf5 would search plugins for it).

    h5py refuses to write with a filter it has not got, so the kernel is
    written with LZF (h5py's own, id 32000) and the id patched in the
    dataset's filter pipeline message.
    """
    path = copy_of(DENSE, folder)
    kernel = "model_weights/dense/dense/kernel:0"
    with h5py.File(path, "a") as handle:
        values = handle[kernel][()]
        del handle[kernel]
        handle.create_dataset(kernel, data=values, chunks=values.shape, compression="lzf")
    raw = bytearray(path.read_bytes())
    # The pipeline message's entry: the id, the name's length, flags, the number of values, then the name.
    entries = [match.start() for match in re.finditer(rb"\x00\x7d..(?s:....)lzf\x00", bytes(raw))]
    assert len(entries) == 1, f"expected one LZF filter entry, found {len(entries)}"
    raw[entries[0]:entries[0] + 2] = UNKNOWN_FILTER.to_bytes(2, "little")
    raw[entries[0] + 8:entries[0] + 11] = b"lz4"
    path.write_bytes(bytes(raw))
    return path


def non_finite_kernel(folder: Path) -> Path:
    """The Keras 2 model with NaN and infinity in its first Dense layer's kernel."""
    path = copy_of(DENSE, folder)
    with h5py.File(path, "a") as handle:
        kernel = handle["model_weights/dense/dense/kernel:0"]
        values = kernel[()]
        values[0, 0], values[1, 1] = np.nan, np.inf
        kernel[...] = values
    return path


def duplicate_classes(folder: Path) -> Path:
    """The Galaxy-ML classifier with ``classes_`` [5, 5, 5] (three outputs, one label)."""
    path = copy_of(GALAXY_ML_CLASSIFIER, folder)
    with h5py.File(path, "a") as handle:
        handle[f"{MODEL}/attributes/classes_"][...] = [5, 5, 5]
    return path


def looped_groups(folder: Path) -> Path:
    """A hard link from a layer's group back to the root: a walk that follows it never ends."""
    path = copy_of(DENSE, folder)
    with h5py.File(path, "a") as handle:
        handle["model_weights/dense/back"] = handle["/"]
    return path


def deeply_nested(folder: Path, depth: int = 3000) -> Path:
    """A chain of ``depth`` nested groups beside the model: more than Python's recursion limit."""
    path = copy_of(DENSE, folder)
    with h5py.File(path, "a") as handle:
        handle.create_group("/".join(["deep"] * depth))
    return path


def keras_config(path: Path) -> dict:
    with h5py.File(path) as handle:
        return json.loads(handle.attrs["model_config"])
