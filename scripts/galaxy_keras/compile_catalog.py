"""Losses, optimizers, metrics and callbacks offered by "Create deep learning model".

Like the layer catalogue, each optimizer and callback is one entry whose
fields generate the form (tools/builder_macros.xml) and parse its values.
"""

from __future__ import annotations

from typing import Any

from .fields import Bool, Field, Float, Int, Select

CLASSIFICATION_LOSSES = ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
                         "binary_focal_crossentropy", "categorical_focal_crossentropy", "hinge", "squared_hinge",
                         "categorical_hinge", "kl_divergence", "poisson")
REGRESSION_LOSSES = ("mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                     "mean_squared_logarithmic_error", "huber", "log_cosh", "cosine_similarity")
LOSSES = CLASSIFICATION_LOSSES + REGRESSION_LOSSES

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
# Metrics that are classes in Keras 3 (a bare string does not resolve to them).
METRIC_CLASSES = {"auc": "AUC", "precision": "Precision", "recall": "Recall"}


def _lr(default: float) -> Field:
    return Float("learning_rate", default, min=0.0, help="Keras argument 'learning_rate'.")


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
                                Float("l2_regularization_strength", 0.0, min=0.0))),
}

_MONITOR = Select("monitor", ("val_loss", "loss", "val_acc", "acc", "val_accuracy", "accuracy", "val_auc", "auc"),
                  "val_loss", help="Keras argument 'monitor': the quantity watched (val_ ones need a validation split).")
_MODE = Select("mode", ("auto", "min", "max"), "auto")

# callback -> (description, fields)
CALLBACKS: dict[str, tuple[str, tuple[Field, ...]]] = {
    "EarlyStopping": ("Stop training when a monitored metric has stopped improving",
                      (_MONITOR, Float("min_delta", 0.0, min=0.0), Int("patience", 0, min=0), _MODE,
                       Bool("restore_best_weights", False), Int("start_from_epoch", 0, min=0))),
    "ReduceLROnPlateau": ("Reduce the learning rate when a metric has stopped improving",
                          (_MONITOR, Float("factor", 0.1, min=0.0, max=1.0), Int("patience", 10, min=0), _MODE,
                           Float("min_delta", 0.0001, min=0.0), Int("cooldown", 0, min=0),
                           Float("min_lr", 0.0, min=0.0))),
    "TerminateOnNaN": ("Stop training when the loss becomes NaN", ()),
}


def make_optimizer(keras: Any, name: str, options: dict[str, Any]) -> Any:
    return getattr(keras.optimizers, name)(**options)


def make_metric(keras: Any, name: str) -> Any:
    return getattr(keras.metrics, METRIC_CLASSES[name])(name=name) if name in METRIC_CLASSES else name


def make_callback(keras: Any, spec: dict[str, Any]) -> Any:
    options = dict(spec)
    return getattr(keras.callbacks, options.pop("type"))(**options)
