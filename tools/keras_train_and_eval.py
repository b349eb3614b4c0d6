#!/usr/bin/env python
"""Deep learning training and evaluation: fit a built model on a table, score it on held-out rows.

Galaxy tool ``keras_train_and_eval``. Schemes:
* train_val: hold out ``test_size`` of the rows (seeded shuffle or stratified
  split), train on the rest, score the held-out rows. The model's own
  validation split (for val_ metrics and early stopping) comes from the
  training rows only.
* train_val_test: hold out a test part, then a validation part from the rest;
  train with that validation data (early stopping, val_ metrics) and score
  the validation and the test rows separately.
Rows used for validation or early stopping are never the rows scored as test.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from galaxy_keras.device import line as device_line
from galaxy_keras.errors import UserError, atomic_outputs, outputs_removed_on_error, run_tool
from galaxy_keras.model_data import read_features
from galaxy_keras.params import Params
from galaxy_keras.scoring import CLASSIFIER_SCORES, REGRESSOR_SCORES
from galaxy_keras.splitting import SplitSettings
from galaxy_keras.tables import ColumnSelector, read_vector, write_table
from galaxy_keras.timing import Phases

SCHEMES = ("train_val", "train_val_test")
SAVE_OPTIONS = ("save_estimator", "save_prediction")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", required=True, help="the tool's parameters (JSON written by Galaxy)")
    parser.add_argument("--estimator", required=True, help="built model (.keras) from keras_model_builder")
    parser.add_argument("--infile1", required=True, help="training samples (features) table")
    parser.add_argument("--infile2", required=True, help="class labels or target values table")
    parser.add_argument("--outfile-result", required=True, help="metrics table")
    parser.add_argument("--outfile-history", help="per-epoch history table")
    parser.add_argument("--outfile-object", help="trained model (.keras)")
    parser.add_argument("--outfile-y-preds", help="held-out predictions table")
    return parser.parse_args(argv)


@dataclass(frozen=True)
class Settings:
    scheme: str
    test_split: SplitSettings
    val_split: SplitSettings | None
    primary_scoring: str
    header1: bool
    selector1: ColumnSelector
    header2: bool
    selector2: ColumnSelector
    save: tuple[str, ...]


def read_settings(params: Params) -> Settings:
    scheme_params = params.section("experiment_schemes")
    scheme = scheme_params.choice("selected_exp_scheme", SCHEMES)
    test_split = SplitSettings.from_params(scheme_params.section("test_split|split_algos"), "test_split")
    val_split = SplitSettings.from_params(scheme_params.section("val_split|split_algos"), "val_split") \
        if scheme == "train_val_test" else None
    primary = scheme_params.str("metrics|scoring|primary_scoring", "default") or "default"
    if primary not in ("default", *CLASSIFIER_SCORES, *REGRESSOR_SCORES):
        raise UserError(f"unknown primary_scoring {primary!r}")
    inputs = params.section("input_options")
    inputs.choice("selected_input", ["tabular"])
    return Settings(
        scheme=scheme, test_split=test_split, val_split=val_split, primary_scoring=primary,
        header1=inputs.bool("header1", False),
        selector1=ColumnSelector.from_params(inputs.section("column_selector_options_1")),
        header2=inputs.bool("header2", False),
        selector2=ColumnSelector.from_params(inputs.section("column_selector_options_2"),
                                             "selected_column_selector_option2", "col2"),
        save=tuple(params.choices("save", SAVE_OPTIONS)),
    )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with outputs_removed_on_error(args.outfile_result, args.outfile_history, args.outfile_object, args.outfile_y_preds):
        train_and_evaluate(args)


def train_and_evaluate(args: argparse.Namespace) -> None:
    phases = Phases()
    params = Params.from_file(args.inputs)
    settings = read_settings(params)
    params.refuse_unread()
    with phases.phase("reading the tables"):
        table = read_features(args.infile1, settings.header1, settings.selector1, "training samples")
        targets = read_vector(args.infile2, settings.header2, settings.selector2, "class labels / target values")
    if len(table.values) != len(targets):
        raise UserError(f"the samples table has {len(table.values)} rows but the labels table has {len(targets)}")

    wanted_object = args.outfile_object if "save_estimator" in settings.save else None
    wanted_preds = args.outfile_y_preds if "save_prediction" in settings.save else None
    with atomic_outputs(args.outfile_result, args.outfile_history, wanted_object, wanted_preds) as outs:
        with phases.phase("starting TensorFlow and Keras"):
            from galaxy_keras.training import run_experiment
        print(device_line())

        result = run_experiment(args.estimator, table, targets, settings, phases)
        with phases.phase("writing the outputs"):
            write_table(result.scores, outs[0])
            if outs[1] is not None:
                write_table(result.history, outs[1])
            if outs[2] is not None:
                result.save_model(outs[2])
            if outs[3] is not None:
                write_table(result.predictions, outs[3])
    print(result.scores.to_string(index=False))
    print(phases.report(memory=True))


if __name__ == "__main__":
    run_tool(main)
