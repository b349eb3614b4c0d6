#!/usr/bin/env python
"""Model Prediction: a trained model + a table of samples -> a table of predictions.

Galaxy tool ``model_prediction``. ``predict`` gives class labels for a
classifier (binary: probability > 0.5; multi-class: the most probable class)
or values for a regressor; ``predict_proba`` gives one probability column per
class. The output has a header row.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from galaxy_keras.device import line as device_line
from galaxy_keras.errors import UserError, atomic_outputs, outputs_removed_on_error, run_tool
from galaxy_keras.model_data import (check_finite_scores, check_probabilities, fit_features, predict_scores,
                                     read_features, scores_to_labels, scores_to_probabilities)
from galaxy_keras.params import Params
from galaxy_keras.tables import ColumnSelector, write_table
from galaxy_keras.timing import Phases

METHODS = ("predict", "predict_proba")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", required=True, help="the tool's parameters (JSON written by Galaxy)")
    parser.add_argument("--estimator", required=True, help="trained model (.keras)")
    parser.add_argument("--infile1", required=True, help="samples table")
    parser.add_argument("--outfile-predict", required=True, help="predictions table")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with outputs_removed_on_error(args.outfile_predict):
        predict(args)


def predict(args: argparse.Namespace) -> None:
    phases = Phases()
    params = Params.from_file(args.inputs)
    method = params.choice("method", METHODS)
    inputs = params.section("input_options")
    inputs.choice("selected_input", ["tabular"])
    header = inputs.bool("header1", False)
    selector = ColumnSelector.from_params(inputs.section("column_selector_options_1"))
    params.refuse_unread()
    with phases.phase("reading the table"):
        table = read_features(args.infile1, header, selector, "samples")

    with atomic_outputs(args.outfile_predict) as (outfile,):
        with phases.phase("starting TensorFlow and Keras"):
            from galaxy_keras.model_io import load_model
        print(device_line())

        with phases.phase("loading the model"):
            model, meta = load_model(args.estimator, compile=False)
        if not meta.trained:
            print("Warning: this model has not been trained; its predictions are random")
        features = fit_features(model, table)
        with phases.phase("predicting"):
            scores = predict_scores(model, features)
        lines = table.lines(np.arange(len(scores)))
        check_finite_scores(scores, lines, table.what)
        if meta.learning_type == "classifier":
            check_probabilities(scores, lines, table.what)
        if meta.learning_type == "regressor":
            if method == "predict_proba":
                raise UserError("predict_proba needs a classifier; this model is a regressor")
            predictions = pd.DataFrame(scores, columns=["predicted"] if scores.shape[1] == 1
                                       else [f"predicted_{i + 1}" for i in range(scores.shape[1])])
        elif method == "predict":
            predictions = pd.DataFrame({"predicted": scores_to_labels(scores, meta.classes)})
        else:
            probabilities = scores_to_probabilities(scores)
            classes = meta.classes or list(range(probabilities.shape[1]))
            predictions = pd.DataFrame(probabilities, columns=[f"probability_{label}" for label in classes])
        with phases.phase("writing the predictions"):
            write_table(predictions, outfile)
    print(f"{len(predictions)} predictions ({method})")
    print(phases.report(memory=True))


if __name__ == "__main__":
    run_tool(main)
