"""Scores on held-out data, computed once from the model's predictions.

The names are scikit-learn's scorer names, as Galaxy-ML's 'primary_scoring' and
'secondary_scoring' offer them, with scikit-learn's sign convention: a
``neg_`` score is the negative of the error, so that higher is better for all
of them (``max_error`` too, as scikit-learn's scorer of that name was). The
short names mse, rmse, mae and median_absolute_error are errors as they are.
Each score is computed by scikit-learn's metric function on the held-out
labels and predictions: class indices (the largest probability) for the label
metrics, the class probabilities for neg_log_loss, ROC AUC and average
precision.

Averages: plain precision, recall, f1 and jaccard are of the second class for
two classes (scikit-learn's 'binary') and macro averages for more, as ROC AUC is
one-vs-rest; the ``_micro``, ``_macro``, ``_weighted`` and ``_samples`` names
are those averages (``_samples`` on the one-hot rows of the true and the
predicted class).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .errors import UserError, quoted, summarise

# scikit-learn's metric functions by name: scikit-learn takes about a CPU second to import, and the
# training tool checks score names (check_score_name) long before it scores, so it is imported when scoring.
_AVERAGED = {"precision": "precision_score", "recall": "recall_score", "f1": "f1_score", "jaccard": "jaccard_score"}
_AVERAGES = ("micro", "macro", "weighted", "samples")

# Galaxy-ML's classification scorers, in its form's order, then the other scikit-learn ones for labels.
CLASSIFIER_SCORES = ("accuracy", "balanced_accuracy", "average_precision", "f1", "f1_micro", "f1_macro",
                     "f1_weighted", "f1_samples", "neg_log_loss", "precision", "precision_micro", "precision_macro",
                     "precision_weighted", "precision_samples", "recall", "recall_micro", "recall_macro",
                     "recall_weighted", "recall_samples", "roc_auc", "roc_auc_ovr", "roc_auc_ovo",
                     "roc_auc_ovr_weighted", "roc_auc_ovo_weighted", "jaccard", "jaccard_micro", "jaccard_macro",
                     "jaccard_weighted", "jaccard_samples", "matthews_corrcoef")
REGRESSOR_SCORES = ("explained_variance", "neg_mean_absolute_error", "neg_mean_squared_error",
                    "neg_mean_squared_log_error", "neg_median_absolute_error", "r2", "max_error",
                    "neg_max_error", "neg_root_mean_squared_error", "neg_root_mean_squared_log_error",
                    "neg_mean_absolute_percentage_error", "neg_mean_poisson_deviance", "neg_mean_gamma_deviance",
                    "mse", "rmse", "mae", "median_absolute_error")
# Galaxy-ML's form spells these two so; they mean the weighted averages.
SPELLINGS = {"precision_wighted": "precision_weighted", "recall_wighted": "recall_weighted"}
# Offered by Galaxy-ML's form, refused here (the reason ends the message).
REFUSED_SCORES = {
    "binarize_auc_scorer": "it scores Galaxy-ML's binarize-target estimators (their 'discretize_value'), "
                           "which a Keras model is not",
    "binarize_average_precision_scorer": "it scores Galaxy-ML's binarize-target estimators (their "
                                         "'discretize_value'), which a Keras model is not",
}
DEFAULT_CLASSIFIER = ("accuracy", "precision", "recall", "f1", "roc_auc")
DEFAULT_REGRESSOR = ("mse", "mae", "r2")


def canonical(name: str) -> str:
    """A score name as this module computes it (Galaxy-ML's misspellings corrected)."""
    return SPELLINGS.get(name, name)


def _indicator(codes: np.ndarray, n_classes: int) -> np.ndarray:
    return np.eye(n_classes, dtype=int)[codes]


def _classification_score(name: str, codes: np.ndarray, predicted: np.ndarray, probabilities: np.ndarray) -> float:
    from sklearn import metrics as skm

    n_classes = probabilities.shape[1]
    binary = n_classes == 2
    labels = list(range(n_classes))
    if name == "accuracy":
        return skm.accuracy_score(codes, predicted)
    if name == "balanced_accuracy":
        return skm.balanced_accuracy_score(codes, predicted)
    if name == "matthews_corrcoef":
        return skm.matthews_corrcoef(codes, predicted)
    if name == "neg_log_loss":
        return -skm.log_loss(codes, probabilities, labels=labels)
    if name == "average_precision":
        return skm.average_precision_score(codes, probabilities[:, 1]) if binary else \
            skm.average_precision_score(codes, probabilities)
    if name.startswith("roc_auc"):
        if binary:
            return skm.roc_auc_score(codes, probabilities[:, 1])
        scheme = "ovo" if "ovo" in name else "ovr"
        return skm.roc_auc_score(codes, probabilities, multi_class=scheme, labels=labels,
                                 average="weighted" if name.endswith("_weighted") else "macro")
    metric, _, average = name.partition("_")
    function = getattr(skm, _AVERAGED[metric])
    if not average:
        if binary:
            return function(codes, predicted, average="binary", zero_division=0)
        return function(codes, predicted, average="macro", labels=labels, zero_division=0)
    if average == "samples":
        return function(_indicator(codes, n_classes), _indicator(predicted, n_classes), average="samples",
                        zero_division=0)
    return function(codes, predicted, average=average, labels=labels, zero_division=0)


def _needs_two_classes(name: str) -> bool:
    return name.startswith("roc_auc") or name == "average_precision"


def classification_scores(codes: np.ndarray, probabilities: np.ndarray, names: list[str]) -> dict[str, float]:
    """codes: true class indices; probabilities: one column per class.

    ROC AUC and average precision of a part that holds a single class are NaN (they
    are not defined); any other score scikit-learn cannot compute is an error.
    """
    predicted = probabilities.argmax(axis=1)
    present = len(np.unique(codes)) > 1
    out: dict[str, float] = {}
    for name in names:
        key = canonical(name)
        if _needs_two_classes(key) and not present:
            out[name] = float("nan")
            continue
        try:
            out[name] = float(_classification_score(key, codes, predicted, probabilities))
        except ValueError as err:
            if _needs_two_classes(key):  # e.g. a class with no row in this part
                out[name] = float("nan")
                continue
            raise UserError(f"scoring '{name}' cannot be computed on the held-out rows: {summarise(err)}") from None
    return out


def _rmse(truth: np.ndarray, predicted: np.ndarray) -> float:
    from sklearn.metrics import mean_squared_error

    return float(np.sqrt(mean_squared_error(truth, predicted)))


# name -> (scikit-learn's metric function, by name, or a function of this module; sign)
_REGRESSION: dict[str, tuple[str | Callable[..., Any], int]] = {
    "explained_variance": ("explained_variance_score", 1),
    "r2": ("r2_score", 1),
    "neg_mean_absolute_error": ("mean_absolute_error", -1),
    "neg_mean_squared_error": ("mean_squared_error", -1),
    "neg_root_mean_squared_error": (_rmse, -1),
    "neg_mean_squared_log_error": ("mean_squared_log_error", -1),
    "neg_root_mean_squared_log_error": ("root_mean_squared_log_error", -1),
    "neg_median_absolute_error": ("median_absolute_error", -1),
    "neg_mean_absolute_percentage_error": ("mean_absolute_percentage_error", -1),
    "neg_mean_poisson_deviance": ("mean_poisson_deviance", -1),
    "neg_mean_gamma_deviance": ("mean_gamma_deviance", -1),
    # scikit-learn's 'max_error' scorer (Galaxy-ML's) was the negative error, as 'neg_max_error' is now.
    "max_error": ("max_error", -1),
    "neg_max_error": ("max_error", -1),
    "mse": ("mean_squared_error", 1),
    "rmse": (_rmse, 1),
    "mae": ("mean_absolute_error", 1),
    "median_absolute_error": ("median_absolute_error", 1),
}


def regression_scores(truth: np.ndarray, predicted: np.ndarray, names: list[str]) -> dict[str, float]:
    from sklearn import metrics as skm

    out: dict[str, float] = {}
    for name in names:
        function, sign = _REGRESSION[name]
        if isinstance(function, str):
            function = getattr(skm, function)
        try:
            out[name] = sign * float(function(truth, predicted))
        except ValueError as err:  # e.g. log errors of negative values, deviances of non-positive ones
            raise UserError(f"scoring '{name}' cannot be computed on the held-out rows: {summarise(err)}") from None
    return out


def check_score_name(name: str, what: str) -> None:
    """``name`` must be a score these tools compute; Galaxy-ML's refused ones are named with the reason."""
    if name in REFUSED_SCORES:
        raise UserError(f"{what} '{name}' is not offered by these tools: {REFUSED_SCORES[name]}")
    if canonical(name) not in (*CLASSIFIER_SCORES, *REGRESSOR_SCORES):
        raise UserError(f"unknown {what} {quoted(name)}")


def score_names(learning_type: str, primary: str | None, secondary: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The primary score, the secondary ones, then the standard scores (each once, in that order)."""
    names = list(DEFAULT_CLASSIFIER if learning_type == "classifier" else DEFAULT_REGRESSOR)
    allowed = CLASSIFIER_SCORES if learning_type == "classifier" else REGRESSOR_SCORES
    chosen = ([primary] if primary and primary != "default" else []) + list(secondary)
    for name in chosen:
        if canonical(name) not in allowed:
            other = "regressors" if learning_type == "classifier" else "classifiers"
            kind = "primary_scoring" if name == primary else "secondary_scoring"
            raise UserError(f"{kind} '{name}' is for {other}; this model is a {learning_type}")
    return list(dict.fromkeys(chosen + names))
