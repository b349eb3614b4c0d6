"""Create deep learning model (keras_model_builder)."""

from bad_inputs import Case
from bad_inputs.common import D, builder_params

OUT = ["--outfile"]

CASES = {
    "module outside Keras": Case("keras_model_builder", builder_params(),
                                 ["--model-json", D / "malicious_module_model.json"], OUT,
                                 "outside Keras; refusing to load it"),
    "JSON that is not a model": Case("keras_model_builder", builder_params(),
                                     ["--model-json", D / "not_a_model.json"], OUT, "not a Keras model JSON"),
    "model file given as JSON": Case("keras_model_builder", builder_params(),
                                     ["--model-json", D / "tiny_lstm_built.keras"], OUT, "not valid JSON"),
}
