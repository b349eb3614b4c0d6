#!/usr/bin/env python
"""Create deep learning model: model JSON + compile and fit settings -> a .keras file.

Galaxy tool ``keras_model_builder``. The output is a compiled, untrained Keras
model that ``keras.saving.load_model`` opens; the fit settings (epochs, batch
size, validation split, callbacks, seed) and classifier/regressor travel with
it in the archive member ``galaxy_keras.json``.
"""

from __future__ import annotations

import argparse
from typing import Any

from galaxy_keras.compile_catalog import (CALLBACKS, CSV_LOGGER, FIT_FIELDS, LOSS_ALIASES, LOSSES, METRIC_ALIASES,
                                          METRICS, NO_METRIC, OPTIMIZERS, REGRESSION_LOSSES, SEED,
                                          legacy_learning_rate)
from galaxy_keras.errors import UserError, atomic_outputs, outputs_removed_on_error, run_tool, shown
from galaxy_keras.fields import parse_fields
from galaxy_keras.outcome_first import outcome_first
from galaxy_keras.model_checks import read_model_config
from galaxy_keras.params import Params

LEARNING_TYPES = {"KerasGClassifier": "classifier", "KerasGRegressor": "regressor"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", required=True, help="the tool's parameters (JSON written by Galaxy)")
    parser.add_argument("--model-json", required=True, help="model architecture from keras_model_config")
    parser.add_argument("--outfile", required=True, help="where to write the .keras model")
    return parser.parse_args(argv)


def read_compile_settings(params: Params) -> dict[str, Any]:
    """Loss, optimizer and metrics; Galaxy-ML's Keras 2 names become the Keras 3 ones of the same meaning."""
    optimizer = params.section("optimizer_selection")
    name = optimizer.choice("optimizer_type", OPTIMIZERS)
    options: dict[str, Any] = {}
    if optimizer.has("optimizer_options"):
        section = optimizer.section("optimizer_options")
        options = parse_fields(OPTIMIZERS[name][1], section)
        legacy_learning_rate(section, options, "mode_selection|compile_params|optimizer_selection|optimizer_options")
    loss = params.choice("loss", (*LOSSES, *LOSS_ALIASES))
    metrics = [METRIC_ALIASES.get(metric, metric)
               for metric in params.choices("metrics", (*METRICS, *METRIC_ALIASES, NO_METRIC)) if metric != NO_METRIC]
    return {"loss": LOSS_ALIASES.get(loss, loss), "optimizer": name, "optimizer_options": options,
            "metrics": list(dict.fromkeys(metrics))}


def read_fit_settings(params: Params, seed: int | None) -> dict[str, Any]:
    callbacks = []
    for entry in params.repeat("callbacks"):
        selection = entry.section("callback_selection")
        kind = selection.choice("callback_type", ["None", *CALLBACKS])
        if kind == CSV_LOGGER:
            print("Note: CSVLogger: 'Deep learning training and evaluation' always writes the per-epoch log "
                  "(its training history output); nothing to store in the model")
        elif kind != "None":
            callbacks.append({"type": kind, **parse_fields(CALLBACKS[kind][1], selection)})
    return {**parse_fields(FIT_FIELDS, params), "callbacks": callbacks, "random_seed": seed}


def check_callbacks(fit: dict[str, Any]) -> None:
    for callback in fit["callbacks"]:
        if str(callback.get("monitor", "")).startswith("val_") and not fit["validation_split"]:
            raise UserError(f"the {callback['type']} callback monitors '{shown(callback['monitor'])}', which needs a "
                            f"validation split above 0 (Fit Parameters > validation_split)")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with outputs_removed_on_error(args.outfile), outcome_first() as first:
        first += build(args)


def settings_lines(learning_type: str, compile_settings: dict[str, Any], learning_rate: float | None,
                   fit: dict[str, Any]) -> list[str]:
    """What the model will train with, in two short lines (Galaxy shows 255 characters of stdout)."""
    rate = f" (learning rate {learning_rate:.4g})" if learning_rate is not None else ""
    metrics = ", ".join(compile_settings["metrics"]) or "none"
    seed = fit["random_seed"] if fit["random_seed"] is not None else "none (0 is used)"
    callbacks = ", ".join(callback["type"] for callback in fit["callbacks"]) or "none"
    return [f"{learning_type}: loss {compile_settings['loss']}, optimizer {compile_settings['optimizer']}{rate}, "
            f"metrics {metrics}",
            f"fit: epochs {fit['epochs']}, batch size {fit['batch_size']}, validation split {fit['validation_split']}, "
            f"random seed {seed}, callbacks {callbacks}"]


def learning_rate_of(optimizer: Any) -> float | None:
    """The optimizer's learning rate as it will train (the default where none was given); None for a schedule."""
    try:
        return float(optimizer.learning_rate.numpy())
    except (AttributeError, TypeError, ValueError):
        return None


def build(args: argparse.Namespace) -> list[str]:
    params = Params.from_file(args.inputs)
    mode = params.section("mode_selection")
    mode.choice("mode_type", ["train_model"])
    learning_type = LEARNING_TYPES[mode.choice("learning_type", LEARNING_TYPES)]
    compile_settings = read_compile_settings(mode.section("compile_params"))
    fit = read_fit_settings(mode.section("fit_params"), SEED.parse(mode))
    check_callbacks(fit)
    params.refuse_unread()
    # Checked before Keras is imported: a file that is not a model, or names code, fails without TensorFlow's start-up.
    config = read_model_config(args.model_json)
    if learning_type == "classifier" and compile_settings["loss"] in REGRESSION_LOSSES:
        print(f"Note: a classifier trained with the regression loss {compile_settings['loss']}")

    with atomic_outputs(args.outfile) as (outfile,):
        from galaxy_keras.compile_catalog import make_metric, make_optimizer
        from galaxy_keras.keras_env import keras
        from galaxy_keras.model_io import ModelMeta, build_model, save_model
        from galaxy_keras.splitting import DEFAULT_SEED

        # The initial weights are drawn here, when the model is built: seed them too,
        # so that the same settings give the same built (and later trained) model.
        model = build_model(config, "the model configuration",
                            seed=fit["random_seed"] if fit["random_seed"] is not None else DEFAULT_SEED,
                            batch_size=fit["batch_size"])
        model.compile(loss=compile_settings["loss"],
                      optimizer=make_optimizer(keras, compile_settings["optimizer"],
                                               compile_settings["optimizer_options"]),
                      metrics=[make_metric(keras, name) for name in compile_settings["metrics"]])
        save_model(model, outfile, ModelMeta(learning_type=learning_type, fit=fit))
    print(f"optimizer options: {compile_settings['optimizer_options']}")
    print(f"fit settings: {fit}")
    return settings_lines(learning_type, compile_settings, learning_rate_of(model.optimizer), fit)

if __name__ == "__main__":
    run_tool(main)
