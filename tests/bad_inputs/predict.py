"""Model Prediction (model_prediction)."""

from bad_inputs import Case
from bad_inputs.common import D, PREDICT, predict_inputs
from bad_inputs.train import WORD_RULE, features, model, with_cell

OUT = ["--outfile-predict"]
PROBA = {**PREDICT, "method": "predict_proba"}


def indices_case(value: str, expected: str) -> Case:
    return Case("model_prediction", PREDICT, predict_inputs(x=with_cell(D / "imdb_X_test_sample.tsv", 0, 499, value)),
                OUT, expected)


def dense_case(made, expected: str, params: dict = PREDICT) -> Case:
    return Case("model_prediction", params, predict_inputs(made, features()), OUT, expected)


CASES = {
    "a text cell in the samples": Case("model_prediction", PREDICT, predict_inputs(x=D / "non_numeric.tsv"), OUT,
                                       "'abc', not a number"),
    "wrong number of columns": Case("model_prediction", PREDICT, predict_inputs(x=D / "imdb_y_test_sample.tsv"),
                                    OUT, "has 1 columns, but the model expects 500"),
    "empty samples table": Case("model_prediction", PREDICT, predict_inputs(x="EMPTY"), OUT,
                                "the dataset is empty"),
    "a table given as the model": Case("model_prediction", PREDICT,
                                       predict_inputs(estimator=D / "imdb_y_test_sample.tsv"), OUT,
                                       "not a Keras 3 .keras archive"),
    "index >= the Embedding's input_dim": indices_case(
        "12000", f"the samples table: line 1, column 500 is 12000; {WORD_RULE}; the model's Embedding has "
                 f"input_dim 10000: rebuild it with a larger input_dim or make the sequences with num_words <= 10000"),
    "negative index into an Embedding": indices_case("-3", f"the samples table: line 1, column 500 is -3; {WORD_RULE}"),
    "fractional index into an Embedding": indices_case("3.7", f"line 1, column 500 is 3.7; {WORD_RULE}"),
    # Refused on loading, by its weights (model_io.check_finite_weights), before any output is computed.
    "a model whose weights are NaN": dense_case(
        model(1, "sigmoid", None, classes=[0, 1], trained=True, nan_weights=True),
        "holds 4 NaN or infinite values in its variable '"),
    "a classifier whose outputs are not probabilities": dense_case(
        model(1, None, None, classes=[0, 1], trained=True), "not probabilities (between 0 and 1); a classifier's "
        "last layer needs activation sigmoid (1 unit)", PROBA),
}
