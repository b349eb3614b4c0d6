#!/usr/bin/env python
"""Deep learning training and evaluation: fit a built model on a table, score it on held-out rows.

Galaxy tool ``keras_train_and_eval``. Schemes:
* train_val: hold out ``test_size`` of the rows (seeded shuffle, stratified,
  group or ordered split), train on the rest, score the held-out rows. The
  model's own validation split (for val_ metrics and early stopping) comes
  from the training rows only.
* train_val_test: hold out a test part, then a validation part from the rest;
  train with that validation data (early stopping, val_ metrics) and score
  the validation and the test rows separately.
Rows used for validation or early stopping are never the rows scored as test.
The parameters are Galaxy-ML's (keras_train_and_eval 1.0.11), so that its
workflows run unchanged; what these tools cannot do is refused by name.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from galaxy_keras.device import line as device_line
from galaxy_keras.errors import UserError, atomic_outputs, outputs_removed_on_error, run_tool
from galaxy_keras.galaxy_metadata import write_column_names
from galaxy_keras.hyperparams import Swap, read_swaps
from galaxy_keras.label_tables import Targets, read_targets
from galaxy_keras.model_checks import check_model_file
from galaxy_keras.model_data import FeatureTable, plain, read_features, read_sparse_features
from galaxy_keras.outcome_first import outcome_first
from galaxy_keras.params import Params
from galaxy_keras.run_summary import summary_lines
from galaxy_keras.scoring import check_score_name
from galaxy_keras.splitting import SplitSettings
from galaxy_keras.tables import ColumnSelector, read_vector, write_table
from galaxy_keras.timing import Phases

SCHEMES = ("train_val", "train_val_test")
# save_estimator: the trained model; save_prediction: the held-out predictions and true labels;
# save_csvlogger: Galaxy-ML's "show the CSVLogger history" (the training history is always written);
# save_hdf5: the trained model in HDF5 format instead of a .keras archive; save_report: the HTML report.
SAVE_OPTIONS = ("save_estimator", "save_prediction", "save_csvlogger", "save_hdf5", "save_report")
# The tool's output names (its XML) of the tables written with a header row, as galaxy.json names them.
TABLE_OUTPUTS = ("outfile_result", "outfile_history", "outfile_y_preds", "outfile_y_true")
INPUT_TYPES = ("tabular", "sparse", "seq_fasta", "refseq_and_interval")
# Galaxy-ML's inputs for its batch-generator models (keras_batch_models), which these tools do not make.
REFUSED_INPUTS = {
    "seq_fasta": "sequences in a fasta file, one-hot encoded by a Galaxy-ML batch-generator model",
    "refseq_and_interval": "a reference genome and intervals, read by a Galaxy-ML batch-generator model",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", required=True, help="the tool's parameters (JSON written by Galaxy)")
    parser.add_argument("--estimator", required=True, help="built model (.keras) from keras_model_builder")
    parser.add_argument("--infile1", help="training samples (features): a table, or a Matrix Market file")
    parser.add_argument("--infile2", required=True, help="class labels (one column or one-hot) or target values")
    parser.add_argument("--groups", help="table with the groups column (test_split shuffle 'group')")
    parser.add_argument("--outfile-result", required=True, help="metrics table")
    parser.add_argument("--outfile-history", help="per-epoch history table")
    parser.add_argument("--outfile-object", help="trained model (.keras)")
    parser.add_argument("--outfile-y-preds", help="held-out predictions table")
    parser.add_argument("--outfile-y-true", help="true labels of the last held-out part (Galaxy-ML's layout)")
    parser.add_argument("--outfile-report", help="HTML report: learning curves, held-out metrics and plots")
    parser.add_argument("--galaxy-metadata", help="where to write the column names of the tables for Galaxy "
                                                  "(its galaxy.json)")
    return parser.parse_args(argv)


@dataclass(frozen=True)
class GroupsSettings:
    header: bool
    selector: ColumnSelector


@dataclass(frozen=True)
class Settings:
    scheme: str
    test_split: SplitSettings
    val_split: SplitSettings | None
    primary_scoring: str
    input_type: str
    header1: bool
    selector1: ColumnSelector
    header2: bool
    selector2: ColumnSelector
    save: tuple[str, ...]
    secondary_scoring: tuple[str, ...] = ()
    swaps: tuple[Swap, ...] = ()
    groups: GroupsSettings | None = None
    save_format: str = "keras"  # "h5" when the form asks for the HDF5 model file


def read_scoring(params: Params) -> tuple[str, tuple[str, ...]]:
    scoring = params.section("metrics|scoring", {})
    primary = scoring.str("primary_scoring", "default") or "default"
    if primary != "default":
        check_score_name(primary, "primary_scoring")
    return primary, tuple(_secondary(scoring, primary))


def _secondary(scoring: Params, primary: str) -> list[str]:
    """Galaxy-ML's multi-metric list: a list, or (older forms) comma-separated text; the primary is not repeated."""
    value = scoring.raw("secondary_scoring", None)
    if value in (None, "", "None"):
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise UserError("parameter 'experiment_schemes|metrics|scoring|secondary_scoring' must be a list of names")
    names = list(dict.fromkeys(item.strip() for item in items if item.strip() and item.strip() != primary))
    for name in names:
        check_score_name(name, "secondary_scoring")
    return names


def read_groups(split: Params) -> GroupsSettings | None:
    if not split.has("groups_selector"):
        return None
    groups = split.section("groups_selector")
    return GroupsSettings(groups.bool("header_g", False),
                          ColumnSelector.from_params(groups.section("column_selector_options_g"),
                                                     "selected_column_selector_option_g", "col_g"))


def read_settings(params: Params) -> Settings:
    scheme_params = params.section("experiment_schemes")
    scheme = scheme_params.choice("selected_exp_scheme", SCHEMES)
    test_params = scheme_params.section("test_split|split_algos")
    test_split = SplitSettings.from_params(test_params, "test_split")
    groups = read_groups(test_params) if test_split.shuffle == "group" else None
    val_split = SplitSettings.from_params(scheme_params.section("val_split|split_algos"), "val_split") \
        if scheme == "train_val_test" else None
    primary, secondary = read_scoring(scheme_params)
    swaps = read_swaps(scheme_params.section("hyperparams_swapping", {}))
    inputs = params.section("input_options")
    input_type = inputs.choice("selected_input", INPUT_TYPES)
    if input_type in REFUSED_INPUTS:
        raise UserError(f"parameter 'input_options|selected_input' is '{input_type}' ({REFUSED_INPUTS[input_type]}, "
                        f"made by Galaxy-ML's 'keras_batch_models'); these tools train on a table or a sparse matrix "
                        f"of numbers")
    save = tuple(params.choices("save", SAVE_OPTIONS))
    return Settings(
        scheme=scheme, test_split=test_split, val_split=val_split, primary_scoring=primary, input_type=input_type,
        header1=inputs.bool("header1", False) if input_type == "tabular" else False,
        selector1=ColumnSelector.from_params(inputs.section("column_selector_options_1"))
        if input_type == "tabular" else ColumnSelector(),
        header2=inputs.bool("header2", False),
        selector2=ColumnSelector.from_params(inputs.section("column_selector_options_2"),
                                             "selected_column_selector_option2", "col2"),
        save=save, secondary_scoring=secondary, swaps=tuple(swaps), groups=groups,
        save_format="h5" if "save_hdf5" in save else "keras",
    )


def read_samples(path: str | None, settings: Settings) -> FeatureTable:
    if path is None:
        raise UserError("no training samples dataset (--infile1) was given")
    if settings.input_type == "sparse":
        return read_sparse_features(path, "training samples matrix")
    return read_features(path, settings.header1, settings.selector1, "training samples")


def read_group_column(path: str | None, settings: Settings, n_rows: int) -> np.ndarray | None:
    """The groups of the rows, as text, for test_split (and val_split) shuffle 'group'."""
    if settings.groups is None:
        if settings.val_split is not None and settings.val_split.shuffle == "group":
            raise UserError("val_split: the splitting method 'group' needs the groups table, which the test split "
                            "takes: choose 'group' for test_split too")
        return None
    if path is None:
        raise UserError("test_split: the splitting method 'group' needs the groups table (--groups)")
    column = read_vector(path, settings.groups.header, settings.groups.selector, "groups")
    if len(column) != n_rows:
        raise UserError(f"the samples table has {n_rows} rows but the groups table has {len(column)}")
    return np.array([str(plain(value)) for value in column.tolist()], dtype=object)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with outputs_removed_on_error(args.outfile_result, args.outfile_history, args.outfile_object, args.outfile_y_preds,
                                  args.outfile_y_true, args.outfile_report, args.galaxy_metadata):
        train_and_evaluate(args)


def train_and_evaluate(args: argparse.Namespace) -> None:
    with outcome_first() as first:
        phases = Phases()
        params = Params.from_file(args.inputs)
        settings = read_settings(params)
        params.refuse_unread()
        with phases.phase("reading the tables"):
            table = read_samples(args.infile1, settings)
            targets: Targets = read_targets(args.infile2, settings.header2, settings.selector2,
                                            "class labels / target values")
            groups = read_group_column(args.groups, settings, len(table.values))
        if len(table.values) != len(targets):
            raise UserError(f"the samples table has {len(table.values)} rows but the labels table has "
                            f"{len(targets)}")
        # A broken or hostile model file fails here, before TensorFlow's seconds of start-up (load_model
        # checks it again).
        with phases.phase("checking the model file"):
            check_model_file(args.estimator)
        result = train_and_write(args, settings, table, targets, groups, phases)
        first += summary_lines(result.history, result.scores, result.planned_epochs, result.trained_with)
        print(result.scores.to_string(index=False))
        print(phases.report(memory=True))


def train_and_write(args: argparse.Namespace, settings: Settings, table: FeatureTable, targets: Targets,
                    groups: np.ndarray | None, phases: Phases):
    """Train, then write every output asked for; returns the training's ExperimentResult."""
    wanted_object = args.outfile_object if {"save_estimator", "save_hdf5"} & set(settings.save) else None
    wanted_preds = args.outfile_y_preds if "save_prediction" in settings.save else None
    wanted_true = args.outfile_y_true if "save_prediction" in settings.save else None
    wanted_report = args.outfile_report if "save_report" in settings.save else None
    with atomic_outputs(args.outfile_result, args.outfile_history, wanted_object, wanted_preds, wanted_true,
                        wanted_report, args.galaxy_metadata) as outs:
        with phases.phase("starting TensorFlow and Keras"):
            from galaxy_keras.training import run_experiment
        print(device_line())

        result = run_experiment(args.estimator, table, targets, settings, phases, groups)
        with phases.phase("writing the outputs"):
            tables = dict(zip(TABLE_OUTPUTS, (result.scores, result.history, result.predictions, result.y_true)))
            written = dict(zip(TABLE_OUTPUTS, (outs[0], outs[1], outs[3], outs[4])))
            for name, path in written.items():
                if path is not None:
                    write_table(tables[name], path)
            if outs[2] is not None:
                result.save_model(outs[2])
            if outs[5] is not None:
                from galaxy_keras.training_report import report_html

                Path(outs[5]).write_text(report_html(result.history, result.scores, result.predictions,
                                                     result.learning_type, result.classes), encoding="utf-8")
            if outs[6] is not None:
                write_column_names(outs[6], {name: list(tables[name].columns) for name, path in written.items()
                                             if path is not None})
    return result


if __name__ == "__main__":
    run_tool(main)
