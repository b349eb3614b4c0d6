"""Reading and writing the suite's model files.

* Model architecture: the Keras model JSON (``model.to_json()``), Galaxy
  datatype ``json``.
* Built and trained models: Keras 3 native ``.keras`` files (a zip archive,
  Galaxy datatype ``zip``) that plain ``keras.saving.load_model`` opens. The
  suite adds one member, ``galaxy_keras.json``, holding what Keras does not
  store: classifier or regressor, the fit settings and the class labels.

Every load validates the configuration with ``safety.check_config`` before
Keras sees it, and then loads with Keras' ``safe_mode``.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UserError
from .keras_env import keras
from .safety import check_config

META_MEMBER = "galaxy_keras.json"
META_VERSION = 1
_MAX_CONFIG_BYTES = 64 * 1024 * 1024


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
    def from_json(cls, text: str, source: str) -> "ModelMeta":
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            learning_type = data.get("learning_type", "classifier")
            if learning_type not in ("classifier", "regressor"):
                raise ValueError(f"learning_type {learning_type!r}")
            fit = data.get("fit") or {}
            classes = data.get("classes")
            if not isinstance(fit, dict) or (classes is not None and not isinstance(classes, list)):
                raise ValueError("wrong types")
            return cls(learning_type, fit, classes, bool(data.get("trained", False)))
        except (ValueError, TypeError) as err:
            raise UserError(f"{source}: the suite's settings in {META_MEMBER} are malformed ({err})") from None


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def read_model_json(path: str | Path) -> Any:
    """Load a model architecture (JSON) after checking that it names only Keras built-ins."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        config = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UserError(f"the model configuration is not valid JSON: {_first_line(err)}") from None
    if not isinstance(config, dict) or config.get("class_name") not in ("Sequential", "Functional", "Model"):
        raise UserError("the model configuration is not a Keras model JSON "
                        "(expected a Sequential or Functional model, as 'Create a deep learning model architecture' writes)")
    check_config(config, "the model configuration")
    try:
        return keras.models.model_from_json(text)
    except Exception as err:  # noqa: BLE001 - Keras raises many types for bad configs
        raise UserError(f"the model configuration cannot be loaded by Keras: {_first_line(err)}") from None


def save_model(model: Any, path: str | Path, meta: ModelMeta) -> None:
    """Save as a .keras archive with the suite's settings added.

    Keras insists on a ``.keras`` file name, while Galaxy's dataset paths end in
    ``.dat``: save under a temporary name beside the target, then move it.
    """
    target = Path(path)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".save-") as tmp:
        staged = Path(tmp) / "model.keras"
        model.save(staged)
        with zipfile.ZipFile(staged, "a") as archive:
            archive.writestr(META_MEMBER, meta.to_json())
        os.replace(staged, target)


def _check_archive(path: Path) -> tuple[dict[str, Any], ModelMeta | None]:
    if not path.is_file():
        raise UserError(f"model file not found: {path}")
    if not zipfile.is_zipfile(path):
        raise UserError("the model file is not a Keras 3 .keras archive (use a model made by "
                        "'Create deep learning model' or 'Deep learning training and evaluation')")
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            for name in names:
                if name.startswith(("/", "\\")) or ".." in Path(name).parts:
                    raise UserError(f"the model file contains an unsafe member name {name!r}")
            if "config.json" not in names:
                raise UserError("the model file is a zip archive but not a Keras model (no config.json)")
            info = archive.getinfo("config.json")
            if info.file_size > _MAX_CONFIG_BYTES:
                raise UserError("the model file's config.json is implausibly large")
            config = json.loads(archive.read("config.json").decode("utf-8"))
            meta = None
            if META_MEMBER in names:
                meta = ModelMeta.from_json(archive.read(META_MEMBER).decode("utf-8"), "the model file")
    except UserError:
        raise
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError, json.JSONDecodeError, RuntimeError) as err:
        raise UserError(f"the model file is corrupt: {_first_line(err)}") from None
    return config, meta


def load_model(path: str | Path, compile: bool = True) -> tuple[Any, ModelMeta]:
    """Load a .keras file safely; returns the model and the suite's settings."""
    path = Path(path)
    config, meta = _check_archive(path)
    check_config(config, "the model file")
    with tempfile.TemporaryDirectory(prefix="keras-load-") as tmp:
        # Keras decides the format by the file name; Galaxy's datasets end in .dat.
        alias = Path(tmp) / "model.keras"
        os.symlink(path.resolve(), alias)
        try:
            with warnings.catch_warnings():
                # An untrained model's optimizer has no slots yet; Keras warns about that on every load.
                warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
                model = keras.saving.load_model(alias, compile=compile, safe_mode=True)
        except UserError:
            raise
        except Exception as err:  # noqa: BLE001 - Keras raises many types for bad files
            raise UserError(f"the model file cannot be loaded by Keras: {_first_line(err)}") from None
    return model, meta or ModelMeta()
