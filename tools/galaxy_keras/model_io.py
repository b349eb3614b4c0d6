"""Reading and writing the suite's model files.

* Model architecture: the Keras model JSON (``model.to_json()``), Galaxy
  datatype ``json``.
* Built and trained models: Keras 3 native ``.keras`` files (a zip archive,
  Galaxy datatype ``zip``) that plain ``keras.saving.load_model`` opens. The
  suite adds one member, ``galaxy_keras.json``, holding what Keras does not
  store: classifier or regressor, the fit settings and the class labels.
  On request, a trained model is saved as a Keras HDF5 file instead
  (``save_model(..., format="h5")``, see hdf5_models.py).
* Models made elsewhere, recognised by their content whatever their Galaxy
  datatype: Keras HDF5 models (hdf5_models.py) and Galaxy-ML's models
  (galaxy_ml_files.py); Keras 2 (Galaxy-ML) model JSON (keras2_config.py).

A model file is data from anyone: before Keras sees it, the archive's members
and their declared sizes are checked (no bombs, nothing extracted beyond
them), the configuration is checked against the suite's allowlist
(``safety.check_config``), the suite's settings are checked as data, the
parameters are counted without allocating them, and the weights file is
checked for external storage and sizes and read whole once in a guarded
child process (hdf5_snapshot.py), so that a file that crashes or hangs
libhdf5 does so there. Only then does Keras load it, from the job's private
temporary folder, in its ``safe_mode``; the loaded weights must be finite
numbers. HDF5 models get the same checks; they are read only in the guarded
child, never by Keras' loader nor in the tool's own process.
The checks that need no Keras, and the settings member (``ModelMeta``), are in
model_checks.py, which a tool can call before it starts TensorFlow.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any, Callable

from .errors import UserError, summarise
from .hdf5_checks import check_hdf5_file
from .keras_env import keras
from .model_checks import (KERAS_MEMBERS, META_MEMBER, REBUILD_ADVICE, WEIGHTS_MEMBER, ModelMeta,
                           check_finite_weights, check_keras_archive, is_hdf5, read_model_config)
from .resources import check_allocation
from .safety import check_config

# Training keeps four float32 numbers a parameter: the weight, its gradient and Adam's two moments.
BYTES_PER_PARAMETER = 4 * 4


def check_classes(model: Any, meta: ModelMeta, source: str) -> None:
    """The class labels must match the model's output: one unit means two classes, N units N classes."""
    shape = model.output_shape
    if meta.learning_type != "classifier" or meta.classes is None or not isinstance(shape, tuple):
        return
    units = shape[-1]
    expected = 2 if units == 1 else units
    if len(meta.classes) != expected:
        raise UserError(f"{source}'s {META_MEMBER} lists {len(meta.classes)} class labels, but the model's output "
                        f"has {units} unit{'s' if units != 1 else ''}, which means {expected} classes; train the "
                        f"model again with 'Deep learning training and evaluation'")


def check_parameter_count(build: Callable[[], Any], source: str) -> None:
    """Refuse a model too large to train, from its parameter count, before any weight is allocated.

    Inside ``StatelessScope(initialize_variables=False)`` Keras gives variables
    their shapes but no values, so a model of 30 billion parameters is counted
    in milliseconds. The session is cleared afterwards for the real build.
    """
    try:
        with keras.StatelessScope(initialize_variables=False):
            count = build().count_params()
    finally:
        keras.utils.clear_session()
    check_allocation(count * BYTES_PER_PARAMETER,
                     f"{source} has {count:,} parameters; training them (the weights, their gradients and "
                     f"the optimizer's two moments, 4 bytes each)",
                     "use fewer units or filters, or a smaller Embedding input_dim or output_dim")


def read_model_json(path: str | Path, seed: int | None = None) -> Any:
    """Load a model architecture (JSON) after checking that it names only what the suite builds.

    model_checks.read_model_config reads and checks it (a Keras 2 architecture
    is converted first). ``seed``: when given, Keras' random generators are
    seeded after the parameter count and before the real build, so the
    initial weights depend on the seed alone.
    """
    return build_model(read_model_config(path), "the model configuration", seed)


def build_model(config: dict[str, Any], source: str, seed: int | None = None) -> Any:
    """A Keras model from a configuration that passes the allowlist, counted before it is built.

    ``seed``: as for read_model_json. Used for every configuration a file
    brings (JSON, HDF5 and Galaxy-ML models), after conversion from Keras 2.
    """
    check_config(config, source)
    text = json.dumps({key: value for key, value in config.items() if key != "compile_config"})
    try:
        check_parameter_count(lambda: keras.models.model_from_json(text), source)
        if seed is not None:
            keras.utils.set_random_seed(seed)
        return keras.models.model_from_json(text)
    except UserError:
        raise
    except Exception as err:  # noqa: BLE001 - Keras raises many types for bad configs
        raise UserError(f"{source} cannot be loaded by Keras: {summarise(err)}") from None


SAVE_FORMATS = ("keras", "h5")


def save_model(model: Any, path: str | Path, meta: ModelMeta, format: str = "keras") -> None:
    """Save as a .keras archive with the suite's settings added, or as a Keras HDF5 file (``format="h5"``).

    Keras insists on a ``.keras`` file name, while Galaxy's dataset paths end in
    ``.dat``: save under a temporary name beside the target, then move it.
    """
    if format not in SAVE_FORMATS:
        raise ValueError(f"unknown model file format {format!r}")
    if format == "h5":
        from .hdf5_models import save_hdf5_model

        save_hdf5_model(model, path, meta)
        return
    target = Path(path)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".save-") as tmp:
        staged = Path(tmp) / "model.keras"
        model.save(staged)
        with zipfile.ZipFile(staged, "a") as archive:
            archive.writestr(META_MEMBER, meta.to_json())
        os.replace(staged, target)


def _extract(path: Path, folder: Path) -> None:
    """Keras' members into a folder of the job's own; each bounded by its declared, checked size."""
    folder.mkdir()
    try:
        with zipfile.ZipFile(path) as archive:
            for name in KERAS_MEMBERS:
                if name in archive.namelist():
                    with archive.open(name) as source, open(folder / name, "wb") as target:
                        shutil.copyfileobj(source, target, 1024**2)
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise UserError(f"the model file is corrupt: {summarise(err)}; upload it again") from None


def check_weights_file(path: Path) -> None:
    """Refuse external storage, virtual datasets and links, and weights beyond the memory budget.

    A dataset's bytes may live in another file (``external=`` storage, a
    virtual dataset, an external link): reading it would read that file.
    Sizes come from each dataset's declared shape and type, before any is read.
    Then the guarded child (hdf5_snapshot) reads every attribute and dataset,
    so that Keras only reads a file that libhdf5 has read whole without
    crashing or hanging; the values are not kept (Keras reads them again).
    """
    check_hdf5_file(path, f"the model file's {WEIGHTS_MEMBER}", read_all=True,
                    budget_what=f"the model file's weights (the datasets {WEIGHTS_MEMBER} declares)",
                    advice=REBUILD_ADVICE, keep=False)


def load_model(path: str | Path, compile: bool = True) -> tuple[Any, ModelMeta]:
    """Load a model file safely; returns the model and the suite's settings.

    A .keras archive, or by its content an HDF5 file: a Keras HDF5 model or a
    Galaxy-ML model (hdf5_models.load_hdf5_model tells them apart).
    """
    path = Path(path)
    if path.is_file() and is_hdf5(path):
        # Imported here: those modules build on this one's ModelMeta and checks.
        from .hdf5_models import load_hdf5_model

        return load_hdf5_model(path, compile)
    config, meta = check_keras_archive(path)
    meta = meta or ModelMeta()
    text = json.dumps({key: value for key, value in config.items() if key != "compile_config"})
    # tempfile's folder is the job's private one (run_tool): whatever Keras extracts stays in the job.
    with tempfile.TemporaryDirectory(prefix="keras-load-") as tmp:
        try:
            check_parameter_count(lambda: keras.models.model_from_json(text), "the model file")
            # A folder, not a .keras name: Keras then reads the members we extracted and extracts nothing.
            folder = Path(tmp) / "model"
            _extract(path, folder)
            check_weights_file(folder / WEIGHTS_MEMBER)
            with warnings.catch_warnings():
                # An untrained model's optimizer has no slots yet; Keras warns about that on every load.
                warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
                model = keras.saving.load_model(folder, compile=compile, safe_mode=True)
        except UserError:
            raise
        except Exception as err:  # noqa: BLE001 - Keras raises many types for bad files
            raise UserError(f"the model file cannot be loaded by Keras: {summarise(err)}") from None
    check_finite_weights(((layer.name, variable.path, variable.numpy()) for layer in model.layers
                          for variable in layer.weights), "the model file")
    check_classes(model, meta, "the model file")
    return model, meta
