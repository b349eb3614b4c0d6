#!/usr/bin/env python3
"""Regenerate the test-data files of the raw-text workflows (workflows/imdb-raw-text-sentiment,
workflows/imdb-new-text-prediction).

From the real IMDB reviews in ../shared/data/imdb (see its README):

- ``text_reviews_train_sample.tsv``: 60 raw training reviews (30 positive, 30
  negative, chosen at random with seed 0, in random order), header
  ``id rating label text``, CSV-quoted like the original where a text holds a quote.
- ``text_reviews_test_sample.tsv``: 30 raw test reviews (15 + 15), the same way.

  Reviews whose text holds a tab are left out: the training and visualization
  tools read the ``label`` column of these tables as plain tab-separated text
  (no CSV quoting), so a quoted tab would split a row (12 of the 25,000
  training reviews and 15 of the test reviews hold one).

Hand-written, for the new-text workflow:

- ``text_reviews_new.tsv``: 4 new reviews, header ``id text`` (``<br />`` tags,
  quotes, one text with a quoted tab: the text tool reads CSV quoting).

Made by the tools' own scripts (as the workflows would), a consistent pair for the
new-text workflow's test, kept tiny (< 1 MB each):

- ``text_workflow_vocabulary.json``: the vocabulary learned from the training
  sample (num_words 1000, skip_top 0, maxlen 200).
- ``text_workflow_trained.keras``: Embedding(1000, 4) -> LSTM(4) ->
  Dense(1, sigmoid) on rows of 200 values, trained for 2 epochs on the training
  sample's sequences and its ``label`` column (chosen by header name).
- ``text_workflow_predictions.tsv``: that model's predicted labels of the new
  reviews (Model Prediction's script on the rows the saved vocabulary gives):
  the new-text workflow's test expects exactly these. Training is not exactly
  reproducible on CPU: the script trains again (up to 8 times) until the model
  predicts both labels, none with a probability within 1e-4 of 0.5.

The script checks the pair on the new reviews: the saved vocabulary gives rows
of 200 values, and the trained model predicts one label per review.

    .venv/tools/bin/python scripts/dev/make_workflow_test_data.py
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import tutorial_params as tutorial

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "test-data"
IMDB = ROOT.parent / "shared" / "data" / "imdb"
SCRIPTS = ROOT / "tools"

SEED = 0
TRAIN_PER_CLASS = 30
TEST_PER_CLASS = 15
# The tiny model of the new-text workflow's test.
NUM_WORDS = 1000
MAXLEN = 200
MAX_BYTES = 1_000_000
TRAINING_ATTEMPTS = 8

NEW_REVIEWS = [
    ("new1", "A wonderful film: great acting, a moving story and a perfect ending. I loved every minute of it."),
    ("new2", "Boring and far too long.<br /><br />The plot makes no sense and the acting is terrible."),
    ("new3", 'The "twist" was obvious\tfrom the very first scene; a waste of time and money.'),
    ("new4", "Not bad, not great. The music was beautiful but the second half drags."),
]

TEXT_COLUMN = {"selected_column_selector_option": "by_header_name", "col1": "text"}
LABEL_COLUMN = {"selected_column_selector_option2": "by_header_name", "col2": "label"}


def read_reviews(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", keep_default_na=False, dtype=str)


def write_reviews(table: pd.DataFrame, path: Path) -> None:
    """Tab-separated with a header, quoted where needed (as the IMDB tables); must read back unchanged."""
    table.to_csv(path, sep="\t", index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    assert read_reviews(path).equals(table.reset_index(drop=True)), f"{path.name} does not read back unchanged"


def sample(reviews: pd.DataFrame, per_class: int, rng: np.random.RandomState) -> pd.DataFrame:
    """per_class positive and per_class negative reviews without tabs, in random order."""
    usable = reviews[~reviews["text"].str.contains("\t", regex=False)]
    chosen = []
    for label in ("1", "0"):
        rows = usable.index[usable["label"] == label].to_numpy()
        chosen.extend(rng.choice(rows, per_class, replace=False).tolist())
    return reviews.loc[rng.permutation(chosen)].reset_index(drop=True)


def run(script: str, params: dict, *args: str | Path) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(params, handle)
    try:
        subprocess.run([sys.executable, str(SCRIPTS / script), "--inputs", handle.name, *map(str, args)],
                       check=True, stdout=subprocess.DEVNULL)
    finally:
        os.unlink(handle.name)


def to_sequences(infile: Path, vocabulary: dict, sequences: Path, vocabulary_out: Path,
                 vocabulary_in: Path | None = None) -> None:
    params = {"header1": True, "column_selector_options_1": TEXT_COLUMN, "vocabulary": vocabulary}
    extra = ("--vocabulary-in", vocabulary_in) if vocabulary_in else ()
    run("keras_text_to_sequences.py", params, "--infile1", infile, *extra,
        "--outfile-sequences", sequences, "--outfile-vocabulary", vocabulary_out)


def main() -> None:
    DATA.mkdir(exist_ok=True)
    rng = np.random.RandomState(SEED)
    train = sample(read_reviews(IMDB / "reviews_train.tsv.gz"), TRAIN_PER_CLASS, rng)
    test = sample(read_reviews(IMDB / "reviews_test.tsv.gz"), TEST_PER_CLASS, rng)
    write_reviews(train, DATA / "text_reviews_train_sample.tsv")
    write_reviews(test, DATA / "text_reviews_test_sample.tsv")
    write_reviews(pd.DataFrame(NEW_REVIEWS, columns=["id", "text"]), DATA / "text_reviews_new.tsv")

    vocabulary = DATA / "text_workflow_vocabulary.json"
    model = DATA / "text_workflow_trained.keras"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        to_sequences(DATA / "text_reviews_train_sample.tsv",
                     {"source": "learn", "num_words": NUM_WORDS, "skip_top": 0, "maxlen": MAXLEN},
                     tmp / "train_sequences.tsv", vocabulary)
        run("keras_model_config.py", tutorial.model_config(vocabulary=NUM_WORDS, embedding=4, units=4, length=MAXLEN),
            "--outfile", tmp / "model.json")
        run("keras_model_builder.py", tutorial.builder(epochs=2, batch_size=32, seed=SEED),
            "--model-json", tmp / "model.json", "--outfile", tmp / "built.keras")
        train_params = tutorial.train()
        train_params["input_options"].update(header2=True, column_selector_options_2=LABEL_COLUMN)
        # The pair must work on the new reviews, as in the new-text workflow.
        to_sequences(DATA / "text_reviews_new.tsv", {"source": "saved"}, tmp / "new_sequences.tsv",
                     tmp / "new_vocabulary.json", vocabulary_in=vocabulary)
        rows = np.loadtxt(tmp / "new_sequences.tsv", dtype=np.int64, delimiter="\t", ndmin=2)
        assert rows.shape == (len(NEW_REVIEWS), MAXLEN), rows.shape
        assert 0 < rows.max() < NUM_WORDS, rows.max()

        # Training on CPU is not exactly reproducible. The test compares the predicted labels exactly:
        # keep a model that predicts both labels (a mix-up of rows shows) and none by a hair (~0.5).
        for attempt in range(1, TRAINING_ATTEMPTS + 1):
            run("keras_train_and_eval.py", train_params, "--estimator", tmp / "built.keras",
                "--infile1", tmp / "train_sequences.tsv", "--infile2", DATA / "text_reviews_train_sample.tsv",
                "--outfile-result", tmp / "metrics.tsv", "--outfile-history", tmp / "history.tsv",
                "--outfile-object", tmp / "trained.keras")
            run("model_prediction.py", tutorial.predict("predict"), "--estimator", tmp / "trained.keras",
                "--infile1", tmp / "new_sequences.tsv", "--outfile-predict", tmp / "predictions.tsv")
            run("model_prediction.py", tutorial.predict("predict_proba"), "--estimator", tmp / "trained.keras",
                "--infile1", tmp / "new_sequences.tsv", "--outfile-predict", tmp / "probabilities.tsv")
            predictions = pd.read_csv(tmp / "predictions.tsv", sep="\t")
            assert list(predictions.columns) == ["predicted"] and len(predictions) == len(NEW_REVIEWS), predictions
            margin = (pd.read_csv(tmp / "probabilities.tsv", sep="\t")["probability_1"] - 0.5).abs().min()
            print(f"training {attempt}: predicted labels {predictions['predicted'].tolist()}, "
                  f"closest probability {margin:.1e} from 0.5")
            if predictions["predicted"].nunique() == 2 and margin > 1e-4:
                break
        else:
            raise SystemExit(f"no model in {TRAINING_ATTEMPTS} trainings predicts both labels clearly: run again")
        shutil.copyfile(tmp / "trained.keras", model)
        shutil.copyfile(tmp / "predictions.tsv", DATA / "text_workflow_predictions.tsv")
        print(f"metrics of the tiny model (held-out rows of the training sample):\n{(tmp / 'metrics.tsv').read_text()}")

    for name in ("text_reviews_train_sample.tsv", "text_reviews_test_sample.tsv", "text_reviews_new.tsv",
                 "text_workflow_vocabulary.json", "text_workflow_trained.keras", "text_workflow_predictions.tsv"):
        size = (DATA / name).stat().st_size
        assert size < MAX_BYTES, f"{name} is {size:,} bytes"
        print(f"{size:>9,}  {name}")


if __name__ == "__main__":
    main()
