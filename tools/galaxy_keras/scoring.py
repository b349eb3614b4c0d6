"""Scores on held-out data, computed once from the model's predictions."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import metrics as skm

from .errors import UserError

CLASSIFIER_SCORES = ("accuracy", "precision", "recall", "f1", "roc_auc", "balanced_accuracy",
                     "average_precision", "matthews_corrcoef")
REGRESSOR_SCORES = ("mse", "rmse", "mae", "r2", "explained_variance", "median_absolute_error")
DEFAULT_CLASSIFIER = ("accuracy", "precision", "recall", "f1", "roc_auc")
DEFAULT_REGRESSOR = ("mse", "mae", "r2")


def classification_scores(codes: np.ndarray, probabilities: np.ndarray, names: list[str]) -> dict[str, float]:
    """codes: true class indices; probabilities: one column per class."""
    predicted = probabilities.argmax(axis=1)
    n_classes = probabilities.shape[1]
    binary = n_classes == 2
    average = "binary" if binary else "macro"
    out: dict[str, float] = {}
    present = len(np.unique(codes)) > 1
    for name in names:
        if name == "accuracy":
            out[name] = skm.accuracy_score(codes, predicted)
        elif name in ("precision", "recall", "f1"):
            function = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}[name]
            out[name] = function(codes, predicted, average=average, zero_division=0,
                                 labels=None if binary else list(range(n_classes)))
        elif name == "roc_auc":
            if not present:
                out[name] = float("nan")
            elif binary:
                out[name] = skm.roc_auc_score(codes, probabilities[:, 1])
            else:
                out[name] = skm.roc_auc_score(codes, probabilities, multi_class="ovr",
                                              labels=list(range(n_classes)))
        elif name == "average_precision":
            out[name] = skm.average_precision_score(codes, probabilities[:, 1]) if binary and present else float("nan")
        elif name == "balanced_accuracy":
            out[name] = skm.balanced_accuracy_score(codes, predicted)
        elif name == "matthews_corrcoef":
            out[name] = skm.matthews_corrcoef(codes, predicted)
    return {key: float(value) for key, value in out.items()}


def regression_scores(truth: np.ndarray, predicted: np.ndarray, names: list[str]) -> dict[str, float]:
    functions: dict[str, Any] = {
        "mse": skm.mean_squared_error,
        "rmse": lambda t, p: float(np.sqrt(skm.mean_squared_error(t, p))),
        "mae": skm.mean_absolute_error,
        "r2": skm.r2_score,
        "explained_variance": skm.explained_variance_score,
        "median_absolute_error": skm.median_absolute_error,
    }
    return {name: float(functions[name](truth, predicted)) for name in names}


def score_names(learning_type: str, primary: str | None) -> list[str]:
    """The standard scores, with the user's primary score first."""
    names = list(DEFAULT_CLASSIFIER if learning_type == "classifier" else DEFAULT_REGRESSOR)
    allowed = CLASSIFIER_SCORES if learning_type == "classifier" else REGRESSOR_SCORES
    if primary and primary != "default" and primary not in allowed:
        other = "regressors" if learning_type == "classifier" else "classifiers"
        raise UserError(f"primary_scoring '{primary}' is for {other}; this model is a {learning_type}")
    if primary and primary != "default":
        names = [primary] + [name for name in names if name != primary]
    return names
