"""The checks that training and prediction make before TensorFlow sees the data (no subprocess, tiny models)."""

import math

import numpy as np
import pandas as pd
import pytest
from conftest import write_tsv

from galaxy_keras.batches import split_validation
from galaxy_keras.errors import UserError
from galaxy_keras.keras_env import keras
from galaxy_keras.model_data import (FeatureTable, check_finite_scores, check_loss_and_output, check_probabilities,
                                     check_word_indices, encode_labels, input_embeddings, last_activation,
                                     read_features)
from galaxy_keras.splitting import SplitSettings, split_rows
from galaxy_keras.tables import ColumnSelector
from galaxy_keras.training import DivergenceCheck, EpochClock

L = keras.layers


def sequential(*layers, shape=(3,)):
    return keras.Sequential([keras.Input(shape), *layers])


def dense(units, activation, *after):
    return sequential(L.Dense(units, activation=activation), *after)


def embedding_model(input_dim=20):
    return sequential(L.Embedding(input_dim, 2), L.Flatten(), L.Dense(1, activation="sigmoid"))


def table(values, header=False, columns=None):
    return FeatureTable(np.asarray(values, dtype=np.float32), "the samples table", header, columns)


# Word indices

def test_whole_indices_below_input_dim_pass():
    check_word_indices(embedding_model(), table([[0, 5, 19], [19, 0, 0]]))


@pytest.mark.parametrize("value, message", [
    (20, "line 2, column 3 is 20; word indices must be whole numbers from 0 to 19; the model's Embedding has "
         "input_dim 20: rebuild it with a larger input_dim or make the sequences with num_words <= 20"),
    (-1, "line 2, column 3 is -1; word indices must be whole numbers from 0 to 19 (the model's Embedding has "
         "input_dim 20)"),
    (3.7, "line 2, column 3 is 3.7; word indices must be whole numbers"),
])
def test_bad_index_names_the_first_bad_cell(value, message):
    values = [[1, 2, 3], [4, 5, value], [value, 0, 0]]
    with pytest.raises(UserError, match="^the samples table: " + message.replace("(", r"\(").replace(")", r"\)")):
        check_word_indices(embedding_model(), table(values))


def test_bad_cell_is_numbered_as_galaxy_shows_the_dataset(tmp_path):
    path = write_tsv(tmp_path / "x.tsv", [[7, 1, 2, 3], [8, 4, 25, 6]], header=["id", "a", "b", "c"])
    features = read_features(path, True, ColumnSelector("by_index_number", ("2", "3", "4")), "samples")
    assert features.columns == (2, 3, 4) and features.values.shape == (2, 3)
    with pytest.raises(UserError, match="^the samples table: line 3, column 3 is 25;"):
        check_word_indices(embedding_model(), features)


def test_functional_embedding_on_the_input_is_checked_and_one_after_a_layer_is_not():
    inputs = keras.Input((3,))
    direct = L.Embedding(20, 2)(inputs)
    later = L.Embedding(20, 2)(L.Reshape((3,))(inputs))
    outputs = L.Dense(1, activation="sigmoid")(L.Flatten()(L.Concatenate()([direct, later])))
    model = keras.Model(inputs, outputs)
    found = input_embeddings(model)
    assert len(found) == 1 and found[0] is model.layers[[type(x).__name__ for x in model.layers].index("Embedding")]
    with pytest.raises(UserError, match="is 20; word indices"):
        check_word_indices(model, table([[0, 1, 20]]))


def test_models_without_an_input_embedding_take_any_numbers():
    check_word_indices(dense(1, "sigmoid"), table([[-1.5, 3.7, 1e6]]))


# The loss, the last layer and the labels

@pytest.mark.parametrize("model, expected", [
    (lambda: dense(3, "softmax"), "softmax"),
    (lambda: dense(1, "sigmoid", L.Dropout(0.5)), "sigmoid"),
    (lambda: dense(3, None, L.Activation("softmax")), "softmax"),
    (lambda: dense(3, None, L.Softmax()), "softmax"),
    (lambda: dense(1, None), "linear"),
])
def test_last_activation(model, expected):
    assert last_activation(model()) == expected


@pytest.mark.parametrize("units, activation, loss, n_classes", [
    (1, "sigmoid", "binary_crossentropy", 2),
    (1, "sigmoid", "binary_focal_crossentropy", 2),
    (3, "softmax", "categorical_crossentropy", 3),
    (3, "softmax", "sparse_categorical_crossentropy", 3),
    (1, None, "mean_squared_error", None),
    (1, "tanh", "hinge", 2),
])
def test_matching_loss_and_last_layer_pass(units, activation, loss, n_classes):
    check_loss_and_output(dense(units, activation), loss, n_classes)


@pytest.mark.parametrize("units, activation, loss, n_classes, message", [
    (1, "sigmoid", "sparse_categorical_crossentropy", 2,
     "the loss sparse_categorical_crossentropy needs one output unit per class, but the model's last layer has 1 "
     "unit; rebuild it with 2 units and softmax in the last layer (or keep 1 sigmoid unit with binary_crossentropy)"),
    (1, "sigmoid", "categorical_crossentropy", None, "rebuild it with one unit per class and softmax"),
    (3, "softmax", "binary_crossentropy", 3, "the loss binary_crossentropy is for two classes and 1 sigmoid output "
                                             "unit, but the model's last layer has 3 units"),
    (5, "sigmoid", "categorical_crossentropy", 5, "the model's last layer has 5 units with activation 'sigmoid', "
                                                  "but categorical_crossentropy"),
    (1, None, "binary_crossentropy", 2, "the model's last layer has 1 unit with activation 'linear', but "
                                        "binary_crossentropy needs the probability of the second class there"),
])
def test_mismatched_loss_and_last_layer_are_refused(units, activation, loss, n_classes, message):
    with pytest.raises(UserError) as refused:
        check_loss_and_output(dense(units, activation), loss, n_classes)
    assert message in str(refused.value)


def test_label_advice_names_the_units_and_the_loss():
    labels = pd.Series([0, 1, 2, 0])
    with pytest.raises(UserError, match="hold 3 classes but the model's last layer has 1 unit; rebuild the model "
                                        "with 3 units and softmax in the last layer and the loss "
                                        "categorical_crossentropy or sparse_categorical_crossentropy"):
        encode_labels(labels, [0, 1, 2], dense(1, "sigmoid"), "binary_crossentropy", "the class labels")
    with pytest.raises(UserError, match=r"hold 2 classes \(0, 1\) but the model's last layer has 3 units; rebuild "
                                        r"the model with 2 units in the last layer \(or 1 sigmoid unit"):
        encode_labels(pd.Series([0, 1]), [0, 1], dense(3, "softmax"), "categorical_crossentropy", "the class labels")


def test_one_hot_labels():
    encoded = encode_labels(pd.Series(["b", "a", "c"]), ["a", "b", "c"], dense(3, "softmax"),
                            "categorical_crossentropy", "the class labels")
    np.testing.assert_array_equal(encoded, [[0, 1, 0], [1, 0, 0], [0, 0, 1]])


# Scores

def test_non_finite_scores_are_refused_with_the_line():
    scores = np.array([[0.2], [np.nan], [np.inf]], dtype=np.float32)
    with pytest.raises(UserError, match=r"NaN or infinite for 2 of 3 rows \(the samples table, first at line 5\)"):
        check_finite_scores(scores, np.array([4, 5, 6]), "the samples table")
    check_finite_scores(scores[:1], np.array([4]), "the samples table")


@pytest.mark.parametrize("scores, message", [
    ([[0.5], [1.7]], "line 2 are 1.7: not probabilities (between 0 and 1); a classifier's last layer needs "
                     "activation sigmoid (1 unit)"),
    ([[0.5], [-0.2]], "line 2 are -0.2: not probabilities"),
    ([[0.2, 0.8], [0.6, 0.6]], "line 2 are 0.6, 0.6: not probabilities (between 0 and 1, summing to 1 in each "
                               "row); a classifier's last layer needs activation softmax"),
])
def test_scores_that_are_not_probabilities_are_refused(scores, message):
    with pytest.raises(UserError) as refused:
        check_probabilities(np.array(scores, dtype=np.float32), np.array([1, 2]), "the samples table")
    assert message in str(refused.value)


def test_probabilities_within_rounding_pass():
    check_probabilities(np.array([[0.0], [1.0]], dtype=np.float32), np.array([1, 2]), "X")
    check_probabilities(np.array([[0.3333334, 0.3333334, 0.3333334]], dtype=np.float32), np.array([1]), "X")


# Splits

def test_validation_split_that_gives_no_rows_is_refused():
    features, targets = np.zeros((30, 2)), np.zeros(30)
    with pytest.raises(UserError, match=r"validation_split 0.01 of the 30 training rows gives 0 validation rows; "
                                        r"set it above 1/30 = 0.0333"):
        split_validation(features, targets, 0.01)
    (train_x, _), (val_x, _) = split_validation(features, targets, 0.04)
    assert len(train_x) == 29 and len(val_x) == 1


@pytest.mark.parametrize("size, message", [
    (0.01, "test_split: test_size 0.01 of 40 rows holds out 0 rows; raise test_size to at least 1/40 = 0.025"),
    (0.99, "test_split: test_size 0.99 of 40 rows holds out all 40, leaving 0 rows to train on"),
])
def test_hold_out_of_no_rows_or_all_rows_is_refused(size, message):
    with pytest.raises(UserError) as refused:
        split_rows(40, SplitSettings("simple", size), None, 0, "test_split")
    assert message in str(refused.value)


def test_stratified_hold_out_needs_a_row_of_every_class_on_both_sides():
    strata = np.arange(40) % 5
    with pytest.raises(UserError, match="a stratified split of 40 rows into 36 and 4 cannot give both parts a row "
                                        "of each of the 5 classes"):
        split_rows(40, SplitSettings("stratified", 0.1), strata, 0, "test_split")
    kept, held = split_rows(40, SplitSettings("stratified", 0.125), strata, 0, "test_split")
    assert len(held) == 5 and set(strata[held]) == set(range(5))


# NaN loss during training

def test_non_finite_loss_stops_training_and_becomes_the_error():
    check = DivergenceCheck()
    check.on_epoch_end(0, {"loss": 0.7})  # a finite loss: nothing to report
    for loss in (math.nan, math.inf):
        with pytest.raises(UserError, match="training stopped: the loss became (nan|inf) in epoch 2, so the weights "
                                            "diverged; lower the learning rate"):
            check.on_epoch_end(1, {"loss": loss})


def test_training_callbacks_keep_keras_asynchronous_steps():
    # A batch hook makes Keras wait for each step's result; the suite's own callbacks use epoch hooks only.
    batch_hooks = ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end")
    for callback in (DivergenceCheck, EpochClock):
        base = keras.callbacks.Callback
        overridden = [hook for hook in batch_hooks if getattr(callback, hook) is not getattr(base, hook)]
        assert overridden == [], (callback.__name__, overridden)
