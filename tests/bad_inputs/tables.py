"""Table cells that a tool would crash on or silently misread (the shared table reader)."""

from bad_inputs import Case
from bad_inputs.common import CONFUSION, D, PREDICT, TRAIN_OUTPUTS, edited, predict_inputs, train_inputs, train_params

X_TRAIN, Y_TRAIN = D / "imdb_X_train_sample.tsv", D / "imdb_y_train_sample.tsv"
X_TEST, Y_TEST = D / "imdb_X_test_sample.tsv", D / "imdb_y_test_sample.tsv"
TRAIN = "keras_train_and_eval"
SAMPLES = "training samples: line 7, column 480 is"

CASES = {
    "inf in the training samples": Case(TRAIN, train_params(), train_inputs(x=edited(X_TRAIN, 7, 480, "inf")),
                                        TRAIN_OUTPUTS, f"{SAMPLES} 'inf', not a finite number"),
    "a number beyond float32 in the training samples": Case(
        TRAIN, train_params(), train_inputs(x=edited(X_TRAIN, 7, 480, "1e39")), TRAIN_OUTPUTS,
        f"{SAMPLES} '1e+39', not a finite number"),
    "nan in the training samples": Case(TRAIN, train_params(), train_inputs(x=edited(X_TRAIN, 7, 480, "nan")),
                                        TRAIN_OUTPUTS, f"{SAMPLES} 'nan', not a number"),
    "-inf in the samples to predict": Case("model_prediction", PREDICT,
                                           predict_inputs(x=edited(X_TEST, 3, 1, "-inf")), ["--outfile-predict"],
                                           "samples: line 3, column 1 is '-inf', not a finite number"),
    "an empty cell in a one-column label table": Case(
        TRAIN, train_params(), train_inputs(y=edited(Y_TRAIN, 16, 1, "")), TRAIN_OUTPUTS,
        "class labels / target values: line 16 is empty; every row needs a label"),
    "NaN among numeric labels": Case(TRAIN, train_params(), train_inputs(y=edited(Y_TRAIN, 9, 1, "NaN")),
                                     TRAIN_OUTPUTS, "line 9 holds 'NaN', a missing or infinite value"),
    "an empty cell in the true labels of a confusion matrix": Case(
        "ml_visualization_ex", CONFUSION, ["--infile-true", edited(Y_TEST, 5, 1, ""), "--infile-predicted",
                                           D / "tiny_lstm_predictions.tsv"], ["--output", "--output-report"],
        "true labels: line 5 is empty"),
}
