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
from typing import Any, Callable, Iterator

import numpy as np

from .compile_catalog import FIT_FIELDS, SEED
from .errors import UserError, shown, summarise
from .hdf5_checks import check_hdf5_file
from .keras_env import keras
from .model_checks import (KERAS_MEMBERS, META_MEMBER, REBUILD_ADVICE, RETRAIN_ADVICE, WEIGHTS_MEMBER, ModelMeta,
                           check_keras_archive, is_hdf5, read_model_config)
from .model_checks import check_finite_values
from .resources import check_allocation
from .safety import check_config

# Training keeps four float32 numbers a parameter: the weight, its gradient and Adam's two moments.
BYTES_PER_PARAMETER = 4 * 4
# A layer's output, one float32 number an entry, for every sample of a batch: training keeps every layer's
# output of a batch for the gradients, so the outputs of all layers count together.
BYTES_PER_ACTIVATION = 4
# The batch size when none is known yet (the config tool, a model file without fit settings): the form's.
DEFAULT_BATCH_SIZE = next(item.default for item in FIT_FIELDS if item.name == "batch_size")


def check_classes(model: Any, meta: ModelMeta, source: str) -> None:
    """The class labels must match the model's output: one unit means two classes, N units N classes."""
    shape = model.output_shape
    if meta.learning_type != "classifier" or meta.classes is None or not isinstance(shape, tuple):
        return
    units = shape[-1]
    expected = 2 if units == 1 else units
    if len(meta.classes) != expected:
        raise UserError(f"{source}'s {META_MEMBER} lists {len(meta.classes)} class labels, but the model's output "
                        f"has {units} unit{'s' if units != 1 else ''}, which means {expected} classes; "
                        f"{RETRAIN_ADVICE}")


def model_weights(model: Any) -> Iterator[tuple[str, str, np.ndarray]]:
    """(layer name, variable path, values) of every variable, in the model's order of layers.

    Each layer's trainable and non-trainable variables (a BatchNormalization's
    moving statistics too), one at a time, so that only one is copied at once.
    """
    for layer in model.layers:
        for variable in layer.weights:
            yield layer.name, variable.path, np.asarray(keras.ops.convert_to_numpy(variable.value))


def check_finite_weights(model: Any, source: str, advice: str = RETRAIN_ADVICE) -> None:
    """Refuse a built model with a NaN or infinite weight: it predicts nonsense (often one class for every row).

    Called after a .keras file is loaded (HDF5 and Galaxy-ML models are checked
    on their snapshot, before TensorFlow starts), and by training before it
    saves a model, since a step can make the weights non-finite while the loss
    it reports is finite. ``source`` begins the message; ``advice`` ends it.
    """
    check_finite_values(model_weights(model), source, advice)


def check_parameter_count(build: Callable[[], Any], source: str, batch_size: int | None = None) -> None:
    """Refuse a model too large to train, from its parameter count and its layers' output shapes, before any
    weight or output is allocated.

    Inside ``StatelessScope(initialize_variables=False)`` Keras gives variables
    their shapes but no values, so a model of 30 billion parameters is counted
    in milliseconds; the layers' outputs are symbolic, with shapes only. The
    session is cleared afterwards for the real build. ``batch_size``: the
    samples a batch of training or prediction holds (the form's default when
    not known).
    """
    try:
        with keras.StatelessScope(initialize_variables=False):
            model = build()
            count = model.count_params()
            outputs = layer_outputs(model)
    finally:
        keras.utils.clear_session()
    check_allocation(count * BYTES_PER_PARAMETER,
                     f"{source} has {count:,} parameters; training them (the weights, their gradients and "
                     f"the optimizer's two moments, 4 bytes each)",
                     "use fewer units or filters, or a smaller Embedding input_dim or output_dim")
    check_activations(outputs, source, batch_size or DEFAULT_BATCH_SIZE)


def layer_outputs(model: Any) -> list[tuple[str, str, tuple]]:
    """(name, class, output shape) of each layer whose output Keras knows (a model built from its input)."""
    found = []
    for layer in getattr(model, "layers", []):
        try:
            tensors = layer.output
        except (AttributeError, ValueError):  # a layer never called (a Sequential without an input shape)
            continue
        for tensor in tensors if isinstance(tensors, (list, tuple)) else [tensors]:
            shape = getattr(tensor, "shape", None)
            if shape is not None:
                found.append((layer.name, type(layer).__name__, tuple(shape)))
    return found


def check_activations(outputs: list[tuple[str, str, tuple]], source: str, batch_size: int) -> None:
    """Refuse a model whose layers' outputs for one batch do not fit the memory plan, naming the largest layer.

    The batch axis (None) is the batch size; any other unknown axis (a sequence of any length) counts 1.
    """
    def entries(shape: tuple) -> int:
        total = 1
        for axis, length in enumerate(shape):
            total *= batch_size if axis == 0 and length is None else (length or 1)
        return total

    if not outputs:
        return
    sizes = [(entries(shape), name, kind, shape) for name, kind, shape in outputs]
    total = sum(size for size, *_ in sizes)
    size, name, kind, shape = max(sizes, key=lambda item: item[0])
    shown_shape = "(" + ", ".join("batch" if i == 0 and n is None else str(n) for i, n in enumerate(shape)) + ")"
    check_allocation(total * BYTES_PER_ACTIVATION,
                     f"{source}'s layer outputs for a batch of {batch_size:,} samples ({total:,} numbers, 4 bytes "
                     f"each; the largest: layer '{shown(name)}' ({kind}), output shape {shown_shape}, "
                     f"{size:,} numbers)",
                     "use smaller layers (fewer units, filters or repeats), a smaller input or a smaller batch size")


def check_seed(seed: Any, source: str) -> None:
    """A seed from a file within the form's bounds (Keras' own message names no file and no setting)."""
    if seed is None:
        return
    if isinstance(seed, bool) or not isinstance(seed, int) or not SEED.min <= seed <= SEED.max:
        raise UserError(f"{source} gives the random seed {shown(seed)}, not a whole number from {SEED.min:,} to "
                        f"{SEED.max:,}; {REBUILD_ADVICE}")


def read_model_json(path: str | Path, seed: int | None = None) -> Any:
    """Load a model architecture (JSON) after checking that it names only what the suite builds.

    model_checks.read_model_config reads and checks it (a Keras 2 architecture
    is converted first). ``seed``: when given, Keras' random generators are
    seeded after the parameter count and before the real build, so the
    initial weights depend on the seed alone.
    """
    return build_model(read_model_config(path), "the model configuration", seed)


def build_model(config: dict[str, Any], source: str, seed: int | None = None, batch_size: int | None = None) -> Any:
    """A Keras model from a configuration that passes the allowlist, counted before it is built.

    ``seed``: as for read_model_json; a seed a file gave is checked here, naming
    ``source``. ``batch_size``: as for check_parameter_count. Used for every
    configuration a file brings (JSON, HDF5 and Galaxy-ML models), after
    conversion from Keras 2.
    """
    check_seed(seed, source)
    check_config(config, source)
    text = json.dumps({key: value for key, value in config.items() if key != "compile_config"})
    try:
        check_parameter_count(lambda: keras.models.model_from_json(text), source, batch_size)
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
            check_parameter_count(lambda: keras.models.model_from_json(text), "the model file",
                                  meta.fit.get("batch_size"))
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
    check_finite_weights(model, "the model file")
    check_classes(model, meta, "the model file")
    return model, meta
