"""Galaxy-ML's Keras models (h5mlm) and model JSON, read by the suite's tools.

Test data (test-data/galaxy_ml_README.md): copies of Galaxy-ML's own test files
(keras_model04: a built KerasGRegressor; train_test_eval_model02: the same
trained; regression_X / regression_y), Galaxy-ML 0.10.0's predictions of the
trained model, and a trained KerasGClassifier made with galaxy-ml 0.10.0
(benchmarks/galaxy_ml_reference.sh). The other samples of
../shared/data/galaxy-ml/ (keras01..05.json, keras_model01, keras_model02) are
read from there when it is present. Hostile files are made here from the
copies with h5py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
from conftest import ALL_COLUMNS, ROOT, TEST_DATA, builder_params, train_params

from galaxy_keras.errors import UserError
from galaxy_keras.model_io import load_model, read_model_json

BUILT = TEST_DATA / "galaxy_ml_keras_model04"
TRAINED = TEST_DATA / "galaxy_ml_train_test_eval_model02"
CLASSIFIER = TEST_DATA / "galaxy_ml_classifier_trained"
X_TABLE, Y_TABLE = TEST_DATA / "galaxy_ml_regression_X.tabular", TEST_DATA / "galaxy_ml_regression_y.tabular"
REFERENCE = TEST_DATA / "galaxy_ml_train_test_eval_model02_predictions.tsv"
SHARED = ROOT.parent / "shared" / "data" / "galaxy-ml"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/galaxy-ml/ is not here")
# Galaxy-ML 0.10.0 (Keras 2.10, TensorFlow 2.10.1) against the suite (Keras 3.15, TensorFlow 2.19) on
# the 261 rows of regression_X: the largest absolute difference seen was 5.0e-08 on CPU (predictions
# of 45 to 85; float32 resolution there is 7.6e-06). The bound leaves room for other devices.
PREDICTION_TOLERANCE = 1e-4


def edited(source: Path, folder: Path, edit) -> Path:
    """A copy of a Galaxy-ML file with ``edit(h5py.File)`` applied."""
    path = folder / f"edited_{source.name}"
    shutil.copyfile(source, path)
    with h5py.File(path, "a") as handle:
        edit(handle)
    return path


def with_params(source: Path, folder: Path, **changes) -> Path:
    """A copy whose estimator parameters are changed (None removes one)."""
    def edit(handle):
        params = json.loads(handle["-keras_models-/0/params"][()])
        params.update(changes)
        params = {key: value for key, value in params.items() if value is not None or key not in changes}
        del handle["-keras_models-/0/params"]
        handle["-keras_models-/0/params"] = json.dumps(params)
    return edited(source, folder, edit)


def replaced(path: str, text: str):
    def edit(handle):
        del handle[path]
        handle[path] = text
    return edit


def features(path: Path = X_TABLE) -> np.ndarray:
    return pd.read_csv(path, sep="\t").to_numpy(np.float32)


# -- reading: settings, model, weights --------------------------------------------------------

def test_built_regressor_carries_its_compile_and_fit_settings():
    model, meta = load_model(BUILT)
    assert meta.learning_type == "regressor" and not meta.trained and meta.classes is None
    assert (meta.fit["epochs"], meta.fit["batch_size"], meta.fit["validation_split"], meta.fit["random_seed"]) \
        == (100, 32, 0.1, 42)
    assert meta.fit["callbacks"] == []  # Galaxy-ML's callback "None"
    assert model.loss == "mean_squared_error" and model.input_shape == (None, 17)
    optimizer = model.optimizer.get_config()
    assert type(model.optimizer).__name__ == "Adam"
    assert optimizer["learning_rate"] == pytest.approx(0.001) and optimizer["beta_2"] == pytest.approx(0.999)


def test_trained_regressor_predicts_as_galaxy_ml_0_10_did():
    model, meta = load_model(TRAINED, compile=False)
    assert meta.trained and meta.learning_type == "regressor"
    predicted = model.predict(features(), verbose=0)[:, 0]
    reference = pd.read_csv(REFERENCE, sep="\t")
    assert reference["row"].tolist() == list(range(1, 262))
    largest = float(np.max(np.abs(predicted - reference["predicted"].to_numpy())))
    assert largest <= PREDICTION_TOLERANCE, f"largest absolute difference {largest:.3g}"


def test_trained_classifier_keeps_its_classes_and_probabilities():
    model, meta = load_model(CLASSIFIER)
    assert meta.learning_type == "classifier" and meta.trained and meta.classes == [3, 5, 7]
    assert model.loss == "categorical_crossentropy"
    assert meta.fit["callbacks"][0]["type"] == "EarlyStopping" and meta.fit["callbacks"][0]["patience"] == 2
    assert meta.fit["callbacks"][0]["monitor"] == "loss"
    reference = pd.read_csv(TEST_DATA / "galaxy_ml_classifier_predictions.tsv", sep="\t")
    scores = model.predict(pd.read_csv(TEST_DATA / "galaxy_ml_classifier_X.tsv", sep="\t", header=None)
                           .to_numpy(np.float32), verbose=0)
    probabilities = reference[["probability_3", "probability_5", "probability_7"]].to_numpy()
    assert np.max(np.abs(scores - probabilities)) <= 1e-5
    assert np.array(meta.classes)[scores.argmax(axis=1)].tolist() == reference["predicted"].tolist()


@needs_shared
def test_functional_classifier_and_rmsprop_regressor_from_the_shared_samples():
    model, meta = load_model(SHARED / "keras_model02")
    assert meta.learning_type == "classifier" and type(model).__name__ == "Functional"
    assert [shape for shape in model.input_shape] == [(None, 100), (None, 5)]
    assert model.loss == "binary_crossentropy" and type(model.optimizer).__name__ == "Adam"
    model, meta = load_model(SHARED / "keras_model01")
    optimizer = model.optimizer.get_config()
    assert type(model.optimizer).__name__ == "RMSprop" and optimizer["rho"] == pytest.approx(0.9)
    assert optimizer["momentum"] == 0.0 and optimizer["centered"] is False


def test_empty_galaxy_ml_settings_take_galaxy_ml_defaults(tmp_path):
    """Galaxy-ML used ``value or default``: an empty learning rate is its default for the optimizer."""
    model, _ = load_model(with_params(BUILT, tmp_path, optimizer="sgd", learning_rate=None, momentum=0))
    optimizer = model.optimizer.get_config()
    assert type(model.optimizer).__name__ == "SGD" and optimizer["learning_rate"] == pytest.approx(0.01)


def test_batch_classifier_is_read_with_its_generator_settings_off(tmp_path):
    def edit(handle):
        replaced("-keras_models-/0/class_name", "KerasGBatchClassifier")(handle)
        params = json.loads(handle["-keras_models-/0/params"][()])
        params.update(n_jobs=4, prediction_steps=None, class_positive_factor=1)
        replaced("-keras_models-/0/params", json.dumps(params))(handle)
    path = edited(CLASSIFIER, tmp_path, edit)
    model, meta = load_model(path)
    assert meta.learning_type == "classifier" and meta.classes == [3, 5, 7]
    with pytest.raises(UserError, match="sets prediction_steps=2 \\(predictions of a set number of batches\\)"):
        load_model(with_params(path, tmp_path, prediction_steps=2))


def test_prediction_ignores_training_settings_it_does_not_need(tmp_path):
    path = with_params(TRAINED, tmp_path, some_future_setting=1)
    model, meta = load_model(path, compile=False)
    assert meta.trained
    with pytest.raises(UserError, match="has the parameter 'some_future_setting', which these tools do not know"):
        load_model(path)


# -- the tools ---------------------------------------------------------------------------------

def test_prediction_tool_on_the_galaxy_ml_model(tool, tmp_path):
    out = tmp_path / "predictions.tsv"
    tool("model_prediction", {"method": "predict", "input_options": {
        "selected_input": "tabular", "header1": True, "column_selector_options_1": ALL_COLUMNS}},
        "--estimator", TRAINED, "--infile1", X_TABLE, "--outfile-predict", out)
    predicted = pd.read_csv(out, sep="\t")["predicted"].to_numpy()
    reference = pd.read_csv(REFERENCE, sep="\t")["predicted"].to_numpy()
    assert np.max(np.abs(predicted - reference)) <= PREDICTION_TOLERANCE


def test_training_tool_uses_the_galaxy_ml_fit_settings(tool, tmp_path):
    built = with_params(BUILT, tmp_path, epochs=2)
    params = train_params(header2=True)
    params["input_options"]["header1"] = True
    outs = {name: tmp_path / f"{name}.tsv" for name in ("result", "history", "object")}
    tool("keras_train_and_eval", params, "--estimator", built, "--infile1", X_TABLE, "--infile2", Y_TABLE,
         "--outfile-result", outs["result"], "--outfile-history", outs["history"], "--outfile-object", outs["object"])
    assert len(pd.read_csv(outs["history"], sep="\t")) == 2
    model, meta = load_model(outs["object"])
    assert meta.trained and meta.learning_type == "regressor" and meta.fit["random_seed"] == 42
    assert model.loss == "mean_squared_error" and type(model.optimizer).__name__ == "Adam"


# -- Galaxy-ML's (Keras 2) model JSON ----------------------------------------------------------

def test_galaxy_ml_model_json_builds(tool, tmp_path):
    out = tmp_path / "built.dat"
    tool("keras_model_builder", builder_params("KerasGRegressor", loss="mean_squared_error", metrics=("mse",)),
         "--model-json", TEST_DATA / "galaxy_ml_keras04.json", "--outfile", out)
    model, meta = load_model(out)
    assert model.input_shape == (None, 17) and model.count_params() == 609 and meta.learning_type == "regressor"


@needs_shared
@pytest.mark.parametrize("number, inputs, params", [
    (1, [(None, 784)], 25_450), (2, [(None, 100), (None, 5)], 5_198_626), (3, [(None, 17)], 1_901),
    (4, [(None, 17)], 609), (5, [(None, 32, 32, 3)], 2_122_186)])
def test_every_galaxy_ml_sample_json_builds(number, inputs, params):
    model = read_model_json(SHARED / f"keras0{number}.json")
    shapes = model.input_shape if isinstance(model.input_shape, list) else [model.input_shape]
    assert [tuple(shape) for shape in shapes] == inputs and model.count_params() == params


def test_keras2_json_with_a_lambda_layer_is_refused():
    with pytest.raises(UserError, match="contains a 'Lambda' object, which can run code"):
        read_model_json(TEST_DATA / "galaxy_ml_keras2_lambda.json")


# -- hostile and damaged files -----------------------------------------------------------------

PIPELINE = {"-object-": {"-reduce-": {"--func-": {"-global-": ["copyreg", "_reconstructor"]}, "-args-": {"-tuple-": [
    {"-global-": ["sklearn.pipeline", "Pipeline"]}, {"-global-": ["builtins", "object"]}, None]}}}}


@pytest.mark.parametrize("edit, message", [
    (replaced("-keras_models-/0/class_name", "os.system"), "holds a 'os.system' object; these tools read only "
                                                            "Galaxy-ML's Keras models"),
    (replaced("-keras_models-/0/class_name", "sklearn.pipeline.Pipeline"),
     "holds a 'sklearn.pipeline.Pipeline' object"),
    (replaced("-model_config-", json.dumps(PIPELINE)), "holds a 'sklearn.pipeline.Pipeline' object; these tools read "
                                                        "only Galaxy-ML's Keras models"),
    (replaced("-model_config-", json.dumps({"-object-": {"-keras_model-": 1}})), "an object other than a Keras model"),
])
def test_other_objects_are_refused_by_name_without_being_rebuilt(tmp_path, edit, message):
    with pytest.raises(UserError, match=message):
        load_model(edited(BUILT, tmp_path, edit))


@pytest.mark.parametrize("changes, message", [
    ({"loss_weights": [1.0, 2.0]}, "sets loss_weights=\\[1.0, 2.0\\] \\(weights for the losses of several outputs\\)"),
    ({"class_positive_factor": 5}, "sets class_positive_factor=5 \\(a weight for the positive class\\)"),
    ({"callbacks": [{"callback_selection": {"callback_type": "ModelCheckpoint", "filepath": "/tmp/x"}}]},
     "callback 1 is a 'ModelCheckpoint' callback, which these tools never run from a model file"),
    ({"optimizer": "evil"}, "the optimizer 'evil' is not one Galaxy-ML builds"),
    ({"loss": "my_module.my_loss"}, "the loss 'my_module.my_loss' is a Python function path; these tools use "
                                     "Keras' built-in losses by name only"),
    ({"validation_split": 0.95}, "parameter 'validation_split' must be at most 0.9"),
    ({"decay": 0.5}, "the Adam optimizer's decay is 0.5; these tools have no such setting"),
])
def test_settings_without_an_equivalent_are_refused_by_name(tmp_path, changes, message):
    with pytest.raises(UserError, match=message):
        load_model(with_params(BUILT, tmp_path, **changes))


def test_galaxy_ml_older_pickle_format_is_refused(tmp_path):
    path = tmp_path / "old.h5mlm"
    with h5py.File(path, "w") as handle:
        handle["-reduce-/--func-/-global-/-module_name-"] = "os"
        handle["-reduce-/--func-/-global-/-obj_name-"] = "system"
    with pytest.raises(UserError, match="is in Galaxy-ML's older format, which stores the whole estimator as "
                                        "pickled Python objects"):
        load_model(path)


def test_a_lambda_layer_in_the_galaxy_ml_config_is_refused(tmp_path):
    params = json.loads(h5py.File(BUILT)["-keras_models-/0/params"][()])
    layers = params["config"]["layers"]
    layers.insert(2, {"class_name": "Lambda", "config": {"name": "lambda", "function": ["4wEAAA==", None, None],
                                                         "function_type": "lambda"}})
    with pytest.raises(UserError, match="contains a 'Lambda' object, which can run code"):
        load_model(with_params(BUILT, tmp_path, config=params["config"]), compile=False)


def test_weights_of_the_wrong_shape_are_refused_before_reading(tmp_path):
    def edit(handle):
        del handle["-keras_models-/0/weights/dense/dense/kernel:0"]
        handle.create_dataset("-keras_models-/0/weights/dense/dense/kernel:0", shape=(1000, 1000), dtype="float32",
                              chunks=(10, 10))
    with pytest.raises(UserError, match="has the shape \\(1000, 1000\\), but the model's layer 'dense' needs "
                                        "\\(17, 32\\)"):
        load_model(edited(TRAINED, tmp_path, edit), compile=False)


def test_huge_declared_weights_are_refused_before_allocating(tmp_path):
    def edit(handle):
        # Declared 8 GiB; chunked and never written, so the file stays small.
        handle.create_dataset("-keras_models-/0/weights/dense/dense/huge", shape=(2 * 1024**3,), dtype="float32",
                              chunks=(1024,))
    path = edited(TRAINED, tmp_path, edit)
    assert path.stat().st_size < 1024**2
    with pytest.raises(UserError, match="the model file's weights \\(the datasets it declares\\) would need 8.0 GB"):
        load_model(path, compile=False)


def test_links_to_other_files_are_refused(tmp_path):
    def edit(handle):
        handle["-keras_models-/0/weights/outside"] = h5py.ExternalLink(str(tmp_path / "elsewhere.h5"), "/")
    with pytest.raises(UserError, match="has a link '/-keras_models-/0/weights/outside' to another file"):
        load_model(edited(TRAINED, tmp_path, edit), compile=False)


def test_truncated_file_is_refused(tmp_path):
    path = tmp_path / "cut.h5mlm"
    path.write_bytes(TRAINED.read_bytes()[:20_000])
    with pytest.raises(UserError, match="is not a readable HDF5 file \\(truncated or damaged\\?\\)"):
        load_model(path)
