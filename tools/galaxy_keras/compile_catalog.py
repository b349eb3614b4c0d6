"""Losses, optimizers, metrics, callbacks and fit settings offered by "Create deep learning model".

Like the layer catalogue, each optimizer and callback is one entry whose
fields generate the form (tools/form_macros.xml) and parse its values. The
same fields check the fit settings and callbacks that a model file carries
(``galaxy_keras.json``): a file is data, so a callback is only ever one of
the catalogue's, rebuilt from its typed fields, never whatever a file names.
"""

from __future__ import annotations

from typing import Any

from .errors import UserError, shown
from .fields import Bool, Field, Float, Int, Select, parse_fields
from .params import Params

CLASSIFICATION_LOSSES = ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
                         "binary_focal_crossentropy", "categorical_focal_crossentropy", "hinge", "squared_hinge",
                         "categorical_hinge", "kl_divergence", "poisson")
REGRESSION_LOSSES = ("mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                     "mean_squared_logarithmic_error", "huber", "log_cosh", "cosine_similarity")
LOSSES = CLASSIFICATION_LOSSES + REGRESSION_LOSSES
# Keras 2's and Galaxy-ML's names -> the Keras 3 loss of the same formula, so that old workflows, model
# files and hyperparameter swaps keep their loss. One table for the builder, the swaps and the Keras 2 readers.
LOSS_ALIASES = {"mse": "mean_squared_error", "MSE": "mean_squared_error", "mae": "mean_absolute_error",
                "MAE": "mean_absolute_error", "mape": "mean_absolute_percentage_error",
                "MAPE": "mean_absolute_percentage_error", "msle": "mean_squared_logarithmic_error",
                "MSLE": "mean_squared_logarithmic_error", "kld": "kl_divergence", "KLD": "kl_divergence",
                "kullback_leibler_divergence": "kl_divergence", "logcosh": "log_cosh", "huber_loss": "huber",
                # Keras 2's v1 names of the cosine similarity loss (the negative cosine, as Keras 3's)
                "cosine": "cosine_similarity", "cosine_proximity": "cosine_similarity"}

# value -> label. "acc" first: the tutorial picks "acc/accuracy".
METRICS = {
    "acc": "acc/accuracy",
    "binary_accuracy": "binary_accuracy",
    "categorical_accuracy": "categorical_accuracy",
    "sparse_categorical_accuracy": "sparse_categorical_accuracy",
    "top_k_categorical_accuracy": "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy": "sparse_top_k_categorical_accuracy",
    "auc": "AUC (area under the ROC curve)",
    "precision": "precision",
    "recall": "recall",
    "mse": "mse/mean_squared_error",
    "mae": "mae/mean_absolute_error",
    "mape": "mape/mean_absolute_percentage_error",
    "msle": "msle/mean_squared_logarithmic_error",
    "cosine_similarity": "cosine_similarity",
}
# Keras 2's and Galaxy-ML's metric names -> the catalogue's. Keras 2's cosine_proximity was the negative
# cosine similarity; Keras 3's cosine_similarity is the same measure with the opposite sign.
METRIC_ALIASES = {"accuracy": "acc", "mean_squared_error": "mse", "MSE": "mse", "mean_absolute_error": "mae",
                  "MAE": "mae", "mean_absolute_percentage_error": "mape", "MAPE": "mape",
                  "mean_squared_logarithmic_error": "msle", "MSLE": "msle", "cosine": "cosine_similarity",
                  "cosine_proximity": "cosine_similarity"}
# Galaxy-ML's "none": no metric besides the loss.
NO_METRIC = "none"
# Metrics that are classes in Keras 3 (a bare string does not resolve to them).
METRIC_CLASSES = {"auc": "AUC", "precision": "Precision", "recall": "Recall"}
# The Keras classes the losses and metrics above resolve to, as a compiled model's config may name them.
LOSS_CLASSES = {"binary_crossentropy": "BinaryCrossentropy", "categorical_crossentropy": "CategoricalCrossentropy",
                "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
                "binary_focal_crossentropy": "BinaryFocalCrossentropy",
                "categorical_focal_crossentropy": "CategoricalFocalCrossentropy", "hinge": "Hinge",
                "squared_hinge": "SquaredHinge", "categorical_hinge": "CategoricalHinge",
                "kl_divergence": "KLDivergence", "poisson": "Poisson", "mean_squared_error": "MeanSquaredError",
                "mean_absolute_error": "MeanAbsoluteError",
                "mean_absolute_percentage_error": "MeanAbsolutePercentageError",
                "mean_squared_logarithmic_error": "MeanSquaredLogarithmicError", "huber": "Huber",
                "log_cosh": "LogCosh", "cosine_similarity": "CosineSimilarity"}
METRIC_CLASS_NAMES = ("BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
                      "SparseTopKCategoricalAccuracy", "AUC", "Precision", "Recall", "MeanSquaredError",
                      "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
                      "CosineSimilarity")


def _lr(default: float) -> Field:
    # Above 10 no optimizer converges: 1e30 gave NaN scores that crashed scoring.
    return Float("learning_rate", default, min=0.0, max=10.0, help="Keras argument 'learning_rate'.")


_EPS = Float("epsilon", 1e-07, min=0.0)

# optimizer -> (description, fields)
OPTIMIZERS: dict[str, tuple[str, tuple[Field, ...]]] = {
    "SGD": ("Stochastic gradient descent", (_lr(0.01), Float("momentum", 0.0, min=0.0), Bool("nesterov", False))),
    "RMSprop": ("RMSProp optimizer", (_lr(0.001), Float("rho", 0.9, min=0.0, max=1.0),
                                      Float("momentum", 0.0, min=0.0), _EPS, Bool("centered", False))),
    "Adagrad": ("Adagrad optimizer", (_lr(0.001), Float("initial_accumulator_value", 0.1, min=0.0), _EPS)),
    "Adadelta": ("Adadelta optimizer", (_lr(0.001), Float("rho", 0.95, min=0.0, max=1.0), _EPS)),
    "Adam": ("Adam optimizer", (_lr(0.001), Float("beta_1", 0.9, min=0.0, max=1.0),
                                Float("beta_2", 0.999, min=0.0, max=1.0), _EPS, Bool("amsgrad", False))),
    "AdamW": ("Adam with decoupled weight decay", (_lr(0.001), Float("weight_decay", 0.004, min=0.0),
                                                   Float("beta_1", 0.9, min=0.0, max=1.0),
                                                   Float("beta_2", 0.999, min=0.0, max=1.0), _EPS,
                                                   Bool("amsgrad", False))),
    "Adamax": ("Adamax optimizer", (_lr(0.001), Float("beta_1", 0.9, min=0.0, max=1.0),
                                    Float("beta_2", 0.999, min=0.0, max=1.0), _EPS)),
    "Nadam": ("Nesterov Adam optimizer", (_lr(0.001), Float("beta_1", 0.9, min=0.0, max=1.0),
                                          Float("beta_2", 0.999, min=0.0, max=1.0), _EPS)),
    "Ftrl": ("FTRL optimizer", (_lr(0.001), Float("learning_rate_power", -0.5, max=0.0),
                                Float("initial_accumulator_value", 0.1, min=0.0),
                                Float("l1_regularization_strength", 0.0, min=0.0),
                                Float("l2_regularization_strength", 0.0, min=0.0),
                                Float("l2_shrinkage_regularization_strength", 0.0, min=0.0),
                                Float("beta", 0.0, min=0.0))),
}

CSV_LOGGER = "CSVLogger"
_MONITOR = Select("monitor", ("val_loss", "loss", "val_acc", "acc", "val_accuracy", "accuracy", "val_auc", "auc"),
                  "val_loss", help="Keras argument 'monitor': the quantity watched (val_ ones need a validation split).")
_MODE = Select("mode", ("auto", "min", "max"), "auto")

# callback -> (description, fields)
CALLBACKS: dict[str, tuple[str, tuple[Field, ...]]] = {
    "EarlyStopping": ("Stop training when a monitored metric has stopped improving",
                      (_MONITOR, Float("min_delta", 0.0, min=0.0), Int("patience", 0, min=0), _MODE,
                       Float("baseline", None, optional=True,
                             help="Keras argument 'baseline': stop unless the monitored quantity reaches it "
                                  "within 'patience' epochs; empty: no baseline."),
                       Bool("restore_best_weights", False), Int("start_from_epoch", 0, min=0))),
    "ReduceLROnPlateau": ("Reduce the learning rate when a metric has stopped improving",
                          (_MONITOR, Float("factor", 0.1, min=0.0, max=1.0), Int("patience", 10, min=0), _MODE,
                           Float("min_delta", 0.0001, min=0.0), Int("cooldown", 0, min=0),
                           Float("min_lr", 0.0, min=0.0))),
    "TerminateOnNaN": ("Stop training when the loss becomes NaN", ()),
    # Galaxy-ML's CSVLogger streamed the per-epoch log to its training history output; the training tool
    # here always writes that history, so this entry only keeps Galaxy-ML's choice valid in the form. It is
    # never stored in, nor run from, a model file (see REFUSED_CALLBACKS).
    CSV_LOGGER: ("Log each epoch to the training history (always written by the training tool)", ()),
}


# Keras callbacks a model file may name but that are never run from one, and why.
REFUSED_CALLBACKS = {"CSVLogger": "it writes a file wherever it is told",
                     "ModelCheckpoint": "it writes files wherever it is told",
                     "BackupAndRestore": "it writes and deletes a folder wherever it is told",
                     "TensorBoard": "it writes log files wherever it is told",
                     "RemoteMonitor": "it sends the training log to a web address",
                     "LambdaCallback": "it runs code"}

# The fit settings, bounded as the builder's form bounds them. steps_per_epoch, validation_steps and
# verbose are Galaxy-ML's (and Keras' fit arguments of the same meaning); empty steps: Keras' default.
FIT_FIELDS = (Int("epochs", 1, min=1, max=100_000), Int("batch_size", 32, min=1, max=1_000_000),
              Float("validation_split", 0.0, min=0.0, max=0.9),
              Int("steps_per_epoch", None, min=1, max=10_000_000, optional=True),
              Int("validation_steps", None, min=1, max=10_000_000, optional=True),
              Int("verbose", 2, min=0, max=2))
SEED = Int("random_seed", None, min=0, max=2**32 - 1)
MAX_CALLBACKS = 10


def check_callback(spec: Any, where: str) -> tuple[str, dict[str, Any]]:
    """A callback's type and typed arguments, checked against the catalogue.

    ``where`` names the callback in messages, e.g. "the model file's galaxy_keras.json, callback 1".
    """
    if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
        raise UserError(f"{where} is not an object with a 'type'")
    options = dict(spec)
    kind = options.pop("type")
    if kind not in CALLBACKS or kind in REFUSED_CALLBACKS:
        reason = REFUSED_CALLBACKS.get(kind, "it is not one of the callbacks these tools offer")
        allowed = ", ".join(name for name in CALLBACKS if name not in REFUSED_CALLBACKS)
        raise UserError(f"{where} is a '{shown(kind)}' callback, which these tools never run from a model file "
                        f"({reason}); the callbacks allowed are {allowed}: build the model again "
                        f"with 'Create deep learning model'")
    fields = CALLBACKS[kind][1]
    unknown = sorted(set(options) - {item.name for item in fields})
    if unknown:
        raise UserError(f"{where} ({kind}) has the argument '{shown(unknown[0])}', which these tools do not set; "
                        f"build the model again with 'Create deep learning model'")
    try:
        return kind, parse_fields(fields, Params(options))
    except UserError as err:
        raise UserError(f"{where} ({kind}): {err}") from None


def legacy_learning_rate(params: Params, options: dict[str, Any], where: str) -> None:
    """The Keras 2.2 optimizer settings 'lr' and 'decay' of Galaxy-ML's older forms, where a parameter file has them.

    'lr' is Keras 2's name of 'learning_rate' and replaces it in ``options``. Keras 2's 'decay' (the learning
    rate lr / (1 + decay * step)) is no argument of a Keras 3 optimizer: 0 or empty is accepted (no decay),
    any other value refused, never dropped.
    """
    lr = params.float("lr", None, minimum=0.0, maximum=10.0)
    if lr is not None:
        given = params.float("learning_rate", None) if params.has("learning_rate") else None
        if given is not None and given != lr:
            raise UserError(f"parameters '{where}|lr' ({lr}) and '{where}|learning_rate' ({given}) are Keras 2's and "
                            f"Keras 3's names of one setting, with different values; give only learning_rate")
        options["learning_rate"] = lr
    decay = params.float("decay", None)
    if decay:
        raise UserError(f"parameter '{where}|decay' is {decay}: Keras 2's learning-rate decay "
                        f"(lr / (1 + decay * step)) is no argument of a Keras 3 optimizer, and these tools do not "
                        f"emulate it; set decay to 0 (or remove it) and choose learning_rate instead")


def make_optimizer(keras: Any, name: str, options: dict[str, Any]) -> Any:
    return getattr(keras.optimizers, name)(**options)


def make_metric(keras: Any, name: str) -> Any:
    return getattr(keras.metrics, METRIC_CLASSES[name])(name=name) if name in METRIC_CLASSES else name


def make_callback(keras: Any, spec: dict[str, Any]) -> Any:
    """Build a catalogue callback from its checked, typed arguments (never from a spec as it is)."""
    kind, options = check_callback(spec, "a callback in the model's fit settings")
    return getattr(keras.callbacks, kind)(**options)
