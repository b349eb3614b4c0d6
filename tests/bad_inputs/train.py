"""Deep learning training and evaluation (keras_train_and_eval).

Models that the builder would refuse, or that an older or hand-edited file
holds, are made at test time with Keras itself (``model``): the training tool
must refuse them on its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np

from bad_inputs import Case
from bad_inputs.common import D, TRAIN_OUTPUTS, train_inputs, train_params

Make = Callable[[Path, Path], Path]
N_ROWS = 40
FIT = {"epochs": 1, "batch_size": 8, "validation_split": 0.0, "callbacks": [], "random_seed": 1}


def model(units: int, activation: str | None, loss: str | None, *, optimizer: Any = "adam", hidden: bool = False,
          fit: dict | None = None, classes: list | None = None, trained: bool = False,
          nan_weights: bool = False) -> Make:
    """A make(folder, canary) that saves Dense layers on 4 features, compiled with ``loss`` (None: not compiled)."""
    def make(folder: Path, _canary: Path) -> Path:
        from galaxy_keras.keras_env import keras
        from galaxy_keras.model_io import ModelMeta, save_model

        layers = [keras.layers.Dense(4, activation="relu")] if hidden else []
        built = keras.Sequential([keras.Input((4,)), *layers, keras.layers.Dense(units, activation=activation)])
        if loss is not None:
            built.compile(optimizer=optimizer() if callable(optimizer) else optimizer, loss=loss)
        if nan_weights:
            built.set_weights([np.full_like(weights, np.nan) for weights in built.get_weights()])
        path = folder / "model.keras"
        save_model(built, path, ModelMeta("classifier", fit or FIT, classes, trained))
        return path
    return make


def features(name: str = "x.tsv", scale: float = 1.0) -> Make:
    def make(folder: Path, _canary: Path) -> Path:
        rows = np.random.default_rng(0).normal(size=(N_ROWS, 4)) * scale
        path = folder / name
        path.write_text("".join("\t".join(f"{value:.6g}" for value in row) + "\n" for row in rows))
        return path
    return make


def labels(n_classes: int) -> Make:
    def make(folder: Path, _canary: Path) -> Path:
        path = folder / "y.tsv"
        path.write_text("".join(f"{i % n_classes}\n" for i in range(N_ROWS)))
        return path
    return make


def with_cell(source: Path, row: int, col: int, value: str) -> Make:
    """A copy of a table of word indices with one cell (0-based row and column) replaced."""
    def make(folder: Path, _canary: Path) -> Path:
        lines = source.read_text().splitlines()
        cells = lines[row].split("\t")
        cells[col] = value
        lines[row] = "\t".join(cells)
        path = folder / f"{source.stem}_edited.tsv"
        path.write_text("\n".join(lines) + "\n")
        return path
    return make


def dense_case(made: Make, n_classes: int, expected: str, params: dict | None = None, x: Make = features()) -> Case:
    return Case("keras_train_and_eval", params or train_params(), train_inputs(made, x, labels(n_classes)),
                TRAIN_OUTPUTS, expected)


def indices_case(value: str, expected: str) -> Case:
    return Case("keras_train_and_eval", train_params(),
                train_inputs(x=with_cell(D / "imdb_X_train_sample.tsv", 2, 6, value)), TRAIN_OUTPUTS, expected)


def huge_learning_rate() -> Any:
    from galaxy_keras.keras_env import keras

    return keras.optimizers.Adam(1e30)  # the builder refuses such rates now; older files may hold them


WORD_RULE = "word indices must be whole numbers from 0 to 9999"

CASES = {
    "Lambda layer in model file": Case("keras_train_and_eval", train_params(),
                                       train_inputs(D / "lambda_model.keras", D / "imdb_X_test_sample.tsv",
                                                    D / "imdb_y_test_sample.tsv"),
                                       TRAIN_OUTPUTS, "'Lambda' object, which can run code"),
    "corrupt model file": Case("keras_train_and_eval", train_params(), train_inputs(D / "corrupt_model.keras"),
                               TRAIN_OUTPUTS, "the model file"),
    "ragged table": Case("keras_train_and_eval", train_params(), train_inputs(x=D / "ragged.tsv"),
                         TRAIN_OUTPUTS, "is empty (rows of different lengths"),
    "rows of labels and samples differ": Case("keras_train_and_eval", train_params(),
                                              train_inputs(y=D / "imdb_y_test_sample.tsv"), TRAIN_OUTPUTS,
                                              "has 120 rows but the labels table has 40"),
    "hold-out fraction outside 0-1": Case("keras_train_and_eval", train_params(test_size=1.5), train_inputs(),
                                          TRAIN_OUTPUTS, "test_size must be a fraction"),
    "index >= the Embedding's input_dim": indices_case(
        "10000", f"the training samples table: line 3, column 7 is 10000; {WORD_RULE}; the model's Embedding has "
                 f"input_dim 10000: rebuild it with a larger input_dim or make the sequences with num_words <= 10000"),
    "negative index into an Embedding": indices_case(
        "-1", f"the training samples table: line 3, column 7 is -1; {WORD_RULE} (the model's Embedding has "
              f"input_dim 10000)"),
    "fractional index into an Embedding": indices_case("3.7", f"line 3, column 7 is 3.7; {WORD_RULE}"),
    "sparse categorical cross-entropy on 1 sigmoid unit": dense_case(
        model(1, "sigmoid", "sparse_categorical_crossentropy"), 2,
        "the loss sparse_categorical_crossentropy needs one output unit per class, but the model's last layer has "
        "1 unit; rebuild it with 2 units and softmax in the last layer (or keep 1 sigmoid unit with "
        "binary_crossentropy)"),
    "categorical cross-entropy on 1 unit": dense_case(
        model(1, "sigmoid", "categorical_crossentropy"), 2,
        "the loss categorical_crossentropy needs one output unit per class"),
    "binary cross-entropy on 3 softmax units": dense_case(
        model(3, "softmax", "binary_crossentropy"), 3,
        "the loss binary_crossentropy is for two classes and 1 sigmoid output unit, but the model's last layer "
        "has 3 units; for several classes use categorical_crossentropy or sparse_categorical_crossentropy"),
    "5 sigmoid units with categorical cross-entropy": dense_case(
        model(5, "sigmoid", "categorical_crossentropy"), 5,
        "the model's last layer has 5 units with activation 'sigmoid', but categorical_crossentropy and the "
        "scores (probabilities, ROC AUC) need each row of outputs to sum to 1; rebuild it with activation softmax"),
    "1 linear unit with binary cross-entropy": dense_case(
        model(1, None, "binary_crossentropy"), 2,
        "the model's last layer has 1 unit with activation 'linear', but binary_crossentropy needs the "
        "probability of the second class there; rebuild it with activation sigmoid"),
    "3 classes for 1 sigmoid unit": dense_case(
        model(1, "sigmoid", "binary_crossentropy"), 3,
        "the class labels hold 3 classes but the model's last layer has 1 unit; rebuild the model with 3 units and "
        "softmax in the last layer and the loss categorical_crossentropy or sparse_categorical_crossentropy"),
    "2 classes for 3 softmax units": dense_case(
        model(3, "softmax", "categorical_crossentropy"), 2,
        "hold 2 classes (0, 1) but the model's last layer has 3 units; rebuild the model with 2 units in the last "
        "layer (or 1 sigmoid unit with binary_crossentropy)"),
    "a loss that becomes NaN (learning rate 1e30)": dense_case(
        model(1, "sigmoid", "binary_crossentropy", optimizer=huge_learning_rate, hidden=True), 2,
        "training stopped: the loss became nan in epoch 1, so the weights diverged; lower the learning rate in "
        "'Create deep learning model'"),
    "validation_split leaving 0 rows": dense_case(
        model(1, "sigmoid", "binary_crossentropy", fit={**FIT, "validation_split": 0.001}), 2,
        "validation_split 0.001 of the 30 training rows gives 0 validation rows; set it above 1/30 = 0.0333"),
    "val_split of train_val_test leaving 0 rows": dense_case(
        model(1, "sigmoid", "binary_crossentropy"), 2,
        "val_split (of the rows left after the test split): test_size 0.01 of 30 rows holds out 0 rows; raise "
        "test_size to at least 1/30 = 0.0333", train_params(scheme="train_val_test", val_size=0.01)),
    "test_size holding out 0 rows": dense_case(
        model(1, "sigmoid", "binary_crossentropy"), 2,
        "test_split: test_size 0.01 of 40 rows holds out 0 rows; raise test_size to at least 1/40 = 0.025",
        train_params(test_size=0.01)),
    "stratified hold-out smaller than the classes": dense_case(
        model(5, "softmax", "sparse_categorical_crossentropy"), 5,
        "test_split: a stratified split of 40 rows into 36 and 4 cannot give both parts a row of each of the 5 "
        "classes", train_params(shuffle="stratified", test_size=0.1)),
    "a built model never compiled (with the suite's settings)": dense_case(model(1, "sigmoid", None), 2,
                                                                           "the model is not compiled"),
}
