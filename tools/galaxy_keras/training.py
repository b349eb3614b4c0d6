"""Train a built model and score it: the work behind keras_train_and_eval."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from .batches import split_validation, training_batches
from .compile_catalog import make_callback
from .dense_gradients import densify_sparse_gradients
from .errors import UserError, shown, summarise
from .hyperparams import apply_swaps
from .keras_env import keras, tf
from .label_tables import Targets
from .model_data import (FeatureTable, check_finite_scores, check_loss_and_output, check_probabilities,
                         class_labels, encode_labels, fit_features, plain, predict_scores, scores_to_labels,
                         scores_to_probabilities)
from .model_io import ModelMeta, check_finite_weights, load_model, save_model
from .scoring import classification_scores, regression_scores, score_names
from .splitting import DEFAULT_SEED, split_rows
from .timing import Phases


@dataclass
class ExperimentResult:
    scores: pd.DataFrame
    history: pd.DataFrame
    predictions: pd.DataFrame
    y_true: pd.DataFrame  # the true labels of the last held-out part, as Galaxy-ML's outfile_y_true
    save_model: Callable[[Any], None]
    learning_type: str = "classifier"
    classes: list[Any] | None = None
    planned_epochs: int | None = None  # the model's epochs; fewer ran if a callback stopped training
    trained_with: str = ""  # loss, optimizer and fit settings in one short line (the top of the job's stdout)


def _loss_name(model: Any) -> str:
    loss = model.loss
    return loss if isinstance(loss, str) else getattr(loss, "name", str(loss))


def _mean_loss(model: Any, truth: np.ndarray, scores: np.ndarray) -> float:
    loss = keras.losses.get(model.loss) if isinstance(model.loss, str) else model.loss
    y_pred = scores if scores.shape[1] > 1 else scores[:, 0]
    value = loss(truth, y_pred)
    return float(np.mean(keras.ops.convert_to_numpy(value)))


def _score_rows(model: Any, meta: ModelMeta, rows: dict[str, tuple[np.ndarray, np.ndarray, pd.Series]],
                names: list[str], table: FeatureTable) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score each held-out part; also return the held-out predictions table."""
    records, predictions = [], []
    for part, (indices, features, encoded) in rows.items():
        scores = predict_scores(model, features)
        where, lines = f"{table.what}, held-out {part} part", table.lines(indices)
        check_finite_scores(scores, lines, where)
        if meta.learning_type == "classifier":
            check_probabilities(scores, lines, where)
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


class EpochClock(keras.callbacks.Callback):
    """Times each epoch (its validation included); the first also holds TensorFlow's tracing of the step.

    Epoch hooks only: a callback with a batch hook makes Keras wait for every
    step's result before it dispatches the next (a host sync each step on a GPU).
    """

    def __init__(self) -> None:
        super().__init__()
        self.durations: list[float] = []
        self._started = 0.0

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.durations.append(time.perf_counter() - self._started)


DIVERGED_ADVICE = ("lower the learning rate in 'Create deep learning model' and check the training samples and "
                   "labels for extreme values")


class DivergenceCheck(keras.callbacks.Callback):
    """Ends training with the suite's message once an epoch's loss is NaN or infinite.

    Keras' TerminateOnNaN stops at the batch, but through a batch hook, which
    turns off Keras' asynchronous dispatch of steps for the whole run; an epoch's
    mean loss is NaN or infinite as soon as one of its batches' is, so the check
    after each epoch finds every divergence at the cost of the rest of that epoch.
    Keras' own TerminateOnNaN stays available as a callback of the builder.
    """

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            raise UserError(f"training stopped: the loss became {float(loss)} in epoch {epoch + 1}, so the weights "
                            f"diverged; {DIVERGED_ADVICE}")


def y_true_table(targets: Targets, rows: np.ndarray) -> pd.DataFrame:
    """The true labels of ``rows`` as Galaxy-ML writes outfile_y_true: a column named 0 (0 to k-1 if one-hot)."""
    if targets.one_hot is not None:
        return pd.DataFrame(targets.one_hot[rows], columns=[str(i) for i in range(targets.one_hot.shape[1])])
    values = targets.values.iloc[rows].tolist()
    return pd.DataFrame({"0": [plain(value) for value in values]})


def _check_steps(fit: dict[str, Any], validation: tuple | None, batch_size: int) -> None:
    steps = fit.get("validation_steps")
    if steps is None:
        return
    if validation is None:
        raise UserError(f"validation_steps is {steps} but training has no validation rows: set validation_split "
                        f"above 0 in 'Create deep learning model', or use the scheme 'Train, Validate and Evaluate'")
    available = math.ceil(len(validation[0]) / batch_size)
    if steps > available:
        raise UserError(f"validation_steps {steps} is more than the {available} batches of {batch_size} that the "
                        f"{len(validation[0])} validation rows make; lower validation_steps or leave it empty")


def run_experiment(estimator_path: str, table: FeatureTable, targets: Targets, settings: Any,
                   phases: Phases | None = None, groups: np.ndarray | None = None) -> ExperimentResult:
    phases = phases or Phases()
    with phases.phase("loading the model"):
        model, meta = load_model(estimator_path)
    # A model saved without compile() has no optimizer attribute at all.
    if getattr(model, "optimizer", None) is None or getattr(model, "loss", None) is None:
        raise UserError("the model is not compiled: make it with 'Create deep learning model'")
    model = apply_swaps(model, meta, list(getattr(settings, "swaps", ())))
    densify_sparse_gradients(model.optimizer)
    fit = dict(meta.fit)  # checked and typed by load_model (and by apply_swaps)
    seed = fit.get("random_seed")
    model_seed = seed if seed is not None else DEFAULT_SEED  # weights and batch order; splits take `seed` as given
    keras.utils.set_random_seed(model_seed)
    features = fit_features(model, table)

    # Scorer names that do not fit the model's learning type are refused before, not after, training.
    names = score_names(meta.learning_type, settings.primary_scoring, getattr(settings, "secondary_scoring", ()))
    loss = _loss_name(model)
    if meta.learning_type == "classifier":
        classes = targets.classes if targets.classes is not None else class_labels(targets.values)
        if len(set(plain(value) for value in targets.values.tolist())) < 2:
            raise UserError(f"the labels contain only one class ('{shown(str(targets.values.iloc[0]))}'); a "
                            f"classifier needs two or more")
        check_loss_and_output(model, loss, len(classes))
        meta.classes = classes
        encoded = encode_labels(targets.values, classes, model, loss, "the class labels")
        strata = encoded if encoded.ndim == 1 else encoded.argmax(axis=1)
    else:
        if targets.one_hot is not None:
            raise UserError(f"the labels are a one-hot table of {len(targets.classes)} columns, which is for a "
                            f"classifier; this model is a regressor (it trains on one column of target values)")
        check_loss_and_output(model, loss, None)
        try:
            encoded = targets.values.astype(np.float32).to_numpy()
        except (TypeError, ValueError):
            raise UserError("the target values are not all numbers (a regressor needs numbers)") from None
        strata = None

    kept, test = split_rows(len(features), settings.test_split, strata, seed, "test_split", groups)
    parts = {"test" if settings.scheme == "train_val_test" else "validation": test}
    if settings.scheme == "train_val_test":
        inner, val = split_rows(len(kept), settings.val_split, None if strata is None else strata[kept], seed,
                                "val_split (of the rows left after the test split)",
                                None if groups is None else groups[kept])
        val, kept = kept[val], kept[inner]
        training, validation = (features[kept], encoded[kept]), (features[val], encoded[val])
        parts = {"validation": np.sort(val), "test": test}
    else:
        training, validation = split_validation(features[kept], encoded[kept], float(fit.get("validation_split") or 0))

    clock = EpochClock()
    batch_size = int(fit.get("batch_size", 32))
    _check_steps(fit, validation, batch_size)
    callbacks = [DivergenceCheck()] + [make_callback(keras, spec) for spec in fit.get("callbacks", [])] + [clock]
    steps = fit.get("steps_per_epoch")
    started = time.perf_counter()
    try:
        batches = training_batches(*training, batch_size, model_seed)
        if steps is not None:
            # An epoch of steps_per_epoch batches from a stream that shuffles the rows anew at every pass.
            batches = batches.repeat()
        # The batches are already shuffled anew each epoch; shuffle=False only stops Keras warning so.
        history = model.fit(batches, epochs=int(fit.get("epochs", 1)), callbacks=callbacks,
                            verbose=int(fit.get("verbose", 2)), shuffle=False, steps_per_epoch=steps,
                            validation_data=validation, validation_batch_size=batch_size,
                            validation_steps=fit.get("validation_steps"))
    except (ValueError, tf.errors.InvalidArgumentError) as err:  # what Keras and TensorFlow raise for bad data
        raise UserError(f"training failed: {summarise(err)}") from None
    # The loss a batch reports is computed before its update: the last step can still make a weight NaN
    # (an overflowing gradient), and such a model must not be saved as trained.
    check_finite_weights(model, "training diverged: the trained model", f"it was not saved; {DIVERGED_ADVICE}")
    fit_seconds = time.perf_counter() - started
    print(f"training took {fit_seconds:.1f} s")
    first = clock.durations[0] if clock.durations else fit_seconds
    phases.add("first epoch (tracing included)", first)
    phases.add("later epochs", fit_seconds - first)
    meta.trained = True

    scored = {part: (rows, features[rows], encoded[rows]) for part, rows in parts.items()}
    with phases.phase("scoring the held-out rows"):
        scores, predictions = _score_rows(model, meta, scored, names, table)
    epochs = history.history
    history_table = pd.DataFrame({"epoch": np.arange(1, len(next(iter(epochs.values()), [])) + 1), **epochs})
    last = list(parts.values())[-1]
    return ExperimentResult(scores, history_table, predictions, y_true_table(targets, last),
                            lambda path: save_model(model, path, meta, format=getattr(settings, "save_format", "keras")),
                            meta.learning_type, meta.classes, int(fit.get("epochs", 1)),
                            f"trained: {_loss_name(model)}, {type(model.optimizer).__name__}, "
                            f"{int(fit.get('epochs', 1))} epochs, batch {batch_size}, {len(training[0])} rows")
