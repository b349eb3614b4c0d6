"""One-hot label tables (Galaxy-ML's 'To categorical', the CNN tutorial) in the training tool."""

import numpy as np
import pandas as pd
import pytest
from conftest import ALL_COLUMNS, TEST_DATA, builder_params, layer, sequential, write_tsv

from galaxy_keras.errors import UserError
from galaxy_keras.label_tables import read_targets
from galaxy_keras.model_io import load_model
from galaxy_keras.tables import ColumnSelector

ALL = ColumnSelector()
X, Y = TEST_DATA / "train_onehot_X.tsv", TEST_DATA / "train_onehot_y.tsv"


def params(header2=False, primary="accuracy", save=("save_estimator", "save_prediction")) -> dict:
    return {"experiment_schemes": {"selected_exp_scheme": "train_val",
                                   "test_split": {"split_algos": {"shuffle": "stratified", "test_size": 0.2,
                                                                  "random_state": 0}},
                                   "metrics": {"scoring": {"primary_scoring": primary, "secondary_scoring": None}}},
            "input_options": {"selected_input": "tabular", "header1": False, "column_selector_options_1": ALL_COLUMNS,
                              "header2": header2,
                              "column_selector_options_2": {"selected_column_selector_option2": "all_columns"}},
            "save": list(save)}


def train(tool, tmp_path, built, y=Y, header2=False):
    outs = {name: tmp_path / f"{name}.tsv" for name in ("result", "history", "object", "preds", "true")}
    tool("keras_train_and_eval", params(header2), "--estimator", built, "--infile1", X, "--infile2", y,
         "--outfile-result", outs["result"], "--outfile-history", outs["history"], "--outfile-object", outs["object"],
         "--outfile-y-preds", outs["preds"], "--outfile-y-true", outs["true"])
    return outs


@pytest.fixture
def built(tool, tmp_path):
    def make(loss="categorical_crossentropy", units=3, activation="softmax", name="built.keras"):
        model_json = tmp_path / f"{name}.json"
        tool("keras_model_config", sequential("(4,)", layer("Dense", units=units, activation=activation)),
             "--outfile", model_json)
        out = tmp_path / name
        tool("keras_model_builder", builder_params(loss=loss, epochs=2, batch_size=8, metrics=("acc",)),
             "--model-json", model_json, "--outfile", out)
        return out
    return make


# -- reading ---------------------------------------------------------------------------------

def test_one_hot_table_without_header_has_classes_0_to_k_minus_1(tmp_path):
    path = write_tsv(tmp_path / "y.tsv", [[0, 1, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0]])
    targets = read_targets(path, False, ALL, "labels")
    assert targets.classes == [0, 1, 2, 3]  # a class without rows keeps its column
    assert targets.values.tolist() == [1, 0, 1] and targets.one_hot.shape == (3, 4)


def test_one_hot_header_names_the_classes_in_column_order(tmp_path):
    path = write_tsv(tmp_path / "y.tsv", [[0, 0, 1], [1, 0, 0]], header=["zebra", "ant", "7"])
    targets = read_targets(path, True, ALL, "labels")
    assert targets.classes == ["zebra", "ant", 7] and targets.values.tolist() == [7, "zebra"]


def test_one_column_stays_a_column_of_labels(tmp_path):
    targets = read_targets(write_tsv(tmp_path / "y.tsv", [["a"], ["b"]]), False, ALL, "labels")
    assert targets.classes is None and targets.one_hot is None and targets.values.tolist() == ["a", "b"]


@pytest.mark.parametrize("rows, message", [
    ([[1, 0], [1, 1]], "line 2 has 2 ones"),
    ([[1, 0], [0, 0]], "line 2 has 0 ones"),
    ([[1, 0], [0.5, 0.5]], "line 2, column 1 is '0.5', not 0 or 1"),
    ([[1, 0], ["a", 1]], "line 2, column 1 is 'a', not 0 or 1"),
    ([[3.2, 1.0], [4.1, 0.0]], "line 1, column 1 is '3.2', not 0 or 1"),
])
def test_several_columns_that_are_not_one_hot_are_refused(tmp_path, rows, message):
    with pytest.raises(UserError) as refused:
        read_targets(write_tsv(tmp_path / "y.tsv", rows), False, ALL, "labels")
    assert message in str(refused.value) and "must be one-hot" in str(refused.value)


def test_empty_one_hot_cell_is_named(tmp_path):
    (tmp_path / "y.tsv").write_text("1\t0\n\t1\n")
    with pytest.raises(UserError, match="line 2, column 1 is empty"):
        read_targets(tmp_path / "y.tsv", False, ALL, "labels")


# -- training --------------------------------------------------------------------------------

def test_categorical_crossentropy_on_a_one_hot_table(tool, tmp_path, built):
    outs = train(tool, tmp_path, built())
    metrics = pd.read_csv(outs["result"], sep="\t")
    assert metrics.loc[0, "n_samples"] == 9 and 0 <= metrics.loc[0, "accuracy"] <= 1
    preds = pd.read_csv(outs["preds"], sep="\t")
    codes = np.loadtxt(Y, dtype=int).argmax(axis=1)
    assert (preds["true"].to_numpy() == codes[preds["row"].to_numpy() - 1]).all()
    assert list(preds.columns[-3:]) == ["probability_0", "probability_1", "probability_2"]
    assert metrics.loc[0, "accuracy"] == pytest.approx((preds["true"] == preds["predicted"]).mean())
    y_true = pd.read_csv(outs["true"], sep="\t")
    assert list(y_true.columns) == ["0", "1", "2"] and (y_true.sum(axis=1) == 1).all() and len(y_true) == 9
    _, meta = load_model(outs["object"])
    assert meta.classes == [0, 1, 2]


def test_header_names_become_the_models_classes(tool, tmp_path, built):
    outs = train(tool, tmp_path, built(), TEST_DATA / "train_onehot_y_header.tsv", header2=True)
    _, meta = load_model(outs["object"])
    assert meta.classes == ["red", "green", "blue"]
    assert set(pd.read_csv(outs["preds"], sep="\t")["predicted"]) <= {"red", "green", "blue"}


def test_sparse_categorical_crossentropy_takes_the_one_hot_table_too(tool, tmp_path, built):
    outs = train(tool, tmp_path, built("sparse_categorical_crossentropy"))
    assert pd.read_csv(outs["result"], sep="\t").loc[0, "n_samples"] == 9


def test_two_column_one_hot_with_one_sigmoid_unit(tool, tmp_path, built):
    codes = np.loadtxt(Y, dtype=int).argmax(axis=1) == 2
    y = write_tsv(tmp_path / "y2.tsv", np.eye(2, dtype=int)[codes.astype(int)])
    outs = train(tool, tmp_path, built("binary_crossentropy", 1, "sigmoid"), y)
    _, meta = load_model(outs["object"])
    assert meta.classes == [0, 1]


def test_one_hot_columns_must_match_the_output_units(tool, tmp_path, built):
    y = write_tsv(tmp_path / "y4.tsv", np.eye(4, dtype=int)[np.loadtxt(Y, dtype=int).argmax(axis=1)])
    err = tool.fails("keras_train_and_eval", params(), "--estimator", built(), "--infile1", X, "--infile2", y,
                     "--outfile-result", tmp_path / "r.tsv")
    assert "hold 4 classes (0, 1, 2, 3) but the model's last layer has 3 units" in err


def test_regressor_refuses_a_one_hot_table(tool, tmp_path):
    built = TEST_DATA / "train_regression_built.keras"
    y = write_tsv(tmp_path / "y.tsv", np.eye(2, dtype=int)[np.arange(45) % 2])
    regression = params(primary="default")
    regression["experiment_schemes"]["test_split"]["split_algos"]["shuffle"] = "simple"
    err = tool.fails("keras_train_and_eval", regression, "--estimator", built, "--infile1", X, "--infile2", y,
                     "--outfile-result", tmp_path / "r.tsv")
    assert "one-hot table of 2 columns, which is for a classifier; this model is a regressor" in err


def test_not_one_hot_is_refused_before_training(tool, tmp_path, built):
    err = tool.fails("keras_train_and_eval", params(), "--estimator", built(), "--infile1", X,
                     "--infile2", TEST_DATA / "train_onehot_y_bad.tsv", "--outfile-result", tmp_path / "r.tsv")
    assert "line 7 has 2 ones" in err and not (tmp_path / "r.tsv").exists()
