#!/usr/bin/env python3
"""Regenerate test-data/: small IMDB samples, model files and bad-input fixtures.

Samples come from the tutorial tables in ../shared/data/imdb/tutorial (the
first rows; the tables are already shuffled). Model files are made by the
tools' own scripts, so the fixtures are exactly what the tools produce.

    .venv/tools/bin/python scripts/dev/make_test_data.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import tutorial_params as tutorial

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "test-data"
SCRIPTS = ROOT / "tools"


def run(script: str, params: dict, *args: str) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(params, handle)
    try:
        subprocess.run([sys.executable, str(SCRIPTS / script), "--inputs", handle.name, *args], check=True,
                       stdout=subprocess.DEVNULL)
    finally:
        os.unlink(handle.name)


def main() -> None:
    DATA.mkdir(exist_ok=True)
    for name, rows in (("X_train", 120), ("y_train", 120), ("X_test", 40), ("y_test", 40)):
        tutorial.sample_table(f"{name}.tsv.gz", rows, DATA).rename(DATA / f"imdb_{name}_sample.tsv")
    labels = (DATA / "imdb_y_train_sample.tsv").read_text().split()
    (DATA / "imdb_labels_named.tsv").write_text(
        "review\tsentiment\n" + "".join(f"r{i + 1}\t{'positive' if v == '1' else 'negative'}\n"
                                         for i, v in enumerate(labels)))

    run("keras_model_config.py", tutorial.model_config(), "--outfile", str(DATA / "tutorial_model.json"))
    run("keras_model_config.py", tutorial.model_config(embedding=4, units=4), "--outfile",
        str(DATA / "tiny_lstm_model.json"))
    run("keras_model_config.py", tutorial.sequential("(4,)", tutorial.layer("Dense", units=8, activation="relu"),
                                                     tutorial.layer("Dense", units=1)),
        "--outfile", str(DATA / "regression_model.json"))
    build = tutorial.builder(epochs=2, batch_size=32, seed=1)
    run("keras_model_builder.py", build, "--model-json", str(DATA / "tiny_lstm_model.json"),
        "--outfile", str(DATA / "tiny_lstm_built.keras"))
    train = tutorial.train()
    with tempfile.TemporaryDirectory() as tmp:
        run("keras_train_and_eval.py", train, "--estimator", str(DATA / "tiny_lstm_built.keras"),
            "--infile1", str(DATA / "imdb_X_train_sample.tsv"), "--infile2", str(DATA / "imdb_y_train_sample.tsv"),
            "--outfile-result", f"{tmp}/metrics.tsv", "--outfile-history", str(DATA / "tiny_lstm_history.tsv"),
            "--outfile-object", str(DATA / "tiny_lstm_trained.keras"))
    for method, name in (("predict", "tiny_lstm_predictions.tsv"), ("predict_proba", "tiny_lstm_probabilities.tsv")):
        run("model_prediction.py", tutorial.predict(method),
            "--estimator", str(DATA / "tiny_lstm_trained.keras"), "--infile1", str(DATA / "imdb_X_test_sample.tsv"),
            "--outfile-predict", str(DATA / name))

    # Bad inputs.
    sys.path.insert(0, str(SCRIPTS))
    from galaxy_keras.keras_env import keras

    lam = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda x: x * 2)])
    lam.save(DATA / "lambda_model.keras")
    built = (DATA / "tiny_lstm_built.keras").read_bytes()
    (DATA / "corrupt_model.keras").write_bytes(built[: len(built) // 3])
    config = json.loads((DATA / "regression_model.json").read_text())
    config["config"]["layers"][1]["module"] = "os"
    config["config"]["layers"][1]["class_name"] = "system"
    (DATA / "malicious_module_model.json").write_text(json.dumps(config, indent=2) + "\n")
    (DATA / "not_a_model.json").write_text('{"name": "a JSON object that is not a model"}\n')
    (DATA / "non_numeric.tsv").write_text("1\t2\t3\n4\t5\tabc\n")
    (DATA / "ragged.tsv").write_text("1\t2\t3\n4\t5\n6\t7\t8\n")
    (DATA / "labels_true_text.tsv").write_text("animal\ncat\ncat\ncat\ndog\ndog\nbird\n")
    (DATA / "labels_predicted_text.tsv").write_text("predicted\ncat\ncat\ncat\ncat\ndog\nbird\n")
    for path in sorted(DATA.iterdir()):
        print(f"{path.stat().st_size:>9,}  {path.name}")


if __name__ == "__main__":
    main()
