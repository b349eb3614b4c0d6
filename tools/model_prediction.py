#!/usr/bin/env python
"""Model Prediction: a trained model + a table of samples -> a table of predictions.

Galaxy tool ``model_prediction``. ``predict`` gives class labels for a
classifier (binary: probability > 0.5; multi-class: the most probable class)
or values for a regressor; ``predict_proba`` gives one probability column per
class. The output has a header row.

The samples are a table or, as Galaxy-ML's tool offers, a sparse matrix
(Matrix Market). Galaxy-ML's two other inputs (FASTA sequences and variant
calls, for its sequence models) are in the form so that its workflows import,
and refused with a one-line error naming the parameter.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from galaxy_keras.device import line as device_line
from galaxy_keras.errors import UserError, atomic_outputs, outputs_removed_on_error, run_tool
from galaxy_keras.galaxy_metadata import write_column_names
from galaxy_keras.model_checks import check_model_file
from galaxy_keras.model_data import (check_finite_scores, check_probabilities, fit_features, predict_scores,
                                     read_features, scores_to_labels, scores_to_probabilities)
from galaxy_keras.outcome_first import outcome_first
from galaxy_keras.params import Params
from galaxy_keras.run_summary import prediction_line
from galaxy_keras.tables import ColumnSelector, write_table
from galaxy_keras.timing import Phases

METHODS = ("predict", "predict_proba")
INPUTS = ("tabular", "sparse", "seq_fasta", "variant_effect")
# Galaxy-ML's inputs for its sequence models: their settings, and why they cannot be honoured here.
UNSUPPORTED_INPUTS = {
    "seq_fasta": (("seq_type", ("FastaDNABatchGenerator", "FastaRNABatchGenerator", "FastaProteinBatchGenerator")),),
    "variant_effect": (("blacklist_regions", ("none", "hg38", "hg19")), ("seq_length", None),
                       ("output_reference", bool)),
}
UNSUPPORTED_WHY = {
    "seq_fasta": "sequences in a FASTA file, for Galaxy-ML's sequence models (KerasGBatchClassifier with a sequence "
                 "generator)",
    "variant_effect": "a reference genome and variant calls, for Galaxy-ML's variant effect models (selene)",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", required=True, help="the tool's parameters (JSON written by Galaxy)")
    parser.add_argument("--estimator", required=True, help="trained model (.keras)")
    parser.add_argument("--infile1", help="samples table (input 'tabular')")
    parser.add_argument("--sparse", help="samples as a Matrix Market sparse matrix (input 'sparse')")
    parser.add_argument("--outfile-predict", required=True, help="predictions table")
    parser.add_argument("--galaxy-metadata", help="where to write the column names of the table for Galaxy "
                                                  "(its galaxy.json)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with outputs_removed_on_error(args.outfile_predict, args.galaxy_metadata):
        predict(args)


def _required(path: str | None, option: str) -> str:
    if not path:
        raise UserError(f"this input needs a samples dataset ({option})")
    return path


def read_unsupported(inputs: Params, selected: str) -> None:
    """Read the settings of Galaxy-ML's sequence inputs, so that none is reported as unknown before the refusal."""
    for name, options in UNSUPPORTED_INPUTS.get(selected, ()):
        if options is bool:
            inputs.bool(name, False)
        elif options is None:
            inputs.int(name, None)
        else:
            inputs.choice(name, options, options[0])


def predict(args: argparse.Namespace) -> None:
    phases = Phases()
    params = Params.from_file(args.inputs)
    method = params.choice("method", METHODS)
    inputs = params.section("input_options")
    selected = inputs.choice("selected_input", INPUTS)
    if selected == "tabular":
        header = inputs.bool("header1", False)
        selector = ColumnSelector.from_params(inputs.section("column_selector_options_1"))
    else:
        read_unsupported(inputs, selected)
    params.refuse_unread()
    if selected in UNSUPPORTED_WHY:
        raise UserError(f"parameter 'input_options|selected_input' is '{selected}': {UNSUPPORTED_WHY[selected]}; "
                        f"these tools' models are trained on tables, so predict on a table (tabular data or a sparse "
                        f"matrix) of the columns the model was trained on")
    with phases.phase("reading the table"):
        if selected == "sparse":
            from galaxy_keras.sparse_matrix import read_sparse_features

            table = read_sparse_features(_required(args.sparse, "--sparse"))
        else:
            table = read_features(_required(args.infile1, "--infile1"), header, selector, "samples")
    # A broken or hostile model file fails here, before TensorFlow's seconds of start-up (load_model checks it again).
    with phases.phase("checking the model file"):
        check_model_file(args.estimator)

    with outcome_first() as first, atomic_outputs(args.outfile_predict, args.galaxy_metadata) as (outfile, metadata):
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
            if metadata is not None:
                write_column_names(metadata, {"outfile_predict": list(predictions.columns)})
        # First in stdout: Galaxy shows a dataset's first 255 characters of it (run_summary.py).
        first.append(prediction_line(predictions, method, meta.learning_type, meta.classes))
    print(phases.report(memory=True))


if __name__ == "__main__":
    run_tool(main)
