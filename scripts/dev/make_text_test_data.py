#!/usr/bin/env python3
"""Regenerate the test-data/text_* files of the "Text to padded integer sequences" tool.

From the real IMDB data in ../shared/data/imdb (see its README):

- ``text_reviews.tsv``: 30 raw training reviews (header ``id rating label text``,
  CSV-quoted like the original): 26 chosen at random (seed 0) plus one review
  longer than 500 words (truncation), one with upper-case non-ASCII words of the
  word index ("Ángela": only A-Z is lower-cased), one with no-break spaces and
  one with U+0085 characters (neither splits words).
- ``text_word_index.json``: the Keras IMDB word index reduced to the words of
  those reviews, with their real ranks: the same sequences as the full index.
- ``text_expected_rows.tsv``: the 30 rows of the tutorial's X_train for those
  reviews, computed here by a separate, deliberately plain implementation of
  the README's recipe and checked to be rows of the real X_train; the tool's
  script (with the full and with the reduced index) must give exactly these.

Small hand-made files: ``text_small.tsv`` (punctuation, ``<br />``, non-ASCII,
an empty text, CSV quotes), ``text_small_sequences.tsv`` and
``text_small_vocabulary.json`` (the tool's output on it with a learned vocabulary
and maxlen 12; tests/test_text_sequences.py checks them against hand-written
values), and bad inputs (``text_bad_vocabulary.json``: maxlen 0).

    .venv/tools/bin/python scripts/dev/make_text_test_data.py
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "test-data"
IMDB = ROOT.parent / "shared" / "data" / "imdb"
SCRIPT = ROOT / "tools" / "keras_text_to_sequences.py"
FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
IMDB_SETTINGS = {"num_words": 10000, "skip_top": 50, "maxlen": 500,
                 "advanced": {"padding": "pre", "truncating": "pre", "start_char": 1, "oov_char": 2,
                              "index_from": 3, "lowercase": "ascii", "html_line_breaks": "word"}}
SMALL_TEXTS = [
    ("r1", "The film was great!<br /><br />Great acting; GREAT fun."),
    ("r2", "Naïve, but ÉMILE is great… really great"),
    ("r3", ""),
    ("r4", 'He said "great" twice, then left'),
]


# --- the README's recipe, written as plainly as possible (independent of galaxy_keras) -------------
def reference_words(text: str) -> list[str]:
    lowered = "".join(char.lower() if "A" <= char <= "Z" else char for char in text)
    spaced = re.sub("[" + re.escape(FILTERS) + "]", " ", lowered)
    return [word for word in spaced.split(" ") if word != ""]


def reference_row(text: str, word_index: dict[str, int]) -> list[int]:
    sequence = [1] + [word_index[word] + 3 for word in reference_words(text) if word in word_index]
    sequence = [value if 50 <= value < 10000 else 2 for value in sequence]
    sequence = sequence[-500:]
    return [0] * (500 - len(sequence)) + sequence


# --- helpers ----------------------------------------------------------------------------------------
def run_tool(params: dict, infile: Path, vocabulary: Path | None, sequences: Path, vocabulary_out: Path) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(params, handle)
    args = [sys.executable, str(SCRIPT), "--inputs", handle.name, "--infile1", str(infile),
            "--outfile-sequences", str(sequences), "--outfile-vocabulary", str(vocabulary_out)]
    if vocabulary is not None:
        args += ["--vocabulary-in", str(vocabulary)]
    try:
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    finally:
        os.unlink(handle.name)


def pick_reviews(reviews: pd.DataFrame) -> list[int]:
    rng = np.random.RandomState(0)
    chosen = sorted(rng.choice(len(reviews), 26, replace=False).tolist())
    words = reviews["text"].map(reference_words)
    specials = [
        int(words.map(len).gt(500).idxmax()),  # longer than maxlen
        int(reviews.index[reviews["text"].str.contains("Ángela")][0]),  # "Ángela" is a word of the index
        int(reviews.index[reviews["text"].str.contains("\xa0")][0]),  # no-break space
        int(reviews.index[reviews["text"].str.contains("\x85")][0]),  # U+0085 (NEL)
    ]
    for index in specials:
        if index not in chosen:
            chosen.append(index)
    assert len(chosen) == 30, chosen
    return chosen


def main() -> None:
    DATA.mkdir(exist_ok=True)
    reviews = pd.read_csv(IMDB / "reviews_train.tsv.gz", sep="\t", keep_default_na=False, dtype=str)
    with gzip.open(IMDB / "imdb_word_index.json.gz", "rt", encoding="utf-8") as handle:
        full_index = json.load(handle)
    sample = reviews.iloc[pick_reviews(reviews)]
    sample.to_csv(DATA / "text_reviews.tsv", sep="\t", index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    assert pd.read_csv(DATA / "text_reviews.tsv", sep="\t", keep_default_na=False, dtype=str).equals(
        sample.reset_index(drop=True)), "the sample does not read back unchanged"

    words = {word for text in sample["text"] for word in reference_words(text)}
    reduced = {word: rank for word, rank in sorted(full_index.items(), key=lambda item: item[1]) if word in words}
    (DATA / "text_word_index.json").write_text(json.dumps(reduced, ensure_ascii=False, indent=0) + "\n",
                                               encoding="utf-8")

    expected = np.array([reference_row(text, full_index) for text in sample["text"]])
    tutorial = pd.read_csv(IMDB / "tutorial" / "X_train.tsv.gz", sep="\t", header=None).to_numpy()
    members = Counter(map(tuple, tutorial.tolist()))
    missing = [i for i, row in enumerate(map(tuple, expected.tolist())) if members[row] == 0]
    assert not missing, f"reference rows not in the tutorial's X_train: sample rows {missing}"
    np.savetxt(DATA / "text_expected_rows.tsv", expected, fmt="%d", delimiter="\t")

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "full.json").write_text(json.dumps(full_index), encoding="utf-8")
        params = {"header1": True, "column_selector_options_1": {"selected_column_selector_option": "by_index_number",
                                                                 "col1": "4"},
                  "vocabulary": {"source": "word_index", **IMDB_SETTINGS}}
        for index in ("full.json", DATA / "text_word_index.json"):
            run_tool(params, DATA / "text_reviews.tsv", tmp / index, tmp / "rows.tsv", tmp / "vocabulary.json")
            produced = np.loadtxt(tmp / "rows.tsv", dtype=np.int64, delimiter="\t")
            assert (produced == expected).all(), f"the tool's rows differ from the reference ({index})"

    (DATA / "text_small.tsv").write_text("".join(
        f"{key}\t" + (f'"{text.replace(chr(34), chr(34) * 2)}"' if '"' in text else text) + "\n"
        for key, text in SMALL_TEXTS), encoding="utf-8")
    small = {"header1": False, "column_selector_options_1": {"selected_column_selector_option": "by_index_number",
                                                             "col1": "2"},
             "vocabulary": {"source": "learn", "maxlen": 12}}
    run_tool(small, DATA / "text_small.tsv", None, DATA / "text_small_sequences.tsv",
             DATA / "text_small_vocabulary.json")

    (DATA / "text_empty.tsv").write_text("")
    (DATA / "text_bad_word_index.json").write_text('{"the": 1, "movie": -3}\n')
    bad = json.loads((DATA / "text_small_vocabulary.json").read_text(encoding="utf-8"))
    bad["settings"]["maxlen"] = 0
    (DATA / "text_bad_vocabulary.json").write_text(json.dumps(bad, ensure_ascii=False, indent=1) + "\n",
                                                   encoding="utf-8")
    for path in sorted(DATA.glob("text_*")):
        print(f"{path.stat().st_size:>9,}  {path.name}")


if __name__ == "__main__":
    main()
