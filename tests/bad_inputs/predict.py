"""Model Prediction (model_prediction)."""

from bad_inputs import Case
from bad_inputs.common import D, PREDICT, predict_inputs

OUT = ["--outfile-predict"]

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
}
