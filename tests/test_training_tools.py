"""keras_model_builder, keras_train_and_eval and model_prediction on tiny data."""

import zipfile

import numpy as np
import pandas as pd
import pytest
from conftest import ALL_COLUMNS, builder_params, layer, sequential, train_params, write_tsv

from galaxy_keras.model_io import load_model


def train(tool, tmp_path, built, x_path, y_path, params, tag="run"):
    outs = {name: tmp_path / f"{tag}_{name}.tsv" for name in ("result", "history", "object", "preds")}
    tool("keras_train_and_eval", params, "--estimator", built, "--infile1", x_path, "--infile2", y_path,
         "--outfile-result", outs["result"], "--outfile-history", outs["history"],
         "--outfile-object", outs["object"], "--outfile-y-preds", outs["preds"])
    return outs


def test_builder_stores_compile_and_fit_settings(built_lstm):
    model, meta = load_model(built_lstm)
    assert meta.learning_type == "classifier" and not meta.trained
    assert meta.fit["epochs"] == 2 and meta.fit["batch_size"] == 16 and meta.fit["random_seed"] == 3
    assert model.loss == "binary_crossentropy"
    assert type(model.optimizer).__name__ == "Adam"
    assert "galaxy_keras.json" in zipfile.ZipFile(built_lstm).namelist()


@pytest.mark.parametrize("optimizer", ["SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "AdamW", "Adamax", "Nadam", "Ftrl"])
def test_builder_every_optimizer(tool, tmp_path, optimizer):
    out = tmp_path / "b.dat"
    tool("keras_model_builder", builder_params(optimizer=optimizer), "--model-json",
         tmp_path.parent / "x" if False else _regression_json(tool, tmp_path), "--outfile", out)
    model, _ = load_model(out)
    assert type(model.optimizer).__name__ == optimizer


def _regression_json(tool, tmp_path):
    path = tmp_path / "reg.json"
    if not path.exists():
        tool("keras_model_config", sequential("(3,)", layer("Dense", units=4, activation="relu"), layer("Dense", units=1)),
             "--outfile", path)
    return path


def test_builder_refuses_val_monitor_without_validation(tool, tmp_path):
    err = tool.fails("keras_model_builder", builder_params(callbacks=[{"callback_type": "EarlyStopping",
                                                                        "monitor": "val_loss"}]),
                     "--model-json", _regression_json(tool, tmp_path), "--outfile", tmp_path / "b.dat")
    assert "needs a validation split" in err
    assert not (tmp_path / "b.dat").exists()


def test_train_val_metrics_history_model_and_predictions(tool, tmp_path, built_lstm, sequences):
    x_path, y_path, _, y = sequences
    outs = train(tool, tmp_path, built_lstm, x_path, y_path, train_params(save=("save_estimator", "save_prediction"),
                                                                          primary="f1"))
    metrics = pd.read_csv(outs["result"], sep="\t")
    assert list(metrics.columns) == ["dataset", "n_samples", "loss", "f1", "accuracy", "precision", "recall", "roc_auc"]
    assert metrics.loc[0, "dataset"] == "validation" and metrics.loc[0, "n_samples"] == 15
    assert 0 <= metrics.loc[0, "accuracy"] <= 1
    history = pd.read_csv(outs["history"], sep="\t")
    assert list(history.columns) == ["epoch", "acc", "loss"] and len(history) == 2
    preds = pd.read_csv(outs["preds"], sep="\t")
    assert len(preds) == 15
    assert (preds["true"].to_numpy() == y[preds["row"].to_numpy() - 1]).all()
    # The metrics are those of the held-out predictions.
    assert metrics.loc[0, "accuracy"] == pytest.approx((preds["true"] == preds["predicted"]).mean())
    model, meta = load_model(outs["object"])
    assert meta.trained and meta.classes == [0, 1]


def test_same_seed_same_metrics(tool, tmp_path, built_lstm, sequences):
    x_path, y_path, _, _ = sequences
    first = train(tool, tmp_path, built_lstm, x_path, y_path, train_params(), "a")
    second = train(tool, tmp_path, built_lstm, x_path, y_path, train_params(), "b")
    assert first["result"].read_text() == second["result"].read_text()
    assert first["history"].read_text() == second["history"].read_text()


def test_train_val_test_keeps_validation_and_test_apart(tool, tmp_path, built_lstm, sequences):
    x_path, y_path, _, _ = sequences
    outs = train(tool, tmp_path, built_lstm, x_path, y_path,
                 train_params(scheme="train_val_test", shuffle="stratified", test_size=0.25, val_size=0.2,
                              save=("save_prediction",)))
    metrics = pd.read_csv(outs["result"], sep="\t")
    assert metrics["dataset"].tolist() == ["validation", "test"]
    assert metrics["n_samples"].tolist() == [9, 15]
    preds = pd.read_csv(outs["preds"], sep="\t")
    validation = set(preds.loc[preds.dataset == "validation", "row"])
    test = set(preds.loc[preds.dataset == "test", "row"])
    assert validation and test and not validation & test
    history = pd.read_csv(outs["history"], sep="\t")
    assert "val_loss" in history.columns


def test_text_labels_and_prediction_round_trip(tool, tmp_path, built_lstm, sequences):
    x_path, _, x, y = sequences
    labels = write_tsv(tmp_path / "labels.tsv", [["good" if v else "bad", i] for i, v in enumerate(y)],
                       header=["sentiment", "id"])
    selector = {"selected_column_selector_option2": "by_header_name", "col2": "sentiment"}
    outs = train(tool, tmp_path, built_lstm, x_path, labels, train_params(header2=True, selector2=selector))
    _, meta = load_model(outs["object"])
    assert meta.classes == ["bad", "good"]
    predictions = tmp_path / "pred.tsv"
    params = {"method": "predict", "input_options": {"selected_input": "tabular", "header1": False,
                                                     "column_selector_options_1": ALL_COLUMNS}}
    tool("model_prediction", params, "--estimator", outs["object"], "--infile1", x_path, "--outfile-predict", predictions)
    table = pd.read_csv(predictions, sep="\t")
    assert list(table.columns) == ["predicted"] and len(table) == 60
    assert set(table["predicted"]) <= {"good", "bad"}
    params["method"] = "predict_proba"
    tool("model_prediction", params, "--estimator", outs["object"], "--infile1", x_path, "--outfile-predict", predictions)
    probabilities = pd.read_csv(predictions, sep="\t")
    assert list(probabilities.columns) == ["probability_bad", "probability_good"]
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    # predict and predict_proba agree
    assert ((probabilities["probability_good"] > 0.5).map({True: "good", False: "bad"}) == table["predicted"]).all()


@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropy", "categorical_crossentropy"])
def test_multiclass_softmax(tool, tmp_path, loss):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(90, 4))
    y = np.array(["a", "b", "c"])[x[:, :3].argmax(axis=1)]
    x_path, y_path = write_tsv(tmp_path / "x.tsv", x), write_tsv(tmp_path / "y.tsv", y[:, None])
    model_json = tmp_path / "m.json"
    tool("keras_model_config", sequential("(4,)", layer("Dense", units=3, activation="softmax")), "--outfile", model_json)
    built = tmp_path / "b.dat"
    tool("keras_model_builder", builder_params(loss=loss, epochs=3), "--model-json", model_json, "--outfile", built)
    outs = train(tool, tmp_path, built, x_path, y_path, train_params(shuffle="stratified", test_size=0.3))
    metrics = pd.read_csv(outs["result"], sep="\t")
    assert metrics.loc[0, "n_samples"] == 27
    assert set(metrics.columns) >= {"accuracy", "f1", "roc_auc"}


def test_regression(tool, tmp_path):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(80, 3))
    y = x @ np.array([1.0, -2.0, 0.5]) + 0.1
    x_path, y_path = write_tsv(tmp_path / "x.tsv", x), write_tsv(tmp_path / "y.tsv", y[:, None])
    built = tmp_path / "b.dat"
    tool("keras_model_builder", builder_params("KerasGRegressor", "mean_squared_error", epochs=3, metrics=("mae",)),
         "--model-json", _regression_json(tool, tmp_path), "--outfile", built)
    outs = train(tool, tmp_path, built, x_path, y_path, train_params(primary="r2"))
    metrics = pd.read_csv(outs["result"], sep="\t")
    assert list(metrics.columns) == ["dataset", "n_samples", "loss", "r2", "mse", "mae"]
    assert metrics.loc[0, "loss"] == pytest.approx(metrics.loc[0, "mse"], rel=1e-4)
    err = tool.fails("model_prediction", {"method": "predict_proba", "input_options": {
        "selected_input": "tabular", "header1": False, "column_selector_options_1": ALL_COLUMNS}},
        "--estimator", outs["object"], "--infile1", x_path, "--outfile-predict", tmp_path / "p.tsv")
    assert "predict_proba needs a classifier" in err


def test_early_stopping_uses_validation_split(tool, tmp_path, sequences):
    x_path, y_path, _, _ = sequences
    model_json = tmp_path / "m.json"
    tool("keras_model_config", sequential("(10,)", layer("Embedding", input_dim=20, output_dim=2),
                                          layer("GlobalAveragePooling1D"), layer("Dense", units=1, activation="sigmoid")),
         "--outfile", model_json)
    built = tmp_path / "b.dat"
    tool("keras_model_builder", builder_params(epochs=40, validation_split=0.2, callbacks=[
        {"callback_type": "EarlyStopping", "monitor": "val_loss", "patience": 0, "min_delta": 1.0}]),
         "--model-json", model_json, "--outfile", built)
    outs = train(tool, tmp_path, built, x_path, y_path, train_params())
    history = pd.read_csv(outs["history"], sep="\t")
    assert len(history) < 40 and "val_loss" in history.columns


@pytest.mark.parametrize("case, message", [
    ("rows", "the samples table has 60 rows but the labels table has 59"),
    ("width", "has 9 columns, but the model expects 10"),
    ("one_class", "only one class"),
    ("three_classes", "3 classes but the model's last layer has 1 unit"),
    ("primary", "primary_scoring 'r2' is for regressors"),
])
def test_training_bad_inputs_leave_no_outputs(tool, tmp_path, built_lstm, sequences, case, message):
    x_path, y_path, x, y = sequences
    params = train_params()
    if case == "rows":
        y_path = write_tsv(tmp_path / "y_short.tsv", y[:59, None])
    elif case == "width":
        x_path = write_tsv(tmp_path / "x9.tsv", x[:, :9])
    elif case == "one_class":
        y_path = write_tsv(tmp_path / "y1.tsv", np.ones((60, 1), dtype=int))
    elif case == "three_classes":
        y_path = write_tsv(tmp_path / "y3.tsv", (np.arange(60) % 3)[:, None])
    elif case == "primary":
        params = train_params(primary="r2")
    outs = {name: tmp_path / f"{name}.tsv" for name in ("result", "history", "object")}
    for path in outs.values():
        path.write_text("")  # Galaxy creates empty outputs before the job runs
    err = tool.fails("keras_train_and_eval", params, "--estimator", built_lstm, "--infile1", x_path,
                     "--infile2", y_path, "--outfile-result", outs["result"], "--outfile-history", outs["history"],
                     "--outfile-object", outs["object"])
    assert message in err
    assert not any(path.exists() for path in outs.values())


def test_same_seed_same_initial_weights(tool, tmp_path):
    """The builder draws the initial weights: with one seed, two builds are the same model."""
    model_json = _regression_json(tool, tmp_path)
    weights = []
    for name in ("one.dat", "two.dat"):
        tool("keras_model_builder", builder_params(seed=5), "--model-json", model_json, "--outfile", tmp_path / name)
        weights.append([w.copy() for w in load_model(tmp_path / name)[0].get_weights()])
    assert all(np.array_equal(a, b) for a, b in zip(*weights))
    tool("keras_model_builder", builder_params(seed=6), "--model-json", model_json, "--outfile", tmp_path / "three.dat")
    other = load_model(tmp_path / "three.dat")[0].get_weights()
    assert not all(np.array_equal(a, b) for a, b in zip(weights[0], other))
