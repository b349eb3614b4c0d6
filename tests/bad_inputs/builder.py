"""Create deep learning model (keras_model_builder)."""

import copy
import json
from pathlib import Path

from bad_inputs import Case
from bad_inputs.common import D, builder_params

OUT = ["--outfile"]
TINY = json.loads((D / "tiny_lstm_model.json").read_text())


def model_json(text: str):
    def make(folder: Path, canary: Path) -> Path:
        path = folder / "model.json"
        path.write_text(text)
        return path
    return make


def tiny_with(**dense_config) -> str:
    config = copy.deepcopy(TINY)
    config["config"]["layers"][-1]["config"].update(dense_config)
    return json.dumps(config)


def embedding_with(**embedding_config) -> str:
    """The tiny model with its Embedding changed (within the form's bounds, beyond the memory plan)."""
    config = copy.deepcopy(TINY)
    next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Embedding")["config"].update(
        embedding_config)
    return json.dumps(config)


def builder_case(model, expected: str, params: dict | None = None) -> Case:
    return Case("keras_model_builder", params or builder_params(), ["--model-json", model], OUT, expected)


def with_learning_rate(rate: float) -> dict:
    params = builder_params()
    params["mode_selection"]["compile_params"]["optimizer_selection"]["optimizer_options"] = {"learning_rate": rate}
    return params


CASES = {
    "module outside Keras": builder_case(D / "malicious_module_model.json", "outside Keras; refusing to load it"),
    "JSON that is not a model": builder_case(D / "not_a_model.json", "not a Keras model JSON"),
    "model file given as JSON": builder_case(D / "tiny_lstm_built.keras", "not valid JSON"),
    "model JSON nested 100,000 levels deep": builder_case(model_json("[" * 100_000 + "]" * 100_000),
                                                          "the model configuration is nested too deeply"),
    "Keras 2 (Galaxy-ML) model JSON with a Lambda layer": builder_case(D / "galaxy_ml_keras2_lambda.json",
                                                                       "the model configuration contains a 'Lambda' "
                                                                       "object, which can run code"),
    "hand-edited JSON with 300,000,000 units": builder_case(model_json(tiny_with(units=300_000_000)),
                                                            "the Dense layer 'layer_3' has units=300000000, outside "
                                                            "the form's bounds (from 1 to 100,000)"),
    "hand-edited JSON with an Embedding of 10,000,000 x 100,000": builder_case(
        model_json(embedding_with(input_dim=10_000_000, output_dim=100_000)),
        "the model configuration has 1,000,000,"),
    "StringLookup in the model JSON": builder_case(model_json(json.dumps({**TINY, "config": {
        **TINY["config"], "layers": TINY["config"]["layers"][:1] + [{
            "module": "keras.layers", "class_name": "StringLookup", "registered_name": None,
            "config": {"vocabulary": "/etc/passwd"}}]}})), "'StringLookup' object, which these tools do not build"),
    "learning rate 1e30": builder_case(D / "tiny_lstm_model.json",
                                       "parameter 'learning_rate' must be at most 10.0, got 1e+30",
                                       with_learning_rate(1e30)),
}
