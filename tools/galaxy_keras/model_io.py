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
checked for external storage and sizes. Only then does Keras load it, from
the job's private temporary folder, in its ``safe_mode``. HDF5 models get the
same checks, and their weights are read by h5py, never by Keras' loader.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .compile_catalog import FIT_FIELDS, MAX_CALLBACKS, SEED, check_callback
from .errors import UserError, summarise
from .fields import parse_fields
from .hdf5_checks import check_hdf5_file
from .keras_env import keras
from .params import Params
from .resources import check_allocation, readable
from .safety import check_config, keras2_hint, load_json

META_MEMBER = "galaxy_keras.json"
META_VERSION = 1
META_KEYS = ("format_version", "learning_type", "fit", "classes", "trained")
LEARNING_TYPES = ("classifier", "regressor")
WEIGHTS_MEMBER = "model.weights.h5"
# The members a model file may have, with the most each may unpack to (the weights: the memory budget).
MEMBER_LIMITS = {"config.json": 16 * 1024**2, "metadata.json": 1024**2, META_MEMBER: 1024**2, WEIGHTS_MEMBER: None}
KERAS_MEMBERS = ("config.json", "metadata.json", WEIGHTS_MEMBER)
# Keras stores members uncompressed; a member that unpacks to more than this many times its stored
# size (deflate reaches about 1,000) is a decompression bomb, not a model.
MAX_EXPANSION = 100
_EXPANSION_FLOOR = 1024**2  # small members may compress well (JSON does)
# Training keeps four float32 numbers a parameter: the weight, its gradient and Adam's two moments.
BYTES_PER_PARAMETER = 4 * 4
ZIP_MAGIC, HDF5_MAGIC = b"PK\x03\x04", b"\x89HDF\r\n\x1a\n"
_REBUILD = "build the model again with 'Create deep learning model'"


@dataclass
class ModelMeta:
    """What the suite stores beside the Keras model in a .keras file."""

    learning_type: str = "classifier"  # "classifier" or "regressor"
    fit: dict[str, Any] = field(default_factory=dict)
    classes: list[Any] | None = None  # class labels, in the order of the model's outputs
    trained: bool = False

    def to_json(self) -> str:
        return json.dumps({"format_version": META_VERSION, "learning_type": self.learning_type,
                           "fit": self.fit, "classes": self.classes, "trained": self.trained}, indent=2)

    @classmethod
    def from_json(cls, text: str | bytes, source: str) -> "ModelMeta":
        """The settings as data: known keys only, each typed and bounded as the builder's form bounds it."""
        where = f"{source}'s {META_MEMBER}"
        return cls.from_data(load_json(text, where), where)

    @classmethod
    def from_data(cls, data: Any, where: str) -> "ModelMeta":
        """The settings from parsed JSON (or from another format's settings); ``where`` names them in messages."""
        if not isinstance(data, dict):
            raise UserError(f"{where} is not a JSON object; {_REBUILD}")
        unknown = sorted(set(data) - set(META_KEYS), key=str)
        if unknown:
            raise UserError(f"{where} has the key '{unknown[0]}', which these tools do not write; {_REBUILD}")
        if data.get("format_version", META_VERSION) != META_VERSION:
            raise UserError(f"{where} has format_version {data['format_version']!r}; these tools read version "
                            f"{META_VERSION}: {_REBUILD}")
        learning_type = data.get("learning_type", "classifier")
        if learning_type not in LEARNING_TYPES:
            raise UserError(f"{where}: learning_type must be 'classifier' or 'regressor', got {learning_type!r}")
        trained = data.get("trained", False)
        if not isinstance(trained, bool):
            raise UserError(f"{where}: trained must be true or false, got {trained!r}")
        return cls(learning_type, _read_fit(data.get("fit") or {}, where), _read_classes(data.get("classes"), where),
                   trained)


def _read_fit(fit: Any, where: str) -> dict[str, Any]:
    if not isinstance(fit, dict):
        raise UserError(f"{where}: 'fit' must be an object; {_REBUILD}")
    known = {item.name for item in FIT_FIELDS} | {SEED.name, "callbacks"}
    unknown = sorted(set(fit) - known, key=str)
    if unknown:
        raise UserError(f"{where}: the fit setting '{unknown[0]}' is not one these tools use; {_REBUILD}")
    try:
        checked = parse_fields(FIT_FIELDS, Params(fit))
        checked[SEED.name] = SEED.parse(Params(fit))
    except UserError as err:
        raise UserError(f"{where}, fit settings: {err}; {_REBUILD}") from None
    callbacks = fit.get("callbacks") or []
    if not isinstance(callbacks, list) or len(callbacks) > MAX_CALLBACKS:
        raise UserError(f"{where}: 'callbacks' must be a list of at most {MAX_CALLBACKS}; {_REBUILD}")
    checked["callbacks"] = [{"type": kind, **options} for kind, options in
                            (check_callback(spec, f"{where}, callback {n}") for n, spec in enumerate(callbacks, 1))]
    return checked


def _read_classes(classes: Any, where: str) -> list[Any] | None:
    if classes is None:
        return None
    if not isinstance(classes, list) or not all(isinstance(label, (str, int, float)) and not isinstance(label, bool)
                                                for label in classes):
        raise UserError(f"{where}: 'classes' must be a list of labels (text or numbers); {_REBUILD}")
    return classes


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

    A Keras 2 architecture (Galaxy-ML's model JSON) is converted to Keras 3's
    form first (keras2_config.py) and then checked like any other.
    ``seed``: when given, Keras' random generators are seeded after the
    parameter count and before the real build, so the initial weights
    depend on the seed alone.
    """
    source = "the model configuration"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"{source} is not valid JSON: {summarise(err)}") from None
    config = load_json(text, source)
    if not isinstance(config, dict) or config.get("class_name") not in ("Sequential", "Functional", "Model"):
        raise UserError(f"{source} is not a Keras model JSON (expected a Sequential or Functional model, as "
                        f"'Create a deep learning model architecture' writes)")
    if keras2_hint(config):
        from .keras2_config import convert_model_config

        config = convert_model_config(config, f"{source} (Keras 2)")
    return build_model(config, source, seed)


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


def is_hdf5(path: Path) -> bool:
    """Whether a file starts with HDF5's signature (Keras and Galaxy-ML write no user block before it)."""
    with open(path, "rb") as handle:
        return handle.read(len(HDF5_MAGIC)) == HDF5_MAGIC


def _check_file_kind(path: Path) -> None:
    if not path.is_file():
        raise UserError(f"model file not found: {path}")
    with open(path, "rb") as handle:
        start = handle.read(8)
    if not zipfile.is_zipfile(path):
        if start.startswith(ZIP_MAGIC):
            raise UserError("the model file is a zip archive that is truncated or damaged (it has no central "
                            "directory); upload it again")
        raise UserError("the model file is not a Keras 3 .keras archive, a Keras HDF5 model or a Galaxy-ML model "
                        "(use a model made by 'Create deep learning model' or 'Deep learning training and "
                        "evaluation')")


def _check_members(archive: zipfile.ZipFile) -> None:
    """Only the known members, each within its size and a model's compression ratio."""
    seen: set[str] = set()
    for info in archive.infolist():
        name = info.filename
        if name not in MEMBER_LIMITS:
            shown = name if name.isprintable() else repr(name)
            raise UserError(f"the model file has a member '{shown}', which a model file of these tools does not "
                            f"have (only {', '.join(MEMBER_LIMITS)}); refusing to read it")
        if name in seen:
            raise UserError(f"the model file has the member '{name}' twice; refusing to read it")
        seen.add(name)
        limit = MEMBER_LIMITS[name]
        if limit is None:
            check_allocation(info.file_size, f"the model file's weights ({name})", _REBUILD)
        elif info.file_size > limit:
            raise UserError(f"the model file's member '{name}' unpacks to {readable(info.file_size)}, more than "
                            f"the {readable(limit)} a model's {name} can need; refusing to read it")
        if info.file_size > _EXPANSION_FLOOR and info.file_size > MAX_EXPANSION * info.compress_size:
            raise UserError(f"the model file's member '{name}' unpacks to {readable(info.file_size)} from "
                            f"{readable(info.compress_size)}, more than {MAX_EXPANSION} times, as no model file "
                            f"does (a decompression bomb or a damaged file); refusing to read it")
    for name in ("config.json", WEIGHTS_MEMBER):
        if name not in seen:
            raise UserError(f"the model file is a zip archive but not a Keras model (no {name})")


def _check_archive(path: Path) -> tuple[dict[str, Any], ModelMeta | None]:
    _check_file_kind(path)
    try:
        with zipfile.ZipFile(path) as archive:
            _check_members(archive)
            config = load_json(archive.read("config.json"), "the model file's config.json")
            meta = None
            if META_MEMBER in archive.namelist():
                meta = ModelMeta.from_json(archive.read(META_MEMBER), "the model file")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError,
            NotImplementedError) as err:
        raise UserError(f"the model file is corrupt: {summarise(err)}; upload it again") from None
    if not isinstance(config, dict):
        raise UserError("the model file's config.json is not a Keras model configuration")
    return config, meta


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
    """
    total = check_hdf5_file(path, f"the model file's {WEIGHTS_MEMBER}")
    check_allocation(total, f"the model file's weights (the datasets {WEIGHTS_MEMBER} declares)", _REBUILD)


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
    config, meta = _check_archive(path)
    check_config(config, "the model file")
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
    check_classes(model, meta, "the model file")
    return model, meta
