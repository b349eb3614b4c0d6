"""Galaxy-ML's Keras models (h5mlm files of KerasGClassifier, KerasGRegressor, KerasGBatchClassifier).

The layout, as Galaxy-ML 0.10 writes it (galaxy_ml.model_persist and
keras_galaxy_models' ``save_model``), in HDF5:

* dataset ``-model_config-``: JSON of the pickled object graph. For a bare
  Keras estimator it is exactly ``{"-object-": {"-keras_model-": 0}}``; any
  other object (a Pipeline, a search, a scikit-learn estimator) is a tree of
  ``-reduce-`` and ``-global-`` entries naming Python modules and functions
  that Galaxy-ML imports and calls to rebuild it.
* group ``-keras_models-/0``: dataset ``class_name`` (the estimator's class),
  dataset ``params`` (JSON: the estimator's parameters, among them ``config``,
  the Keras 2 model's configuration), group ``weights`` when it was trained
  (Keras' HDF5 weights layout) and group ``attributes`` (``classes_`` for a
  trained classifier).
* ``-model_hyperparameters-`` and root attributes (``-repr-``, versions):
  descriptions for Galaxy-ML's search tool, not read here.

Only a bare estimator of the three classes is read; the class is a name
matched against that list, never looked up, and nothing in the file is
imported, unpickled or called. The file is read once, in a guarded child
process (hdf5_snapshot.py), into a typed tree that the code here reads: each
object is checked to be a group or a dataset where one is expected. The
Keras 2 configuration is converted (keras2_config.py), checked by the
allowlist and built by Keras 3; the weights are assigned from the snapshot
(hdf5_weights.py).

Galaxy-ML's parameters, and what becomes of each:

* ``config``, ``model_type``: the model. ``optimizer``, its parameters, ``loss``,
  ``metrics``: the compile settings (keras2_compile.from_galaxy_ml, with
  Galaxy-ML's defaults for empty ones). ``epochs``, ``batch_size``,
  ``validation_split``, ``seed`` (as random_seed), ``callbacks``: the fit
  settings, bounded as the builder's form bounds them.
* Callbacks: EarlyStopping, ReduceLROnPlateau and TerminateOnNaN as the
  builder's (EarlyStopping's ``baseline`` only when empty); CSVLogger is not
  run, with a note (its per-epoch log is the training tool's history output);
  any other is refused, as in the suite's own model files.
* ``steps_per_epoch``, ``validation_steps``, ``verbose`` and EarlyStopping's
  ``baseline``: carried over where the suite's catalogue (compile_catalog's
  FIT_FIELDS and CALLBACKS) has a field for them; where it has none, refused
  unless empty (``verbose`` then ignored: it changes only what Keras prints).
* Refused unless "off": ``loss_weights`` (None), KerasGBatchClassifier's
  ``prediction_steps`` (None) and ``class_positive_factor`` (1: no class weight).
* Ignored, as they change only how fast Keras runs: ``run_eagerly``,
  ``steps_per_execution``, KerasGBatchClassifier's ``n_jobs``. Its
  ``data_batch_generator`` (FASTA, genomic intervals, images) is never saved
  by Galaxy-ML; these tools feed the model a table.
* Any parameter not listed here is refused by name.

For prediction (``compile=False``) only the model, its weights, classifier or
regressor and the class labels are read: the training settings do not matter
there, so a setting these tools cannot train with does not stop a prediction.
"""

from __future__ import annotations

import collections
from typing import Any

from .compile_catalog import CALLBACKS, FIT_FIELDS
from .errors import UserError, shown
from .hdf5_checks import MAX_OBJECTS, read_classes, read_text
from .hdf5_snapshot import GALAXY_ML_ROOT_NAMES, Group
from .hdf5_weights import load_weights
from .keras2_compile import GALAXY_ML_OPTIMIZER_PARAMS, compile_model, from_galaxy_ml
from .keras2_config import convert_model_config
from .model_io import ModelMeta, build_model, check_classes
from .safety import load_json
from .splitting import DEFAULT_SEED

SOURCE = "the Galaxy-ML model file"
LEARNING_TYPES = {"KerasGClassifier": "classifier", "KerasGRegressor": "regressor",
                  "KerasGBatchClassifier": "classifier"}
BARE_KERAS_MODEL = {"-object-": {"-keras_model-": 0}}
MODEL_TYPES = {"sequential": "Sequential", "functional": "Functional"}
_MODEL_PARAMS = ("config", "model_type")
_COMPILE_PARAMS = ("optimizer", "loss", "metrics", *GALAXY_ML_OPTIMIZER_PARAMS)
_FIT_PARAMS = ("epochs", "batch_size", "validation_split", "validation_fraction", "seed", "callbacks")
# Carried over as fit settings of the same name when the catalogue has the field (see _OFF_PARAMS otherwise).
_OPTIONAL_FIT_PARAMS = ("steps_per_epoch", "validation_steps", "verbose")
_IGNORED_PARAMS = ("run_eagerly", "steps_per_execution", "n_jobs")
# Parameter -> the value that means "off", and what any other value did in Galaxy-ML.
_OFF_PARAMS = {"loss_weights": (None, "weights for the losses of several outputs"),
               "steps_per_epoch": (None, "epochs of a set number of batches"),
               "validation_steps": (None, "validation on a set number of batches"),
               "prediction_steps": (None, "predictions of a set number of batches"),
               "class_positive_factor": (1, "a weight for the positive class"),
               "data_batch_generator": (None, "a batch generator object")}
# Galaxy-ML's own reconstruction helpers: not what a refused object is named by.
_PLUMBING_MODULES = ("copyreg", "copy_reg", "builtins", "__builtin__", "numpy", "numpy.core.multiarray")


def load_galaxy_ml_model(root: Group, compile: bool = True) -> tuple[Any, ModelMeta]:
    """Model and settings from an h5mlm file's snapshot (hdf5_snapshot: read and checked in a guarded child)."""
    _check_object(root)
    models = root.group("-keras_models-", f"{SOURCE}'s '-keras_models-'") if "-keras_models-" in root else None
    if models is None or "0" not in models or len(models) != 1:
        raise UserError(f"{SOURCE} has no single Keras model under '-keras_models-'; the file is damaged")
    group = models.group("0", f"{SOURCE}'s '-keras_models-/0'")
    class_name = read_text(group.dataset("class_name", f"{SOURCE}'s class_name"), f"{SOURCE}'s class_name") \
        if "class_name" in group else None
    if class_name not in LEARNING_TYPES:
        raise UserError(f"{SOURCE} holds a '{shown(class_name)}' object; these tools read only Galaxy-ML's Keras "
                        f"models ({', '.join(LEARNING_TYPES)}) and never rebuild other objects from a file; "
                        f"refusing it")
    if "params" not in group:
        raise UserError(f"{SOURCE} has no parameters ('params') for its {class_name}; the file is damaged")
    params = load_json(read_text(group.dataset("params", f"{SOURCE}'s params"), f"{SOURCE}'s params"),
                       f"{SOURCE}'s params")
    if not isinstance(params, dict):
        raise UserError(f"{SOURCE}'s params are not a JSON object; the file is damaged")
    where = f"{SOURCE} ({class_name})"
    seed = params.get("seed") if isinstance(params.get("seed"), int) else None
    trained = "weights" in group
    model = build_model(_model_config(params, where), where, None if trained else _initial_seed(seed))
    if trained:
        load_weights(model, group.group("weights", f"{SOURCE}'s weights"), f"{SOURCE}'s weights")
    fit = {}
    if compile:
        _refuse_unknown(params, where)
        compile_model(model, from_galaxy_ml(params, where))
        fit = _fit_settings(params, where)
    meta = ModelMeta.from_data({"learning_type": LEARNING_TYPES[class_name], "fit": fit,
                                "classes": _classes(group), "trained": trained}, f"{where}'s settings")
    check_classes(model, meta, SOURCE)
    return model, meta


def is_galaxy_ml_file(root: Group) -> bool:
    """Galaxy-ML's layout (as 0.10 writes it), or its older one: the whole estimator as a pickle tree."""
    return any(name in root for name in GALAXY_ML_ROOT_NAMES)


def _check_object(handle: Group) -> None:
    """The file must hold one bare Keras estimator; anything else is named (never rebuilt) and refused."""
    if "-model_config-" not in handle and "-reduce-" in handle:
        raise UserError(f"{SOURCE} is in Galaxy-ML's older format, which stores the whole estimator as pickled "
                        f"Python objects to rebuild (no '-model_config-'); these tools never unpickle a file: build "
                        f"the model again with 'Create deep learning model'")
    if "-model_config-" not in handle:
        raise UserError(f"{SOURCE} has no '-model_config-'; the file is damaged")
    text = read_text(handle.dataset("-model_config-", f"{SOURCE}'s -model_config-"), f"{SOURCE}'s -model_config-")
    obj = load_json(text, f"{SOURCE}'s -model_config-")
    if obj != BARE_KERAS_MODEL:
        named = _first_global(obj)
        what = f"a '{shown(named)}' object" if named else "an object other than a Keras model"
        raise UserError(f"{SOURCE} holds {what}; these tools read only Galaxy-ML's Keras models "
                        f"({', '.join(LEARNING_TYPES)}) on their own, and never rebuild (unpickle) other objects "
                        f"from a file; refusing it")


def _first_global(obj: Any) -> str | None:
    """The first module.name a pickled tree names (its ``-global-`` entries), skipping pickle's own helpers."""
    queue, seen = collections.deque([obj]), 0
    while queue and seen < MAX_OBJECTS:  # breadth first: the outermost object's name comes first
        node = queue.popleft()
        seen += 1
        if isinstance(node, dict):
            pair = node.get("-global-")
            if isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair):
                if pair[0] not in _PLUMBING_MODULES:
                    return ".".join(pair)
            queue.extend(node.values())
        elif isinstance(node, list):
            queue.extend(node)
    return None


def _model_config(params: dict[str, Any], where: str) -> dict[str, Any]:
    model_type = params.get("model_type", "sequential")
    if model_type not in MODEL_TYPES:
        raise UserError(f"{where}: model_type {shown(model_type)} is neither 'sequential' nor 'functional'")
    if not isinstance(params.get("config"), (dict, list)):
        raise UserError(f"{where} has no Keras model configuration ('config')")
    return convert_model_config({"class_name": MODEL_TYPES[model_type], "config": params["config"]}, where)


def _initial_seed(seed: int | None) -> int:
    """The seed the initial weights of a built (untrained) model are drawn with, as the builder draws them."""
    return seed if seed is not None else DEFAULT_SEED


def _fit_fields() -> set[str]:
    return {item.name for item in FIT_FIELDS}


def _refuse_unknown(params: dict[str, Any], where: str) -> None:
    known = {*_MODEL_PARAMS, *_COMPILE_PARAMS, *_FIT_PARAMS, *_OPTIONAL_FIT_PARAMS, *_IGNORED_PARAMS, *_OFF_PARAMS}
    carried = _fit_fields()
    for key in sorted(params):
        if key not in known:
            raise UserError(f"{where} has the parameter '{shown(key)}', which these tools do not know; refusing to "
                            f"guess what it did: build the model again with 'Create deep learning model'")
        if key == "verbose" and key not in carried:
            continue  # what Keras prints, nothing it computes
        if key in _OFF_PARAMS and key not in carried and params[key] != _OFF_PARAMS[key][0] and \
                params[key] is not None:
            raise UserError(f"{where} sets {key}={shown(params[key])} ({_OFF_PARAMS[key][1]}), which these tools do "
                            f"not offer: build the model again with 'Create deep learning model'")


def _fit_settings(params: dict[str, Any], where: str) -> dict[str, Any]:
    split = params.get("validation_split", params.get("validation_fraction"))
    fit = {"epochs": params.get("epochs", 1), "batch_size": params.get("batch_size") or 32,
           "validation_split": split or 0.0, "random_seed": params.get("seed"),
           "callbacks": _callbacks(params.get("callbacks"), where)}
    carried = _fit_fields()
    fit.update({key: params[key] for key in _OPTIONAL_FIT_PARAMS if key in carried and params.get(key) is not None})
    return fit


def _callbacks(entries: Any, where: str) -> list[dict[str, Any]]:
    """Galaxy-ML's callback entries as the suite's (type and arguments); checked by ModelMeta."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise UserError(f"{where}: 'callbacks' is not a list")
    callbacks = []
    for n, entry in enumerate(entries, 1):
        selection = entry.get("callback_selection") if isinstance(entry, dict) else None
        if not isinstance(selection, dict):
            raise UserError(f"{where}: callback {n} is not a Galaxy-ML callback entry")
        # Galaxy leaves an optional field it did not get as None: Keras' default, as the builder's form.
        options = {key: value for key, value in selection.items() if key != "callback_type" and value is not None}
        kind = selection.get("callback_type")
        if kind in ("None", "", None):
            continue
        if kind == "CSVLogger":
            print(f"Note: {where}'s CSVLogger callback is not run; the training tool's history output has the same "
                  f"per-epoch log")
            continue
        if kind == "EarlyStopping" and "baseline" in options and not _has_baseline():
            raise UserError(f"{where}: callback {n} (EarlyStopping) sets baseline={shown(options['baseline'])}, which "
                            f"these tools do not offer: build the model again with 'Create deep learning model'")
        callbacks.append({"type": kind, **options})
    return callbacks


def _has_baseline() -> bool:
    return any(item.name == "baseline" for item in CALLBACKS["EarlyStopping"][1])


def _classes(group: Group) -> list[Any] | None:
    """A trained classifier's ``classes_`` (numbers or texts), or None; ModelMeta checks them further."""
    if "attributes" not in group:
        return None
    attributes = group.group("attributes", f"{SOURCE}'s '-keras_models-/0/attributes'")
    if "classes_" not in attributes:
        return None
    return read_classes(attributes.get("classes_"), f"{SOURCE}'s classes_")
