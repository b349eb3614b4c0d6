"""Bad input, as Galaxy runs the tools: real processes, one-line errors, no outputs left.

Each case runs a tool's script in a fresh Python process with Galaxy's
pre-created (empty) output files, and checks a non-zero exit, exactly one
line on stderr that starts with "Error:", and that no output file remains.
"""

import json
import subprocess
import sys

import pytest
from conftest import ROOT, TEST_DATA, builder_params, layer, sequential, train_params

PYTHON = sys.executable
ALL = {"selected_column_selector_option": "all_columns"}
PREDICT = {"method": "predict", "input_options": {"selected_input": "tabular", "header1": False,
                                                  "column_selector_options_1": ALL}}
CONFUSION = {"plotting_selection": {"plot_type": "classification_confusion_matrix", "header_true": False,
                                    "header_predicted": True, "plot_format": "png"}}
D = TEST_DATA


def train_args(estimator=D / "tiny_lstm_built.keras", x=D / "imdb_X_train_sample.tsv",
               y=D / "imdb_y_train_sample.tsv"):
    return ["--estimator", estimator, "--infile1", x, "--infile2", y]


# (tool script, parameters, input arguments, output options, expected error text)
CASES = {
    "config: layer that does not fit": ("keras_model_config", sequential("(10,)", layer("LSTM", units=2)), [],
                                        ["--outfile"], "does not fit the output of the layer before it"),
    "config: malformed input_shape": ("keras_model_config", sequential("(ten,)", layer("Dense", units=1)), [],
                                      ["--outfile"], "input_shape must be whole numbers"),
    "config: a layer type that names code": ("keras_model_config", sequential("(3,)", layer("Lambda")), [],
                                             ["--outfile"], "must be one of"),
    "config: parameters not JSON": ("keras_model_config", "not json {", [], ["--outfile"], "is not valid JSON"),
    "builder: module outside Keras": ("keras_model_builder", builder_params(),
                                      ["--model-json", D / "malicious_module_model.json"], ["--outfile"],
                                      "outside Keras; refusing to load it"),
    "builder: JSON that is not a model": ("keras_model_builder", builder_params(),
                                          ["--model-json", D / "not_a_model.json"], ["--outfile"],
                                          "not a Keras model JSON"),
    "builder: model file given as JSON": ("keras_model_builder", builder_params(),
                                          ["--model-json", D / "tiny_lstm_built.keras"], ["--outfile"],
                                          "not valid JSON"),
    "train: Lambda layer in model file": ("keras_train_and_eval", train_params(),
                                          train_args(D / "lambda_model.keras", D / "imdb_X_test_sample.tsv",
                                                     D / "imdb_y_test_sample.tsv"),
                                          ["--outfile-result", "--outfile-history", "--outfile-object"],
                                          "'Lambda' object, which can run code"),
    "train: corrupt model file": ("keras_train_and_eval", train_params(), train_args(D / "corrupt_model.keras"),
                                  ["--outfile-result", "--outfile-history"], "the model file"),
    "train: ragged table": ("keras_train_and_eval", train_params(), train_args(x=D / "ragged.tsv"),
                            ["--outfile-result", "--outfile-history"], "is empty (rows of different lengths"),
    "train: rows of labels and samples differ": ("keras_train_and_eval", train_params(),
                                                 train_args(y=D / "imdb_y_test_sample.tsv"),
                                                 ["--outfile-result", "--outfile-history"],
                                                 "has 120 rows but the labels table has 40"),
    "train: hold-out fraction outside 0-1": (
        "keras_train_and_eval", train_params(test_size=1.5), train_args(),
        ["--outfile-result", "--outfile-history"], "test_size must be a fraction"),
    "predict: a text cell in the samples": ("model_prediction", PREDICT,
                                                  ["--estimator", D / "tiny_lstm_trained.keras", "--infile1",
                                                   D / "non_numeric.tsv"], ["--outfile-predict"],
                                                  "'abc', not a number"),
    "predict: wrong number of columns": ("model_prediction", PREDICT,
                                         ["--estimator", D / "tiny_lstm_trained.keras", "--infile1",
                                          D / "imdb_y_test_sample.tsv"], ["--outfile-predict"],
                                         "has 1 columns, but the model expects 500"),
    "predict: empty samples table": ("model_prediction", PREDICT,
                                     ["--estimator", D / "tiny_lstm_trained.keras", "--infile1", "EMPTY"],
                                     ["--outfile-predict"], "the dataset is empty"),
    "predict: a table given as the model": ("model_prediction", PREDICT,
                                            ["--estimator", D / "imdb_y_test_sample.tsv", "--infile1",
                                             D / "imdb_X_test_sample.tsv"], ["--outfile-predict"],
                                            "not a Keras 3 .keras archive"),
    "visualization: label lengths differ": ("ml_visualization_ex", CONFUSION,
                                            ["--infile-true", D / "imdb_y_train_sample.tsv", "--infile-predicted",
                                             D / "tiny_lstm_predictions.tsv"], ["--output", "--output-report"],
                                            "120 rows but the predicted labels have 40"),
    "visualization: unknown plot type": ("ml_visualization_ex", {"plotting_selection": {"plot_type": "pie"}},
                                         [], ["--output"], "must be one of"),
    "visualization: two columns of labels": ("ml_visualization_ex", CONFUSION,
                                             ["--infile-true", D / "non_numeric.tsv", "--infile-predicted",
                                              D / "tiny_lstm_predictions.tsv"], ["--output", "--output-report"],
                                             "expected one column"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input(case, tmp_path):
    script, params, inputs, output_options, expected = CASES[case]
    params_path = tmp_path / "inputs.json"
    params_path.write_text(params if isinstance(params, str) else json.dumps(params))
    empty = tmp_path / "empty.tsv"
    empty.write_text("")
    inputs = [str(empty) if item == "EMPTY" else str(item) for item in inputs]
    outputs = []
    for i, option in enumerate(output_options):
        path = tmp_path / f"output{i}.dat"
        path.write_text("")  # as Galaxy pre-creates outputs
        outputs += [option, str(path)]
    result = subprocess.run([PYTHON, str(ROOT / "scripts" / f"{script}.py"), "--inputs", str(params_path),
                             *inputs, *outputs], capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and expected in lines[0], lines[0]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("output") or p.name.startswith(".output")]
