"""Keras HDF5 models (.h5): Keras 2 files read safely, the suite's own saved and read back, hostile files refused.

Test data: hdf5_keras2_dense.h5 and hdf5_keras2_lstm.h5, saved by Keras 2.10 with
their Keras 2 predictions of hdf5_keras2_X.tsv (benchmarks/galaxy_ml_reference.sh,
see test-data/galaxy_ml_README.md). Hostile files are made here: copies edited with
h5py, and a Keras 3 model with a Lambda layer saved as HDF5.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
from conftest import TEST_DATA, train_params, write_tsv

from galaxy_keras import keras2_compile, keras2_config
from galaxy_keras.errors import UserError
from galaxy_keras.keras_env import keras
from galaxy_keras.model_io import ModelMeta, load_model, save_model
from galaxy_keras.safety import check_config

DENSE, LSTM = TEST_DATA / "hdf5_keras2_dense.h5", TEST_DATA / "hdf5_keras2_lstm.h5"
X = pd.read_csv(TEST_DATA / "hdf5_keras2_X.tsv", sep="\t", header=None).to_numpy(np.float32)
REFERENCE = pd.read_csv(TEST_DATA / "hdf5_keras2_predictions.tsv", sep="\t")
META = ModelMeta("classifier", {"epochs": 2, "batch_size": 8, "validation_split": 0.0, "random_seed": 1,
                                "callbacks": []}, ["no", "yes"], True)


def edited(source: Path, folder: Path, edit) -> Path:
    path = folder / f"edited_{source.name}"
    shutil.copyfile(source, path)
    with h5py.File(path, "a") as handle:
        edit(handle)
    return path


def with_attribute(name: str, change):
    """An edit of the JSON root attribute ``name``: ``change(parsed)`` returns the new value."""
    def edit(handle):
        handle.attrs[name] = json.dumps(change(json.loads(handle.attrs[name])))
    return edit


def tiny_trained() -> object:
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"),
                              keras.layers.BatchNormalization(), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(0.01),
                  metrics=["acc", keras.metrics.AUC(name="auc")])
    model.fit(X, (X[:, 0] > 4).astype("float32"), epochs=2, verbose=0)
    return model


# -- Keras 2 HDF5 models -----------------------------------------------------------------------

@pytest.mark.parametrize("path, column, learning_type, loss, optimizer", [
    (DENSE, "dense", "classifier", "binary_crossentropy", "Adam"),
    (LSTM, "lstm", "regressor", "mean_squared_error", "RMSprop")])
def test_keras2_models_predict_as_keras2_did(path, column, learning_type, loss, optimizer):
    model, meta = load_model(path)
    assert meta.learning_type == learning_type and meta.trained
    assert model.loss == loss and type(model.optimizer).__name__ == optimizer
    assert model.optimizer.get_config()["learning_rate"] == pytest.approx(0.01)
    largest = np.max(np.abs(model.predict(X, verbose=0)[:, 0] - REFERENCE[column].to_numpy()))
    assert largest <= 1e-5, largest  # 3.8e-09 (dense) and 1.8e-07 (lstm) seen on CPU


def test_keras2_metric_wrappers_become_catalogue_metrics():
    training = json.loads(h5py.File(DENSE).attrs["training_config"])
    settings = keras2_compile.from_training_config(training, "the model file's training_config")
    assert settings["metrics"] == ["binary_accuracy"] and settings["optimizer_options"]["beta_1"] == pytest.approx(0.9)


def test_training_tool_trains_a_keras2_hdf5_model(tool, tmp_path):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 10, size=(40, 4))
    x_path, y_path = write_tsv(tmp_path / "x.tsv", x), write_tsv(tmp_path / "y.tsv", (x.sum(axis=1) > 18)[:, None] * 1)
    outs = {name: tmp_path / f"{name}.tsv" for name in ("result", "history", "object")}
    tool("keras_train_and_eval", train_params(), "--estimator", DENSE, "--infile1", x_path, "--infile2", y_path,
         "--outfile-result", outs["result"], "--outfile-history", outs["history"], "--outfile-object", outs["object"])
    history = pd.read_csv(outs["history"], sep="\t")
    assert len(history) == 1 and "binary_accuracy" in history.columns  # the builder's default: 1 epoch
    model, meta = load_model(outs["object"])
    assert meta.trained and meta.classes == [0, 1]


# -- the suite's own HDF5 models ---------------------------------------------------------------

def test_suite_h5_round_trip_gives_the_same_model_settings_and_predictions(tmp_path):
    model = tiny_trained()
    save_model(model, tmp_path / "model.h5.dat", META, format="h5")
    save_model(model, tmp_path / "model.keras.dat", META)
    from_h5, meta_h5 = load_model(tmp_path / "model.h5.dat")
    from_keras, meta_keras = load_model(tmp_path / "model.keras.dat")
    assert meta_h5 == meta_keras == ModelMeta.from_json(META.to_json(), "x")
    assert np.array_equal(from_h5.predict(X, verbose=0), from_keras.predict(X, verbose=0))
    assert from_h5.loss == "binary_crossentropy" and type(from_h5.optimizer).__name__ == "Adam"
    with h5py.File(tmp_path / "model.h5.dat") as handle:
        assert json.loads(handle.attrs["galaxy_keras.json"])["classes"] == ["no", "yes"]
        assert handle.attrs["keras_version"].startswith("3.")


def test_prediction_tool_gives_identical_results_for_h5_and_keras(tool, tmp_path):
    model = tiny_trained()
    save_model(model, tmp_path / "model.h5.dat", META, format="h5")
    save_model(model, tmp_path / "model.keras.dat", META)
    samples = write_tsv(tmp_path / "x.tsv", X.astype(int))
    params = {"method": "predict_proba", "input_options": {"selected_input": "tabular", "header1": False,
                                                           "column_selector_options_1": {
                                                               "selected_column_selector_option": "all_columns"}}}
    for kind in ("h5", "keras"):
        tool("model_prediction", params, "--estimator", tmp_path / f"model.{kind}.dat", "--infile1", samples,
             "--outfile-predict", tmp_path / f"{kind}.tsv")
    assert (tmp_path / "h5.tsv").read_text() == (tmp_path / "keras.tsv").read_text()
    assert (tmp_path / "h5.tsv").read_text().startswith("probability_no\tprobability_yes")


# -- hostile and damaged files -----------------------------------------------------------------

def test_keras2_lambda_layer_is_refused(tmp_path):
    lambda_layer = {"class_name": "Lambda", "config": {"name": "lambda", "function": ["4wEAAA==", None, None],
                                                       "function_type": "lambda", "module": "__main__"}}

    def add(config):
        config["config"]["layers"].insert(2, lambda_layer)
        return config
    with pytest.raises(UserError, match="contains a 'Lambda' object, which can run code; refusing to load it"):
        load_model(edited(DENSE, tmp_path, with_attribute("model_config", add)), compile=False)


def test_keras3_lambda_layer_is_refused_without_keras_loading_it(tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda x: x * 2), keras.layers.Dense(1)])
    path = tmp_path / "lambda.h5"
    model.save(path)
    with pytest.raises(UserError, match="contains a 'Lambda' object, which can run code"):
        load_model(path)


@pytest.mark.parametrize("node, message", [
    ({"module": "os", "class_name": "system", "config": {}}, "refers to 'system' from module 'os', outside Keras"),
    ({"class_name": "TFOpLambda", "config": {"name": "x", "function": "math.add"}}, "'TFOpLambda' object"),
    ({"class_name": "Dense", "config": {"name": "d", "units": 1, "kernel_initializer": {
        "class_name": "FileInitializer", "config": {"path": "/etc/passwd"}}}}, "'FileInitializer' object"),
])
def test_objects_outside_the_allowlist_are_refused(tmp_path, node, message):
    def add(config):
        config["config"]["layers"].insert(2, node)
        return config
    with pytest.raises(UserError, match=message):
        load_model(edited(DENSE, tmp_path, with_attribute("model_config", add)), compile=False)


def test_truncated_h5_is_refused(tmp_path):
    path = tmp_path / "cut.h5"
    path.write_bytes(DENSE.read_bytes()[:10_000])
    with pytest.raises(UserError, match="is not a readable HDF5 file \\(truncated or damaged\\?\\)"):
        load_model(path)


def test_huge_declared_weights_are_refused_before_allocating(tmp_path):
    def edit(handle):
        del handle["model_weights/dense/dense/kernel:0"]
        handle.create_dataset("model_weights/dense/dense/kernel:0", shape=(1024**3, 2), dtype="float32",
                              chunks=(1024, 2))
    path = edited(DENSE, tmp_path, edit)
    assert path.stat().st_size < 1024**2
    with pytest.raises(UserError, match="would need 8.0 GB of memory"):
        load_model(path)


def test_weights_of_another_model_are_refused(tmp_path):
    def edit(handle):
        del handle["model_weights/dense/dense/bias:0"]
        handle["model_weights/dense/dense/bias:0"] = np.zeros(7, "float32")
    with pytest.raises(UserError, match="has the shape \\(7,\\), but the model's layer 'dense' needs \\(5,\\)"):
        load_model(edited(DENSE, tmp_path, edit))


def test_virtual_and_linked_weights_are_refused(tmp_path):
    outside = tmp_path / "outside.bin"
    outside.write_bytes(bytes(20))

    def external(handle):
        del handle["model_weights/dense/dense/bias:0"]
        handle.create_dataset("model_weights/dense/dense/bias:0", shape=(5,), dtype="float32",
                              external=[(str(outside), 0, 20)])
    with pytest.raises(UserError, match="stored in another file \\(external storage\\)"):
        load_model(edited(DENSE, tmp_path, external))

    def soft(handle):
        handle["model_weights/elsewhere"] = h5py.SoftLink("/optimizer_weights")
    with pytest.raises(UserError, match="has a link '/model_weights/elsewhere' to elsewhere"):
        load_model(edited(DENSE, tmp_path, soft))


def test_weights_only_and_other_hdf5_files_are_named(tmp_path):
    path = tmp_path / "weights.h5"
    with h5py.File(path, "w") as handle:
        handle.attrs["layer_names"] = ["dense"]
        handle.create_dataset("dense/dense/kernel:0", data=np.zeros((2, 2), "float32"))
    with pytest.raises(UserError, match="is an HDF5 \\(.h5 / Galaxy-ML\\) model; these tools read Keras 3 .keras "
                                        "archives, Keras HDF5 models .* and this file is none of them"):
        load_model(path)


@pytest.mark.parametrize("change, message", [
    (lambda t: {**t, "optimizer_config": {**t["optimizer_config"], "config": {
        **t["optimizer_config"]["config"], "clipnorm": 1.0}}}, "sets clipnorm=1.0 \\(gradient clipping\\)"),
    (lambda t: {**t, "optimizer_config": {**t["optimizer_config"], "config": {
        **t["optimizer_config"]["config"], "decay": 0.1}}}, "sets decay=0.1 \\(Keras 2's learning-rate decay"),
    (lambda t: {**t, "optimizer_config": {**t["optimizer_config"], "config": {
        **t["optimizer_config"]["config"], "learning_rate": {"class_name": "ExponentialDecay", "config": {}}}}},
     "the learning rate is a schedule \\(ExponentialDecay\\)"),
    (lambda t: {**t, "optimizer_config": {"class_name": "keras.utils.get_file", "config": {}}},
     "the optimizer 'keras.utils.get_file' is not one these tools offer"),
    (lambda t: {**t, "loss": {"class_name": "BinaryCrossentropy", "config": {"from_logits": True}}},
     "the loss binary_crossentropy sets from_logits=True"),
    (lambda t: {**t, "loss_weights": [1.0, 0.5]}, "sets loss_weights"),
])
def test_training_settings_without_an_equivalent_are_refused_by_name(tmp_path, change, message):
    path = edited(DENSE, tmp_path, with_attribute("training_config", change))
    with pytest.raises(UserError, match=message):
        load_model(path)
    load_model(path, compile=False)  # prediction does not need them


def test_hostile_suite_settings_attribute_is_refused(tmp_path):
    save_model(tiny_trained(), tmp_path / "model.h5", META, format="h5")
    path = edited(tmp_path / "model.h5", tmp_path, with_attribute("galaxy_keras.json", lambda meta: {
        **meta, "fit": {**meta["fit"], "callbacks": [{"type": "CSVLogger", "filename": "/etc/passwd"}]}}))
    with pytest.raises(UserError, match="callback 1 is a 'CSVLogger' callback, which these tools never run"):
        load_model(path)


# -- the Keras 2 configuration converter -------------------------------------------------------

def test_converter_adds_modules_and_input_layers_and_leaves_the_input_alone():
    keras2 = {"class_name": "Sequential", "keras_version": "2.3.1", "config": {"name": "s", "layers": [
        {"class_name": "Embedding", "config": {"name": "e", "input_dim": 20, "output_dim": 4, "input_length": 6,
                                               "embeddings_initializer": {"class_name": "RandomUniform", "config": {
                                                   "minval": -0.05, "maxval": 0.05, "seed": None},
                                                   "shared_object_id": 3}}},
        {"class_name": "LSTM", "config": {"name": "l", "units": 3, "implementation": 2, "time_major": False}},
        {"class_name": "LeakyReLU", "config": {"name": "r", "alpha": 0.2}},
        {"class_name": "Dense", "config": {"name": "d", "units": 1, "kernel_regularizer": {
            "class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.01}}}}]}}
    original = json.dumps(keras2)
    converted = keras2_config.convert_model_config(keras2, "x")
    assert json.dumps(keras2) == original and "keras_version" not in converted
    check_config(converted)
    layers = converted["config"]["layers"]
    assert layers[0] == {"module": "keras.layers", "class_name": "InputLayer",
                         "config": {"batch_shape": [None, 6], "dtype": "float32", "name": "e_input"}}
    assert layers[1]["config"]["embeddings_initializer"]["module"] == "keras.initializers"
    assert "shared_object_id" not in layers[1]["config"]["embeddings_initializer"]
    assert "implementation" not in layers[2]["config"] and layers[3]["config"]["negative_slope"] == 0.2
    assert layers[4]["config"]["kernel_regularizer"]["module"] == "keras.regularizers"
    model = keras.models.model_from_json(json.dumps(converted))
    assert model.input_shape == (None, 6) and model.output_shape == (None, 1)


def test_converter_refuses_what_keras3_cannot_do():
    keras2 = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "GRU", "config": {"name": "g", "units": 2, "time_major": True,
                                         "batch_input_shape": [None, 3, 2]}}]}}
    with pytest.raises(UserError, match="the GRU layer 'g' is time_major"):
        keras2_config.convert_model_config(keras2, "the model configuration")
    with pytest.raises(UserError, match="not a Keras model configuration"):
        keras2_config.convert_model_config({"class_name": "Pipeline", "config": {}}, "the model configuration")
