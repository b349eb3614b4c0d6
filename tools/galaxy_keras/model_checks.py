"""The checks of a model file that need no Keras, so that a tool can run them before TensorFlow starts.

Starting TensorFlow and Keras takes seconds; a model file that is broken or
hostile (not a model, a damaged or bomb-like archive, a configuration naming a
class outside the allowlist, settings these tools do not write) is refused
here first, in a fraction of a second. model_io.load_model runs the same
checks again before Keras sees the file, so nothing depends on a tool having
called them. Also the suite's settings member (``ModelMeta``), which this
module reads as data.
"""

from __future__ import annotations

import json
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .compile_catalog import FIT_FIELDS, MAX_CALLBACKS, SEED, check_callback
from .errors import UserError, quoted, shown, summarise
from .fields import parse_fields
from .hdf5_checks import MAX_CLASSES, check_hdf5_file, read_classes, read_text
from .hdf5_snapshot import Snapshot
from .params import Params
from .resources import check_allocation, readable
from .model_limits import MAX_JSON_BYTES, check_json_size
from .safety import check_config, keras2_hint, load_json

META_MEMBER = "galaxy_keras.json"
META_VERSION = 1
META_KEYS = ("format_version", "learning_type", "fit", "classes", "trained")
LEARNING_TYPES = ("classifier", "regressor")
WEIGHTS_MEMBER = "model.weights.h5"
# The members a model file may have, with the most each may unpack to (the weights: the memory budget).
MEMBER_LIMITS = {"config.json": MAX_JSON_BYTES, "metadata.json": 1024**2, META_MEMBER: 1024**2, WEIGHTS_MEMBER: None}
KERAS_MEMBERS = ("config.json", "metadata.json", WEIGHTS_MEMBER)
# Keras stores members uncompressed; a member that unpacks to more than this many times its stored
# size (deflate reaches about 1,000) is a decompression bomb, not a model.
MAX_EXPANSION = 100
_EXPANSION_FLOOR = 1024**2  # small members may compress well (JSON does)
ZIP_MAGIC, HDF5_MAGIC = b"PK\x03\x04", b"\x89HDF\r\n\x1a\n"
REBUILD_ADVICE = "build the model again with 'Create deep learning model'"
RETRAIN_ADVICE = "train the model again with 'Deep learning training and evaluation'"


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
            raise UserError(f"{where} is not a JSON object; {REBUILD_ADVICE}")
        unknown = sorted(set(data) - set(META_KEYS), key=str)
        if unknown:
            raise UserError(f"{where} has the key '{shown(unknown[0])}', which these tools do not write; "
                            f"{REBUILD_ADVICE}")
        if data.get("format_version", META_VERSION) != META_VERSION:
            raise UserError(f"{where} has format_version {quoted(data['format_version'])}; these tools read version "
                            f"{META_VERSION}: {REBUILD_ADVICE}")
        learning_type = data.get("learning_type", "classifier")
        if learning_type not in LEARNING_TYPES:
            raise UserError(f"{where}: learning_type must be 'classifier' or 'regressor', got {quoted(learning_type)}")
        trained = data.get("trained", False)
        if not isinstance(trained, bool):
            raise UserError(f"{where}: trained must be true or false, got {quoted(trained)}")
        return cls(learning_type, _read_fit(data.get("fit") or {}, where), _read_classes(data.get("classes"), where),
                   trained)


def _read_fit(fit: Any, where: str) -> dict[str, Any]:
    if not isinstance(fit, dict):
        raise UserError(f"{where}: 'fit' must be an object; {REBUILD_ADVICE}")
    known = {item.name for item in FIT_FIELDS} | {SEED.name, "callbacks"}
    unknown = sorted(set(fit) - known, key=str)
    if unknown:
        raise UserError(f"{where}: the fit setting '{shown(unknown[0])}' is not one these tools use; {REBUILD_ADVICE}")
    try:
        checked = parse_fields(FIT_FIELDS, Params(fit))
        checked[SEED.name] = SEED.parse(Params(fit))
    except UserError as err:
        raise UserError(f"{where}, fit settings: {err}; {REBUILD_ADVICE}") from None
    callbacks = fit.get("callbacks") or []
    if not isinstance(callbacks, list) or len(callbacks) > MAX_CALLBACKS:
        raise UserError(f"{where}: 'callbacks' must be a list of at most {MAX_CALLBACKS}; {REBUILD_ADVICE}")
    checked["callbacks"] = [{"type": kind, **options} for kind, options in
                            (check_callback(spec, f"{where}, callback {n}") for n, spec in enumerate(callbacks, 1))]
    return checked


def _read_classes(classes: Any, where: str) -> list[Any] | None:
    """Class labels: a list of at most MAX_CLASSES texts or finite numbers, no label twice."""
    if classes is None:
        return None
    if not isinstance(classes, list) or len(classes) > MAX_CLASSES or not all(
            isinstance(label, (str, int, float)) and not isinstance(label, bool) for label in classes):
        raise UserError(f"{where}: 'classes' must be a list of labels (text or numbers, at most {MAX_CLASSES:,}); "
                        f"{REBUILD_ADVICE}")
    seen: set[Any] = set()
    for label in classes:
        if isinstance(label, float) and not math.isfinite(label):  # Python's JSON reads NaN and Infinity
            raise UserError(f"{where}: 'classes' holds {label}, which is not a class label; {RETRAIN_ADVICE}")
        # Two labels alike, as values (1 and 1.0) or as the text a prediction table shows ("5" and 5), would
        # give two outputs one name: every row of either class would be labelled the same.
        keys = (("value", label), ("text", str(label)))
        if any(key in seen for key in keys):
            raise UserError(f"{where}: 'classes' lists the label '{shown(label)}' twice, so two of the model's "
                            f"outputs would have one name; {RETRAIN_ADVICE}")
        seen.update(keys)
    return classes


def check_finite_values(weights: Iterable[tuple[str, str, Any]], source: str, advice: str = RETRAIN_ADVICE) -> None:
    """Refuse weights that are not finite numbers, naming the first layer and variable that holds one.

    ``weights``: (layer name, variable name, values), from a file's snapshot
    before TensorFlow starts or from a built model (model_io.check_finite_weights).
    A NaN or infinite weight makes every prediction NaN or one class for every
    row, and training from it keeps it; whatever format the model came in, it
    cannot be right. ``source`` begins the message; ``advice`` ends it.
    """
    import numpy as np

    for layer, variable, values in weights:
        array = np.asarray(values)
        if array.dtype.kind in "fc":
            bad = int(array.size - np.count_nonzero(np.isfinite(array)))
            if bad:
                raise UserError(f"{source}: the layer '{shown(layer)}' holds {bad:,} NaN or infinite value"
                                f"{'s' if bad != 1 else ''} in its variable '{shown(variable)}'; {advice}")


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
            raise UserError(f"the model file has a member '{shown(name)}', which a model file of these tools does not "
                            f"have (only {', '.join(MEMBER_LIMITS)}); refusing to read it")
        if name in seen:
            raise UserError(f"the model file has the member '{shown(name)}' twice; refusing to read it")
        seen.add(name)
        limit = MEMBER_LIMITS[name]
        if limit is None:
            check_allocation(info.file_size, f"the model file's weights ({name})", REBUILD_ADVICE)
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


def check_keras_archive(path: Path) -> tuple[dict[str, Any], ModelMeta | None]:
    """A .keras archive's members, its configuration (against the allowlist) and its settings, if any."""
    config, meta = _check_archive(path)
    check_config(config, "the model file")
    return config, meta


def check_hdf5_model(path: Path) -> Snapshot:
    """An HDF5 model file read in a guarded child (hdf5_snapshot), and what of it needs no Keras checked.

    The objects (no links, external or virtual storage, no unknown filters),
    the declared sizes, the kinds of the objects the loaders use, the weights
    (finite numbers) and the class labels (ModelMeta's rules). Returns the
    snapshot, which the loader (hdf5_models) reuses: the file is read once.
    """
    from .hdf5_weights import stored_weights

    source = "the model file"
    snapshot = check_hdf5_file(path, source, text=True, read_all=False,
                               budget_what="the model file's weights (the datasets it declares)",
                               advice=REBUILD_ADVICE)
    root = snapshot.root
    if snapshot.layout == "galaxy_ml":
        if "-keras_models-/0" not in root:
            return snapshot  # an older Galaxy-ML file or another object: the loader names what it holds
        model = root.group("-keras_models-/0", "the Galaxy-ML model file's '-keras_models-/0'")
        where = "the Galaxy-ML model file's weights"
        weights = model.group("weights", where) if "weights" in model else None
        if "attributes" in model:
            attributes = model.group("attributes", "the Galaxy-ML model file's '-keras_models-/0/attributes'")
            if "classes_" in attributes:
                labels = read_classes(attributes.get("classes_"), "the Galaxy-ML model file's classes_")
                _read_classes(labels, "the Galaxy-ML model file's classes_")
    elif snapshot.layout == "keras_h5" and "model_config" in root.attrs:  # else not a model: the loader says so
        where = "the model file's model_weights"
        weights = root.group("model_weights", where)
        if META_MEMBER in root.attrs:
            ModelMeta.from_json(read_text(root.attrs[META_MEMBER], f"{source}'s {META_MEMBER}"), source)
    else:
        return snapshot
    if weights is not None:
        check_finite_values(((layer, name, dataset.value) for layer, items in stored_weights(weights, where)
                              for name, dataset in items), where)
    return snapshot


def check_model_file(path: str | Path) -> None:
    """What model_io.load_model checks before it needs Keras, whatever the file's kind."""
    path = Path(path)
    if path.is_file() and is_hdf5(path):
        check_hdf5_model(path)
    else:
        check_keras_archive(path)


def read_model_config(path: str | Path) -> dict[str, Any]:
    """A model architecture (JSON) that names only what the suite builds, in Keras 3's form.

    A Keras 2 architecture (Galaxy-ML's model JSON) is converted to Keras 3's
    form first (keras2_config.py) and then checked like any other.
    """
    source = "the model configuration"
    try:
        check_json_size(Path(path).stat().st_size, source)  # before reading: a 10 GB "JSON" is not read
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
    check_config(config, source)
    return config
