"""HDF5 model files that crash, hang or flood libhdf5, or hold values that cannot be right (issue 19).

The files are made at test time (tests/hostile_hdf5.py): the reviewer's two
byte flips of hdf5_keras2_dense.h5, and hand-made Galaxy-ML and Keras HDF5
files. All but the last are refused by the tools' check before TensorFlow
starts, in the guarded child that reads the file (hdf5_snapshot.py): a crash
or a hang there is one error line, and the job folder is left clean.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import hostile_hdf5 as hostile

from bad_inputs import Case
from bad_inputs.common import PREDICT, TRAIN_OUTPUTS, predict_inputs, train_inputs, train_params
from bad_inputs.model_files import TRAINED, WEIGHTS, replaced, weights_with

# A hang is ended at this wall clock (seconds) instead of the default, to keep the case short.
QUICK_TIMEOUT = {"GALAXY_KERAS_HDF5_TIMEOUT": "3"}


def made(make: Callable[..., Path], *args: Any) -> Callable[[Path, Path], Path]:
    return lambda folder, canary: make(folder, *args)


def predict(model: Callable[[Path, Path], Path], expected: str, env: dict[str, str] | None = None) -> Case:
    return Case("model_prediction", PREDICT, predict_inputs(model), ["--outfile-predict"], expected, env or {})


def train(model: Callable[[Path, Path], Path], expected: str) -> Case:
    return Case("keras_train_and_eval", train_params(), train_inputs(model), TRAIN_OUTPUTS, expected)


def nan_variable(handle: Any, canary: Path) -> None:
    """The first float variable of a .keras archive's weights file set to NaN."""
    import numpy as np

    found = []
    handle.visititems(lambda name, node: found.append(node) if hasattr(node, "dtype") and
                      node.dtype.kind == "f" and node.size else None)
    values = found[0][()]
    values.flat[0] = np.nan
    found[0][...] = values


GROUP = "is a dataset where a group is expected; the file is damaged"
NOT_FINITE = "NaN or infinite value"
KERNEL_NOT_FINITE = f"the layer 'dense' holds 2 {NOT_FINITE}s in its variable 'dense/kernel:0'"

CASES = {
    "byte 1897 flipped: libhdf5 crashes": predict(
        made(hostile.flipped, hostile.CRASH_OFFSET),
        "the model file is damaged: the HDF5 library crashed (SIGSEGV) reading the attribute 'layer_names' of "
        "'/model_weights'; upload it again"),
    "byte 5272 flipped: libhdf5 loops": predict(
        made(hostile.flipped, hostile.HANG_OFFSET),
        "the model file is damaged: the HDF5 library did not finish reading the attribute", QUICK_TIMEOUT),
    "Galaxy-ML attributes as a dataset of 30 million numbers": predict(
        made(hostile.attributes_dataset), f"the Galaxy-ML model file's '-keras_models-/0/attributes' {GROUP}"),
    "model_weights as a dataset": train(made(hostile.weights_dataset), f"the model file's model_weights {GROUP}"),
    "Galaxy-ML model group as a scalar dataset": train(
        made(hostile.model_dataset), f"the Galaxy-ML model file's '-keras_models-/0' {GROUP}"),
    "20,000 classes_ sharing one 1 MiB heap object": predict(
        made(hostile.classes_heap_bomb), "the text dataset '/-keras_models-/0/attributes/classes_' of more than "
                                         "16.0 MB of text", {"GALAXY_MEMORY_MB": "1536"}),
    "params declaring 1.5 GB of text": predict(
        made(hostile.huge_params), "the text dataset '/-keras_models-/0/params' of 1.4 GB, more than the 16.0 MB"),
    "kernel with an unregistered filter": predict(
        made(hostile.unknown_filter), "compressed with the filter 32004 (lz4), which is not built into HDF5"),
    "NaN and infinite kernel given to prediction": predict(
        made(hostile.non_finite_kernel), KERNEL_NOT_FINITE),
    "NaN and infinite kernel given to training": train(
        made(hostile.non_finite_kernel), KERNEL_NOT_FINITE),
    "classes_ [5, 5, 5]": predict(made(hostile.duplicate_classes), "'classes' lists the label '5' twice"),
    "group linked into itself": train(made(hostile.looped_groups), "into itself or twice (a loop)"),
    "NaN weight in a .keras archive": predict(replaced(TRAINED, WEIGHTS, weights_with(nan_variable)), NOT_FINITE),
}
