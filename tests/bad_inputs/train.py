"""Deep learning training and evaluation (keras_train_and_eval)."""

from bad_inputs import Case
from bad_inputs.common import D, TRAIN_OUTPUTS, train_inputs, train_params

CASES = {
    "Lambda layer in model file": Case("keras_train_and_eval", train_params(),
                                       train_inputs(D / "lambda_model.keras", D / "imdb_X_test_sample.tsv",
                                                    D / "imdb_y_test_sample.tsv"),
                                       TRAIN_OUTPUTS, "'Lambda' object, which can run code"),
    "corrupt model file": Case("keras_train_and_eval", train_params(), train_inputs(D / "corrupt_model.keras"),
                               TRAIN_OUTPUTS, "the model file"),
    "ragged table": Case("keras_train_and_eval", train_params(), train_inputs(x=D / "ragged.tsv"),
                         TRAIN_OUTPUTS, "is empty (rows of different lengths"),
    "rows of labels and samples differ": Case("keras_train_and_eval", train_params(),
                                              train_inputs(y=D / "imdb_y_test_sample.tsv"), TRAIN_OUTPUTS,
                                              "has 120 rows but the labels table has 40"),
    "hold-out fraction outside 0-1": Case("keras_train_and_eval", train_params(test_size=1.5), train_inputs(),
                                          TRAIN_OUTPUTS, "test_size must be a fraction"),
}
