"""Galaxy-ML 1.0.11's parameters of 'Create deep learning model' and 'Deep learning training and evaluation'.

Each family: the builder's fit and compile names, scikit-learn scorer names (checked against
scikit-learn's own scorers), Galaxy-ML's splits (group, counts), hyperparameter swapping, the
outfile_y_true layout, input types, and the form's lists against the code's.
"""

import json
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import pandas as pd
import pytest
from conftest import ALL_COLUMNS, ROOT, TEST_DATA, TOOLS, builder_params, layer, sequential
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import get_scorer

from galaxy_keras import scoring
from galaxy_keras.errors import UserError
from galaxy_keras.hyperparams import Swap, apply_swaps, read_swaps
from galaxy_keras.model_io import load_model
from galaxy_keras.params import Params
from galaxy_keras.splitting import SplitSettings, split_rows

REGRESSION_BUILT = TEST_DATA / "train_regression_built.keras"
REG_X, REG_Y = TEST_DATA / "train_regression_X.tsv", TEST_DATA / "train_regression_y.tsv"
GROUPS = TEST_DATA / "train_regression_groups.tsv"
ALL2 = {"selected_column_selector_option2": "all_columns"}


def fnn_builder(**fit) -> dict:
    """The builder's state in the GTN FNN tutorial's workflow (Galaxy-ML 1.0.11), as Galaxy writes inputs.json."""
    params = {"mode_selection": {
        "mode_type": "train_model", "learning_type": "KerasGRegressor",
        "compile_params": {"loss": "mean_squared_error", "optimizer_selection": {
            "optimizer_type": "Adam", "optimizer_options": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999,
                                                            "epsilon": 1e-07, "amsgrad": False}},
            "metrics": ["mse"]},
        "fit_params": {"epochs": 150, "batch_size": 50, "steps_per_epoch": None, "validation_split": 0.1,
                       "validation_steps": None, "callbacks": [{"callback_selection": {"callback_type": "None"}}],
                       "verbose": 1},
        "random_seed": None}}
    params["mode_selection"]["fit_params"].update(fit)
    return params


def galaxy_ml_train(scheme="train_val", test_split=None, val_split=None, primary="default", secondary=None,
                    swaps=(), header=True, save=("save_estimator",)) -> dict:
    schemes = {"selected_exp_scheme": scheme,
               "hyperparams_swapping": {"param_set": [{"sp_name": n, "sp_value": v} for n, v in swaps]
                                        or [{"sp_name": None, "sp_value": ""}]},
               "test_split": {"split_algos": test_split or {"shuffle": "simple", "test_size": 0.2,
                                                            "random_state": None}},
               "metrics": {"scoring": {"primary_scoring": primary, "secondary_scoring": secondary}}}
    if scheme == "train_val_test":
        schemes["val_split"] = {"split_algos": val_split or {"shuffle": "simple", "test_size": 0.2,
                                                             "random_state": None}}
    return {"experiment_schemes": schemes,
            "input_options": {"selected_input": "tabular", "header1": header, "column_selector_options_1": ALL_COLUMNS,
                              "header2": header, "column_selector_options_2": ALL2},
            "save": list(save)}


def train(tool, tmp_path, params, estimator=REGRESSION_BUILT, x=REG_X, y=REG_Y, *extra):
    outs = {name: tmp_path / f"{name}.tsv" for name in ("result", "history", "object", "preds", "true")}
    args = ["--estimator", estimator, "--infile2", y, "--outfile-result", outs["result"],
            "--outfile-history", outs["history"], "--outfile-object", outs["object"],
            "--outfile-y-preds", outs["preds"], "--outfile-y-true", outs["true"], *extra]
    if x is not None:
        args += ["--infile1", x]
    tool("keras_train_and_eval", params, *args)
    return outs


def train_fails(tool, tmp_path, params, estimator=REGRESSION_BUILT, x=REG_X, y=REG_Y, *extra) -> str:
    args = ["--estimator", estimator, "--infile2", y, "--outfile-result", tmp_path / "r.tsv", *extra]
    if x is not None:
        args += ["--infile1", x]
    return tool.fails("keras_train_and_eval", params, *args)


@pytest.fixture
def regression_json(tool, tmp_path):
    path = tmp_path / "reg.json"
    tool("keras_model_config", sequential("(4,)", layer("Dense", units=8, activation="relu"), layer("Dense", units=1)),
         "--outfile", path)
    return path


def build(tool, tmp_path, params, model_json, name="built.keras"):
    out = tmp_path / name
    tool("keras_model_builder", params, "--model-json", model_json, "--outfile", out)
    return out


def stored(path) -> tuple[dict, dict]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("galaxy_keras.json")), json.loads(archive.read("config.json"))


# -- Create deep learning model -----------------------------------------------------------

def test_builder_takes_the_fnn_tutorials_galaxy_ml_state(tool, tmp_path, regression_json):
    meta, _ = stored(build(tool, tmp_path, fnn_builder(), regression_json))
    assert meta["fit"] == {"epochs": 150, "batch_size": 50, "validation_split": 0.1, "verbose": 1, "callbacks": [],
                           "random_seed": None}


def test_builder_stores_steps_and_verbose(tool, tmp_path, regression_json):
    meta, _ = stored(build(tool, tmp_path, fnn_builder(steps_per_epoch=4, validation_steps=1, verbose=0),
                           regression_json))
    assert (meta["fit"]["steps_per_epoch"], meta["fit"]["validation_steps"], meta["fit"]["verbose"]) == (4, 1, 0)


def test_builder_maps_galaxy_ml_loss_and_metric_names(tool, tmp_path, regression_json):
    params = fnn_builder()
    params["mode_selection"]["compile_params"].update(loss="logcosh", metrics=["cosine_proximity", "none", "mae"])
    _, config = stored(build(tool, tmp_path, params, regression_json))
    assert config["compile_config"]["loss"] == "log_cosh"
    assert config["compile_config"]["metrics"] == ["cosine_similarity", "mae"]


def test_builder_ftrl_shrinkage_and_beta(tool, tmp_path, regression_json):
    params = fnn_builder()
    params["mode_selection"]["compile_params"]["optimizer_selection"] = {
        "optimizer_type": "Ftrl",
        "optimizer_options": {"learning_rate": 0.01, "l2_shrinkage_regularization_strength": 0.02, "beta": 0.5}}
    model, _ = load_model(build(tool, tmp_path, params, regression_json))
    config = model.optimizer.get_config()
    assert config["l2_shrinkage_regularization_strength"] == pytest.approx(0.02) and config["beta"] == 0.5


def test_builder_early_stopping_baseline_and_csv_logger(tool, tmp_path, regression_json, capsys):
    callbacks = [{"callback_type": "CSVLogger"},
                 {"callback_type": "EarlyStopping", "monitor": "val_loss", "mode": "auto", "min_delta": 0,
                  "patience": 2, "baseline": 5.0, "restore_best_weights": True}]
    meta, _ = stored(build(tool, tmp_path, builder_params("KerasGRegressor", "mean_squared_error",
                                                          validation_split=0.1, callbacks=callbacks), regression_json))
    assert [callback["type"] for callback in meta["fit"]["callbacks"]] == ["EarlyStopping"]
    assert meta["fit"]["callbacks"][0]["baseline"] == 5.0
    assert "CSVLogger" in capsys.readouterr().out


def test_builder_keras2_lr_is_learning_rate_and_decay_only_zero(tool, tmp_path, regression_json):
    params = fnn_builder()
    options = params["mode_selection"]["compile_params"]["optimizer_selection"]["optimizer_options"]
    options.pop("learning_rate")
    options.update(lr=0.01, decay=0.0)
    model, _ = load_model(build(tool, tmp_path, params, regression_json))
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.01)
    options["decay"] = 0.001
    err = tool.fails("keras_model_builder", params, "--model-json", regression_json, "--outfile", tmp_path / "x.dat")
    assert "'mode_selection|compile_params|optimizer_selection|optimizer_options|decay' is 0.001" in err
    options.update(decay=0.0, learning_rate=0.5)
    err = tool.fails("keras_model_builder", params, "--model-json", regression_json, "--outfile", tmp_path / "x.dat")
    assert "Keras 2's and Keras 3's names of one setting" in err


# -- scoring: scikit-learn's scorers on the held-out predictions --------------------------

def _classifier(n_classes):
    rng = np.random.default_rng(n_classes)
    x = rng.normal(size=(120, 3))
    y = (x[:, 0] * 1.5 + rng.normal(size=120) > 0).astype(int) if n_classes == 2 else \
        np.digitize(x[:, 0] + rng.normal(scale=0.7, size=120), [-0.5, 0.5])
    return LogisticRegression().fit(x, y), x, y


BINARY_AND_MULTI = [name for name in scoring.CLASSIFIER_SCORES if not name.endswith("_samples")]
MULTI_ONLY_DIFFERENT = {"precision", "recall", "f1", "jaccard", "roc_auc"}  # binary-only in scikit-learn


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("name", BINARY_AND_MULTI)
def test_classification_scores_are_scikit_learns(name, n_classes):
    if n_classes == 3 and name in MULTI_ONLY_DIFFERENT:
        pytest.skip("scikit-learn's scorer is for two classes; here a macro average (one-vs-rest for ROC AUC)")
    if n_classes == 3 and name == "average_precision":
        pytest.skip("scikit-learn's scorer ranks by a decision function; a Keras model has probabilities only "
                    "(test_multiclass_average_precision_ranks_by_probability)")
    model, x, y = _classifier(n_classes)
    ours = scoring.classification_scores(y, model.predict_proba(x), [name])[name]
    assert ours == pytest.approx(get_scorer(name)(model, x, y), rel=1e-9, abs=1e-12)


def test_multiclass_average_precision_ranks_by_probability():
    from sklearn.metrics import average_precision_score

    model, x, y = _classifier(3)
    probabilities = model.predict_proba(x)
    ours = scoring.classification_scores(y, probabilities, ["average_precision"])["average_precision"]
    assert ours == pytest.approx(average_precision_score(np.eye(3)[y], probabilities))


def test_samples_averages_are_taken_on_one_hot_rows_and_multiclass_defaults_are_macro():
    model, x, y = _classifier(3)
    probabilities = model.predict_proba(x)
    scores = scoring.classification_scores(y, probabilities, ["f1_samples", "accuracy", "f1", "f1_macro", "roc_auc",
                                                              "roc_auc_ovr"])
    assert scores["f1_samples"] == pytest.approx(scores["accuracy"])  # one label a row
    assert scores["f1"] == scores["f1_macro"] and scores["roc_auc"] == scores["roc_auc_ovr"]


def test_galaxy_ml_spellings_are_the_weighted_averages():
    model, x, y = _classifier(3)
    scores = scoring.classification_scores(y, model.predict_proba(x), ["precision_wighted", "recall_wighted"])
    assert scores["precision_wighted"] == pytest.approx(get_scorer("precision_weighted")(model, x, y))
    assert scores["recall_wighted"] == pytest.approx(get_scorer("recall_weighted")(model, x, y))


@pytest.mark.parametrize("name", [name for name in scoring.REGRESSOR_SCORES
                                  if name not in ("mse", "rmse", "mae", "median_absolute_error", "max_error")])
def test_regression_scores_are_scikit_learns(name):
    rng = np.random.default_rng(4)
    x = rng.uniform(1, 2, size=(50, 2))
    y = x @ np.array([2.0, 1.0]) + rng.normal(scale=0.1, size=50)
    model = LinearRegression().fit(x, y)
    ours = scoring.regression_scores(y, model.predict(x), [name])[name]
    assert ours == pytest.approx(get_scorer(name)(model, x, y), rel=1e-9)


def test_neg_scores_are_negative_errors_and_short_names_are_errors():
    truth, predicted = np.array([1.0, 2.0, 4.0]), np.array([1.0, 3.0, 2.0])
    scores = scoring.regression_scores(truth, predicted, ["neg_mean_squared_error", "mse", "max_error",
                                                          "neg_max_error"])
    assert scores == {"neg_mean_squared_error": pytest.approx(-5 / 3), "mse": pytest.approx(5 / 3),
                      "max_error": -2.0, "neg_max_error": -2.0}


def test_scores_scikit_learn_cannot_compute_are_errors():
    with pytest.raises(UserError, match="scoring 'neg_mean_squared_log_error' cannot be computed"):
        scoring.regression_scores(np.array([-1.0, 2.0]), np.array([1.0, 2.0]), ["neg_mean_squared_log_error"])


def test_score_names_primary_secondary_then_standard():
    assert scoring.score_names("regressor", "r2", ["neg_mean_absolute_error"]) == [
        "r2", "neg_mean_absolute_error", "mse", "mae"]
    assert scoring.score_names("classifier", "default") == list(scoring.DEFAULT_CLASSIFIER)
    with pytest.raises(UserError, match="secondary_scoring 'r2' is for regressors"):
        scoring.score_names("classifier", "accuracy", ["r2"])


def test_binarize_scorers_are_refused_by_name():
    with pytest.raises(UserError, match="primary_scoring 'binarize_auc_scorer' is not offered by these tools: "
                                        "it scores Galaxy-ML's binarize-target estimators"):
        scoring.check_score_name("binarize_auc_scorer", "primary_scoring")


def _macro_options(root, name):
    macro = root.find(f"xml[@name='{name}']")
    return [option.get("value") for option in macro.iter("option")]


def test_the_forms_scorer_lists_are_the_codes():
    root = ET.parse(TOOLS / "training_macros.xml").getroot()
    primary = [value for value in _macro_options(root, "scoring_selection") if value != "default"]
    expected = {*scoring.CLASSIFIER_SCORES, *scoring.REGRESSOR_SCORES, *scoring.SPELLINGS, *scoring.REFUSED_SCORES}
    assert len(primary) == len(set(primary)) and set(primary) == expected
    assert set(_macro_options(root, "scoring_options_regression")) == set(scoring.REGRESSOR_SCORES)
    assert set(_macro_options(root, "scoring_options_classification")) == {*scoring.CLASSIFIER_SCORES,
                                                                           *scoring.SPELLINGS}
    whens = [when.get("value") for when in root.find("xml[@name='scoring_selection']").iter("when")]
    assert set(whens) == expected | {"default"}


# -- splits ----------------------------------------------------------------------------------

def test_group_names_hold_out_those_groups():
    groups = np.array(["a", "b", "test", "a", "test", "c"], dtype=object)
    kept, held = split_rows(6, SplitSettings("group", None, None, ("test",)), None, 0, "test_split", groups)
    assert held.tolist() == [2, 4] and sorted(kept.tolist()) == [0, 1, 3, 5]


def test_group_shuffle_split_keeps_groups_whole():
    groups = np.repeat(np.array([f"g{i}" for i in range(10)], dtype=object), 4)
    kept, held = split_rows(40, SplitSettings("group", 0.2, 7), None, 0, "test_split", groups)
    assert len(set(groups[held])) == 2 and not set(groups[held]) & set(groups[kept])


@pytest.mark.parametrize("settings, groups, message", [
    (SplitSettings("group", None, None, ("chr9",)), np.array(["a", "b"], dtype=object), "'chr9' match no row"),
    (SplitSettings("group", None, None, ("a", "b")), np.array(["a", "b"], dtype=object), "leaving 0 rows"),
    (SplitSettings("group", 0.2), None, "needs the groups table"),
    (SplitSettings("group", 0.01), np.array(["a", "b", "c"], dtype=object), "holds out 0 of them"),
])
def test_group_splits_that_cannot_be_made_are_refused(settings, groups, message):
    with pytest.raises(UserError, match=message):
        split_rows(2 if groups is None else len(groups), settings, None, 0, "test_split", groups)


def test_test_size_of_one_or_more_is_a_number_of_rows():
    kept, held = split_rows(40, SplitSettings("simple", 7.0), None, 0, "test_split")
    assert len(held) == 7 and len(kept) == 33
    with pytest.raises(UserError, match="test_size must be a fraction between 0 and 1 or a whole number"):
        SplitSettings.from_params(Params({"shuffle": "simple", "test_size": 2.5}), "test_split")


def test_galaxy_ml_group_split_with_y_true(tool, tmp_path):
    """Port of Galaxy-ML's test 2: test and validation parts by group names, predictions and y_true saved."""
    groups = {"shuffle": "group", "test_size": None, "random_state": None, "group_names": "test",
              "groups_selector": {"header_g": True, "column_selector_options_g": {
                  "selected_column_selector_option_g": "by_index_number", "col_g": [1]}}}
    params = galaxy_ml_train("train_val_test", groups,
                             {"shuffle": "group", "test_size": None, "random_state": None,
                              "group_names": "validation"},
                             "r2", ["neg_mean_absolute_error"], swaps=[("learning_rate", "0.1"),
                                                                       ("optimizer", "'adamax'")],
                             save=("save_estimator", "save_prediction"))
    outs = train(tool, tmp_path, params, REGRESSION_BUILT, REG_X, REG_Y, "--groups", GROUPS)
    metrics = pd.read_csv(outs["result"], sep="\t")
    assert list(metrics.columns[:5]) == ["dataset", "n_samples", "loss", "r2", "neg_mean_absolute_error"]
    assert metrics["n_samples"].tolist() == [12, 12] and (metrics["neg_mean_absolute_error"] < 0).all()
    group_of = pd.read_csv(GROUPS, sep="\t")["group"]
    preds = pd.read_csv(outs["preds"], sep="\t")
    assert set(group_of[preds.loc[preds.dataset == "test", "row"] - 1]) == {"test"}
    assert set(group_of[preds.loc[preds.dataset == "validation", "row"] - 1]) == {"validation"}
    y_true = pd.read_csv(outs["true"], sep="\t")
    targets = pd.read_csv(REG_Y, sep="\t")["target"]
    assert list(y_true.columns) == ["0"]
    np.testing.assert_allclose(y_true["0"], targets[preds.loc[preds.dataset == "test", "row"] - 1])


def test_validation_group_split_needs_the_test_splits_groups(tool, tmp_path):
    params = galaxy_ml_train("train_val_test", None, {"shuffle": "group", "test_size": None, "random_state": None,
                                                      "group_names": "validation"})
    assert "val_split: the splitting method 'group' needs the groups table" in train_fails(tool, tmp_path, params)


# -- hyperparameter swapping -------------------------------------------------------------------

def swaps(*pairs) -> list[Swap]:
    return read_swaps(Params({"param_set": [{"sp_name": name, "sp_value": value} for name, value in pairs]}))


def test_swap_values_are_literals_never_code():
    assert [swap.value for swap in swaps(("epochs", "3"), ("optimizer", "'adamax'"), ("metrics", "['mae']"),
                                         ("seed", "None"))] == [3, "adamax", ["mae"], None]
    assert swaps(("epochs", "")) == [] and swaps((None, "")) == []
    with pytest.raises(UserError, match="is not a Python literal"):
        swaps(("epochs", "__import__('os').system('true')"))
    with pytest.raises(UserError, match="after ':' builds a scikit-learn estimator"):
        swaps(("adaboostregressor__base_estimator", ": sklearn_tree.ExtraTreeRegressor(random_state=0)"))
    with pytest.raises(UserError, match="'learning_rate' .* is given twice"):
        swaps(("lr", "0.1"), ("learning_rate", "0.2"))
    with pytest.raises(UserError, match="has no parameter name"):
        swaps(("", "3"))


@pytest.fixture
def regression_model():
    return load_model(REGRESSION_BUILT)


def test_swap_layer_seed_optimizer_learning_rate_and_fit(regression_model):
    model, meta = regression_model
    swapped = apply_swaps(model, meta, swaps(("layers_1_Dense__config__kernel_initializer__config__seed", "999"),
                                             ("optimizer", "'adamax'"), ("lr", "0.1"), ("epochs", "7"),
                                             ("batch_size", "4"), ("beta_1", "0.8")))
    assert swapped.layers[0].kernel_initializer.seed == 999
    assert type(swapped.optimizer).__name__ == "Adamax"
    assert float(swapped.optimizer.learning_rate.numpy()) == pytest.approx(0.1)
    assert swapped.optimizer.beta_1 == pytest.approx(0.8)
    assert swapped.loss == "mean_squared_error" and (meta.fit["epochs"], meta.fit["batch_size"]) == (7, 4)


def test_swap_seed_redraws_the_weights(regression_model):
    model, meta = regression_model
    before = [weights.copy() for weights in model.get_weights()]
    swapped = apply_swaps(model, meta, swaps(("seed", "11")))
    assert meta.fit["random_seed"] == 11
    assert not all(np.array_equal(a, b) for a, b in zip(before, swapped.get_weights()))


@pytest.mark.parametrize("pairs, message", [
    ((("callbacks", "[]"),), "'callbacks' .* not a parameter these tools can swap"),
    ((("decay", "0.01"),), "Keras 2's learning-rate decay"),
    ((("optimizer", "'lbfgs'"),), "'lbfgs' is not an optimizer these tools build"),
    ((("momentum", "0.9"),), "the optimizer Adam has no argument 'momentum'"),
    ((("learning_rate", "100.0"),), "must be at most 10.0"),
    ((("epochs", "0"),), "must be at least 1"),
    ((("layers_1_Dense__config__units_typo", "3"),), "the layer's config has no 'units_typo'"),
    ((("layers_1_LSTM__config__units", "3"),), "layer 1 of the model is a Dense, not a LSTM"),
    ((("layers_9_Dense__config__units", "3"),), "the model has 3 layers"),
    ((("layers_1_Dense__config__activation", "'exec'"),), "the changed model is refused"),
    ((("loss", "'made_up'"),), "'made_up' is not a loss"),
])
def test_unswappable_hyperparameters_are_refused_by_name(regression_model, pairs, message):
    model, meta = regression_model
    with pytest.raises(UserError, match=message):
        apply_swaps(model, meta, swaps(*pairs))


def test_layer_swaps_are_refused_on_a_trained_model(regression_model):
    model, meta = regression_model
    meta.trained = True
    with pytest.raises(UserError, match="would discard the weights it was trained to"):
        apply_swaps(model, meta, swaps(("layers_1_Dense__config__units", "3")))


def test_galaxy_ml_test_one_swaps_and_scores(tool, tmp_path):
    """Port of Galaxy-ML's keras_train_and_eval test 1 (its model replaced by one of these tools)."""
    params = galaxy_ml_train("train_val_test", {"shuffle": "simple", "test_size": 0.2, "random_state": 123},
                             {"shuffle": "simple", "test_size": 0.2, "random_state": 456}, "r2",
                             ["neg_mean_absolute_error"],
                             swaps=[("layers_1_Dense__config__kernel_initializer__config__seed", "999"),
                                    ("layers_2_Dense__config__kernel_initializer__config__seed", "999"),
                                    ("learning_rate", "0.1"), ("optimizer", "'adamax'")])
    outs = train(tool, tmp_path, params)
    metrics = pd.read_csv(outs["result"], sep="\t")
    assert metrics["dataset"].tolist() == ["validation", "test"] and metrics["n_samples"].tolist() == [10, 12]
    assert (metrics["r2"] <= 1).all() and (metrics["neg_mean_absolute_error"] < 0).all()
    model, meta = load_model(outs["object"])
    assert type(model.optimizer).__name__ == "Adamax" and model.layers[1].kernel_initializer.seed == 999


# -- fit settings at training time -----------------------------------------------------------------

def test_steps_per_epoch_and_validation_steps(tool, tmp_path, regression_json):
    built = build(tool, tmp_path, fnn_builder(epochs=3, batch_size=8, steps_per_epoch=7, validation_steps=1,
                                              verbose=2), regression_json)
    outs = train(tool, tmp_path, galaxy_ml_train(primary="neg_mean_squared_error"), built)
    history = pd.read_csv(outs["history"], sep="\t")
    assert len(history) == 3 and "val_loss" in history.columns
    built = build(tool, tmp_path, fnn_builder(validation_steps=2), regression_json, "two.keras")
    assert "validation_steps 2 is more than the 1 batches of 50" in train_fails(tool, tmp_path, galaxy_ml_train(),
                                                                                built)
    built = build(tool, tmp_path, fnn_builder(validation_split=0.0, validation_steps=1), regression_json, "none.keras")
    assert "validation_steps is 1 but training has no validation rows" in train_fails(tool, tmp_path,
                                                                                      galaxy_ml_train(), built)


# -- inputs and outputs ------------------------------------------------------------------------

def test_sparse_matrix_input(tool, tmp_path):
    from scipy.io import mmwrite
    from scipy.sparse import coo_matrix

    x = pd.read_csv(REG_X, sep="\t").to_numpy()
    x[np.abs(x) < 0.3] = 0
    mmwrite(str(tmp_path / "x.mtx"), coo_matrix(x))
    params = galaxy_ml_train()
    params["input_options"] = {"selected_input": "sparse", "header2": True, "column_selector_options_2": ALL2}
    outs = train(tool, tmp_path, params, REGRESSION_BUILT, tmp_path / "x.mtx")
    assert pd.read_csv(outs["result"], sep="\t")["n_samples"].tolist() == [12]


@pytest.mark.parametrize("input_type", ["seq_fasta", "refseq_and_interval"])
def test_batch_generator_inputs_are_refused_by_name(tool, tmp_path, input_type):
    params = galaxy_ml_train()
    params["input_options"] = {"selected_input": input_type, "header2": True, "column_selector_options_2": ALL2}
    err = train_fails(tool, tmp_path, params, REGRESSION_BUILT, None)
    assert f"parameter 'input_options|selected_input' is '{input_type}'" in err and "keras_batch_models" in err


def test_y_true_is_written_as_galaxy_ml_writes_it(tool, tmp_path):
    outs = train(tool, tmp_path, galaxy_ml_train(save=("save_prediction", "save_csvlogger")))
    assert outs["true"].read_text().splitlines()[0] == "0"
    assert len(outs["true"].read_text().splitlines()) == 13 and not outs["object"].exists()


def test_fnn_tutorial_training_state_runs(tool, tmp_path):
    """The GTN FNN workflow's training step (Galaxy-ML 1.0.11): neg_mean_squared_error, an empty swap, save as text."""
    params = galaxy_ml_train(primary="neg_mean_squared_error")
    params["save"] = "save_estimator"
    outs = train(tool, tmp_path, params)
    metrics = pd.read_csv(outs["result"], sep="\t")
    assert metrics.columns[3] == "neg_mean_squared_error"
    assert metrics.loc[0, "neg_mean_squared_error"] == pytest.approx(-metrics.loc[0, "mse"])


def test_xml_tests_data_exist():
    text = (TOOLS / "keras_train_and_eval.xml").read_text() + (TOOLS / "keras_model_builder.xml").read_text()
    for name in set(__import__("re").findall(r'value="(train_[^"]+\.[a-z]+)"', text)):
        assert (ROOT / "test-data" / name).is_file(), name


# -- Galaxy-ML workflows import without tool-state corrections -------------------------------------

@pytest.mark.parametrize("tool_id", ["keras_model_builder", "keras_train_and_eval"])
def test_gtn_workflow_states_import_without_corrections(tool_id, galaxy_import_reports):
    """The GTN FNN, CNN and RNN workflows' steps of this tool, imported with Galaxy's own code (once a session,
    tests/galaxy_state_reports.py): no correction, no dropped or unknown key."""
    report = galaxy_import_reports[f"{tool_id} gtn"]
    assert set(report) == {"gtn_fnn", "gtn_cnn", "gtn_rnn"}
    assert {name: found for name, found in report.items()
            if found["corrections"] or found["dropped"] or found["unknown"]} == {}
