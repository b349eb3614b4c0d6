#!/usr/bin/env python
"""Create a deep learning model architecture: form parameters -> Keras model JSON.

Galaxy tool ``keras_model_config``. The output loads with
``keras.models.model_from_json`` and feeds "Create deep learning model".
"""

from __future__ import annotations

import argparse
import json

from galaxy_keras.errors import atomic_outputs, outputs_removed_on_error, run_tool
from galaxy_keras.outcome_first import outcome_first
from galaxy_keras.params import Params


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", required=True, help="the tool's parameters (JSON written by Galaxy)")
    parser.add_argument("--outfile", required=True, help="where to write the model JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with outputs_removed_on_error(args.outfile), outcome_first() as first, atomic_outputs(args.outfile) as (outfile,):
        params = Params.from_file(args.inputs)
        from galaxy_keras.architecture import build_model  # imports Keras: after argument checks
        from galaxy_keras.model_io import check_parameter_count
        from galaxy_keras.model_outline import outline

        check_parameter_count(lambda: build_model(params), "the model")
        params.refuse_unread()  # the counting build has read every layer's settings
        notes: list[str] = []  # kwargs left out or overridden: said, never silently dropped
        model = build_model(params, notes)
        outfile.write_text(json.dumps(json.loads(model.to_json()), indent=2) + "\n", encoding="utf-8")
        for note in notes:
            print(f"Note: {note}")
        model.summary(print_fn=lambda line, **_: print(line))
        first += outline(model)


if __name__ == "__main__":
    run_tool(main)
