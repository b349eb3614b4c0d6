"""Train a built model and score it: the work behind keras_train_and_eval."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from .batches import split_validation, training_batches
from .compile_catalog import make_callback
from .dense_gradients import sum_sparse_gradients
from .errors import UserError
from .keras_env import keras
from .model_data import (class_labels, encode_labels, fit_features, predict_scores, scores_to_labels,
                         scores_to_probabilities)
from .model_io import ModelMeta, load_model, save_model
from .scoring import classification_scores, regression_scores, score_names
from .splitting import DEFAULT_SEED, split_rows
from .timing import Phases


@dataclass
class ExperimentResult:
    scores: pd.DataFrame
    history: pd.DataFrame
    predictions: pd.DataFrame
    save_model: Callable[[Any], None]


def _loss_name(model: Any) -> str:
    loss = model.loss
    return loss if isinstance(loss, str) else getattr(loss, "name", str(loss))


def _mean_loss(model: Any, truth: np.ndarray, scores: np.ndarray) -> float:
    loss = keras.losses.get(model.loss) if isinstance(model.loss, str) else model.loss
    y_pred = scores if scores.shape[1] > 1 else scores[:, 0]
    value = loss(truth, y_pred)
    return float(np.mean(keras.ops.convert_to_numpy(value)))


def _score_rows(model: Any, meta: ModelMeta, rows: dict[str, tuple[np.ndarray, np.ndarray, pd.Series]],
                primary: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score each held-out part; also return the held-out predictions table."""
    records, predictions = [], []
    names = score_names(meta.learning_type, primary)
    for part, (indices, features, encoded) in rows.items():
        scores = predict_scores(model, features)
        record: dict[str, Any] = {"dataset": part, "n_samples": len(indices),
                                  "loss": _mean_loss(model, encoded, scores)}
        frame = pd.DataFrame({"row": indices + 1, "dataset": part})
        if meta.learning_type == "classifier":
            probabilities = scores_to_probabilities(scores)
            codes = encoded.astype(int) if encoded.ndim == 1 else encoded.argmax(axis=1)
            record.update(classification_scores(codes, probabilities, names))
            classes = meta.classes or []
            frame["true"] = np.array(classes, dtype=object)[codes]
            frame["predicted"] = scores_to_labels(scores, classes)
            for i, label in enumerate(classes):
                frame[f"probability_{label}"] = probabilities[:, i]
        else:
            truth = encoded.reshape(len(encoded), -1)
            record.update(regression_scores(truth, scores, names))
            frame["true"] = truth[:, 0]
            frame["predicted"] = scores[:, 0]
        records.append(record)
        predictions.append(frame)
    return pd.DataFrame.from_records(records), pd.concat(predictions, ignore_index=True)


class StepClock(keras.callbacks.Callback):
    """Times every training step: the first one is where TensorFlow traces and compiles the step function."""

    def __init__(self) -> None:
        super().__init__()
        self.durations: list[float] = []
        self._started = 0.0

    def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
        self._started = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        self.durations.append(time.perf_counter() - self._started)

    def tracing_seconds(self) -> float:
        """The first step's time beyond a steady step's (0 when there is only one step)."""
        if len(self.durations) < 2:
            return 0.0
        return max(self.durations[0] - statistics.median(self.durations[1:]), 0.0)


def run_experiment(estimator_path: str, features: np.ndarray, targets: pd.Series, settings: Any,
                   phases: Phases | None = None) -> ExperimentResult:
    phases = phases or Phases()
    with phases.phase("loading the model"):
        model, meta = load_model(estimator_path)
    if model.optimizer is None or getattr(model, "loss", None) is None:
        raise UserError("the model is not compiled: make it with 'Create deep learning model'")
    sum_sparse_gradients(model.optimizer)
    fit = dict(meta.fit)
    seed = fit.get("random_seed")
    model_seed = seed if seed is not None else DEFAULT_SEED  # weights and batch order; splits take `seed` as given
    keras.utils.set_random_seed(model_seed)
    features = fit_features(model, features, "the training samples table")

    loss = _loss_name(model)
    if meta.learning_type == "classifier":
        classes = class_labels(targets)
        if len(classes) < 2:
            raise UserError(f"the labels contain only one class ({classes[0]!r}); a classifier needs two or more")
        meta.classes = classes
        encoded = encode_labels(targets, classes, model, loss, "the class labels")
        strata = encoded if encoded.ndim == 1 else encoded.argmax(axis=1)
    else:
        try:
            encoded = targets.astype(np.float32).to_numpy()
        except (TypeError, ValueError):
            raise UserError("the target values are not all numbers (a regressor needs numbers)") from None
        strata = None

    kept, test = split_rows(len(features), settings.test_split, strata, seed, "test_split")
    parts = {"test" if settings.scheme == "train_val_test" else "validation": test}
    if settings.scheme == "train_val_test":
        inner, val = split_rows(len(kept), settings.val_split, None if strata is None else strata[kept], seed,
                                "val_split")
        val, kept = kept[val], kept[inner]
        training, validation = (features[kept], encoded[kept]), (features[val], encoded[val])
        parts = {"validation": np.sort(val), "test": test}
    else:
        training, validation = split_validation(features[kept], encoded[kept], float(fit.get("validation_split") or 0))

    batch_size = int(fit.get("batch_size", 32))
    clock = StepClock()
    callbacks = [make_callback(keras, spec) for spec in fit.get("callbacks", [])] + [clock]
    started = time.perf_counter()
    try:
        batches = training_batches(*training, batch_size, model_seed)
        # The batches are already shuffled anew each epoch; shuffle=False only stops Keras warning so.
        history = model.fit(batches, epochs=int(fit.get("epochs", 1)), callbacks=callbacks, verbose=2,
                            shuffle=False, validation_data=validation, validation_batch_size=batch_size)
    except ValueError as err:
        message = str(err).strip().splitlines()[0] if str(err).strip() else "ValueError"
        raise UserError(f"training failed: {message}") from None
    fit_seconds = time.perf_counter() - started
    print(f"training took {fit_seconds:.1f} s")
    phases.add("first training step (tracing)", clock.tracing_seconds())
    phases.add("training (epochs, validation)", fit_seconds - clock.tracing_seconds())
    meta.trained = True

    scored = {part: (rows, features[rows], encoded[rows]) for part, rows in parts.items()}
    with phases.phase("scoring the held-out rows"):
        scores, predictions = _score_rows(model, meta, scored, settings.primary_scoring)
    epochs = history.history
    history_table = pd.DataFrame({"epoch": np.arange(1, len(next(iter(epochs.values()), [])) + 1), **epochs})
    return ExperimentResult(scores, history_table, predictions, lambda path: save_model(model, path, meta))
