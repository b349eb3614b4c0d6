"""Keras HDF5 models (``model.save("x.h5")``, Keras 2 and 3), and HDF5 files told apart by their content.

Layout (Keras 2's and Keras 3's legacy format alike): root attributes
``model_config`` (JSON: the model's class and configuration, Keras 2's form;
Keras 3 writes its nested objects in its own form), ``training_config``
(JSON: loss, metrics, optimizer), ``keras_version``, ``backend``; group
``model_weights`` (hdf5_weights.py's layout) and group ``optimizer_weights``
(the optimizer's state). Files these tools write add the root attribute
``galaxy_keras.json``: the suite's settings (ModelMeta), as the .keras
archive's member of that name, so that a model survives the round trip.

Keras' own HDF5 loader is not used on a file from a user, and this process
never opens the file: it is read once, in a guarded child process
(hdf5_snapshot.py), into checked plain values that the code here reads. In Keras 3.15,
``keras.models.load_model("x.h5")`` rebuilds the model with Keras' legacy
deserialiser, which finds any class Keras knows (or was registered) by its
bare name; ``safe_mode`` (on by default; Keras 3.15's HDF5 loader honours it,
which earlier Keras 3 releases did not, CVE-2025-9905) refuses a Lambda
layer's marshalled code, but a configuration may still name any other class,
and the training settings are deserialised too. Here instead: the whole file
is checked first (hdf5_checks: no links, external or virtual storage,
declared sizes within the memory budget), the configuration is converted to Keras 3's form
(keras2_config.py) and must pass the allowlist (``safety.check_config``:
Lambda and every class the suite does not build are refused by name), the
parameters are counted before the model is built, the weights are assigned
from the snapshot after their shapes are checked (hdf5_weights.py), and the training
settings are mapped onto the suite's catalogue (keras2_compile.py).

The optimizer's state (``optimizer_weights``) is not restored: training
starts with a fresh optimizer, as from a Galaxy-ML model, which stores none.
A file these tools did not write has no settings: it counts as trained, a
regressor when its loss is a regression loss, else a classifier, and trains
with the builder's default fit settings.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from .compile_catalog import REGRESSION_LOSSES
from .errors import UserError
from .hdf5_checks import read_text
from .hdf5_snapshot import Group, release_snapshots
from .hdf5_weights import load_weights
from .keras2_compile import compile_model, from_training_config, loss_of_training_config
from .keras2_config import convert_model_config
from .model_checks import META_MEMBER, ModelMeta, check_hdf5_model
from .model_io import build_model, check_classes
from .safety import keras2_hint, load_json

SOURCE = "the model file"
_NEITHER = ("the model file is an HDF5 (.h5 / Galaxy-ML) model; these tools read Keras 3 .keras archives, Keras "
            "HDF5 models (with a 'model_config' attribute) and Galaxy-ML models (with '-keras_models-'), and this "
            "file is none of them (a file of weights only?): build the model with 'Create deep learning model'")


def load_hdf5_model(path: Path, compile: bool = True) -> tuple[Any, ModelMeta]:
    """A Keras HDF5 model or a Galaxy-ML model, whichever the file holds, loaded safely.

    The file is read by check_hdf5_model (a guarded child: this process never
    opens it); a tool that ran that check already gets the same snapshot back.
    """
    from .galaxy_ml_files import load_galaxy_ml_model

    snapshot = check_hdf5_model(path)
    release_snapshots()  # its arrays go into the model: not kept twice once the model holds them
    if snapshot.layout == "galaxy_ml":
        return load_galaxy_ml_model(snapshot.root, compile)
    if "model_config" in snapshot.root.attrs:
        return _load_keras_hdf5(snapshot.root, compile)
    raise UserError(_NEITHER)


def _load_keras_hdf5(root: Group, compile: bool) -> tuple[Any, ModelMeta]:
    where = f"{SOURCE}'s model_config"
    config = load_json(read_text(root.attrs["model_config"], where), where)
    if keras2_hint(config):
        config = convert_model_config(config, where)
    model = build_model(config, where)
    if "model_weights" not in root:
        raise UserError(f"{SOURCE} is a Keras HDF5 model without its weights ('model_weights')")
    load_weights(model, root.group("model_weights", f"{SOURCE}'s model_weights"), f"{SOURCE}'s model_weights")
    training = None
    if "training_config" in root.attrs:
        name = f"{SOURCE}'s training_config"
        training = load_json(read_text(root.attrs["training_config"], name), name)
    if META_MEMBER in root.attrs:
        meta = ModelMeta.from_json(read_text(root.attrs[META_MEMBER], f"{SOURCE}'s {META_MEMBER}"), SOURCE)
    else:
        loss = loss_of_training_config(training)
        meta = ModelMeta(learning_type="regressor" if loss in REGRESSION_LOSSES else "classifier", trained=True)
    if compile and training is not None:
        compile_model(model, from_training_config(training, f"{SOURCE}'s training_config"))
        if "optimizer_weights" in root:
            print("Note: the HDF5 model's optimizer state is not restored; training starts with a fresh optimizer")
    check_classes(model, meta, SOURCE)
    return model, meta


def save_hdf5_model(model: Any, path: str | Path, meta: ModelMeta) -> None:
    """Keras' HDF5 format (``model.save("x.h5")``) with the suite's settings as a root attribute.

    Keras wants a name ending in .h5: saved under a temporary name beside the
    target, then moved, as save_model does for .keras files.
    """
    import h5py
    from absl import logging as absl_logging

    target = Path(path)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".save-") as tmp:
        staged = Path(tmp) / "model.h5"
        # Keras logs (through absl) that HDF5 is its legacy format: the user asked for it.
        verbosity = absl_logging.get_verbosity()
        absl_logging.set_verbosity(absl_logging.ERROR)
        try:
            model.save(staged)
        finally:
            absl_logging.set_verbosity(verbosity)
        with h5py.File(staged, "a") as handle:
            handle.attrs[META_MEMBER] = meta.to_json()
        os.replace(staged, target)
