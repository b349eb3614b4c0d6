"""Create a deep learning model architecture (keras_model_config)."""

from bad_inputs import Case
from bad_inputs.common import layer, sequential

OUT = ["--outfile"]

CASES = {
    "layer that does not fit": Case("keras_model_config", sequential("(10,)", layer("LSTM", units=2)), [], OUT,
                                    "does not fit the output of the layer before it"),
    "malformed input_shape": Case("keras_model_config", sequential("(ten,)", layer("Dense", units=1)), [], OUT,
                                  "input_shape must be whole numbers"),
    "a layer type that names code": Case("keras_model_config", sequential("(3,)", layer("Lambda")), [], OUT,
                                         "must be one of"),
    "parameters not JSON": Case("keras_model_config", "not json {", [], OUT, "is not valid JSON"),
    "units 300,000,000": Case("keras_model_config", sequential("(500,)", layer("Dense", units=300_000_000)), [],
                              OUT, "parameter 'units' must be at most 100000, got 300000000"),
    "a typed field of earlier versions that Galaxy-ML's form does not have": Case(
        "keras_model_config", sequential("(10,)", layer("Embedding", input_dim=20, output_dim=4, mask_zero=True)), [],
        OUT, "unknown parameter 'model_selection|layers_0|layer_selection|mask_zero'"),
    "kwargs on a layer Galaxy-ML gave none": Case(
        "keras_model_config", sequential("(4, 4)", layer("Flatten", data_format="channels_last",
                                                         kwargs="dtype='float16'")), [],
        OUT, "unknown parameter 'model_selection|layers_0|layer_selection|kwargs'"),
    "parameters beyond the job's memory": Case(
        "keras_model_config", sequential("(500,)", layer("Embedding", input_dim=10_000_000, output_dim=1000)), [],
        OUT, "the model has 10,000,000,000 parameters; training them"),
}
