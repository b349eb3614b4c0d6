#!/usr/bin/env python3
"""Exactness check on the full IMDB data (too large for CI): raw reviews -> the tutorial's tables.

Runs the "Text to padded integer sequences" tool's script, as Galaxy would, on
``../shared/data/imdb/reviews_train.tsv.gz`` and ``reviews_test.tsv.gz`` with the
Keras IMDB word index and the tutorial's settings (num_words 10000, skip_top 50,
start 1, OOV 2, index_from 3, maxlen 500, 'pre' padding and truncation), and
compares the rows with ``tutorial/X_train.tsv.gz`` / ``X_test.tsv.gz`` as
multisets (the tutorial tables are shuffled; the raw reviews are in file order).
Also compares the multisets of (row, label) pairs with ``y_train`` / ``y_test``.
Prints counts, mismatches and timings; exits 1 unless everything is equal.

    .venv/tools/bin/python scripts/dev/verify_imdb_sequences.py [--imdb DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "keras_text_to_sequences.py"
PARAMS = {
    "header1": True,
    "column_selector_options_1": {"selected_column_selector_option": "by_header_name", "col1": "text"},
    "vocabulary": {"source": "word_index", "num_words": 10000, "skip_top": 50, "maxlen": 500,
                   "advanced": {"padding": "pre", "truncating": "pre", "start_char": 1, "oov_char": 2,
                                "index_from": 3, "lowercase": "ascii", "html_line_breaks": "word"}},
}


def gunzip(source: Path, target: Path) -> Path:
    with gzip.open(source, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


def read_ints(path: Path) -> np.ndarray:
    return pd.read_csv(path, sep="\t", header=None, dtype=np.int64).to_numpy()


def check_split(split: str, imdb: Path, tmp: Path, word_index: Path) -> bool:
    reviews = gunzip(imdb / f"reviews_{split}.tsv.gz", tmp / f"reviews_{split}.tsv")
    sequences, vocabulary = tmp / f"{split}_sequences.tsv", tmp / f"{split}_vocabulary.json"
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(SCRIPT), "--inputs", str(tmp / "inputs.json"),
                             "--infile1", str(reviews), "--vocabulary-in", str(word_index),
                             "--outfile-sequences", str(sequences), "--outfile-vocabulary", str(vocabulary)],
                            capture_output=True, text=True)
    tool_seconds = time.perf_counter() - started
    print(f"[{split}] tool: exit {result.returncode} in {tool_seconds:.1f} s (wall, including Python start-up)")
    for line in (result.stdout + result.stderr).strip().splitlines():
        print(f"[{split}]   {line}")
    if result.returncode != 0:
        return False

    started = time.perf_counter()
    produced = read_ints(sequences)
    labels = pd.read_csv(reviews, sep="\t", keep_default_na=False, usecols=["label"])["label"].to_numpy()
    expected = read_ints(imdb / "tutorial" / f"X_{split}.tsv.gz")
    expected_labels = read_ints(imdb / "tutorial" / f"y_{split}.tsv.gz")[:, 0]
    print(f"[{split}] produced {produced.shape[0]} x {produced.shape[1]}, tutorial X_{split} "
          f"{expected.shape[0]} x {expected.shape[1]}")
    if produced.shape != expected.shape:
        print(f"[{split}] FAIL: shapes differ")
        return False

    ours, theirs = Counter(map(tuple, produced.tolist())), Counter(map(tuple, expected.tolist()))
    only_ours, only_theirs = ours - theirs, theirs - ours
    print(f"[{split}] distinct rows: produced {len(ours)}, tutorial {len(theirs)}; "
          f"rows only in produced: {sum(only_ours.values())}, only in tutorial: {sum(only_theirs.values())}")
    for row in list(only_ours)[:3]:
        line = int(np.flatnonzero((produced == np.array(row)).all(axis=1))[0])
        print(f"[{split}]   e.g. review on line {line + 2} of reviews_{split}.tsv has no match; "
              f"its last values: {list(row[-12:])}")

    pairs = Counter(zip(map(tuple, produced.tolist()), labels.tolist()))
    expected_pairs = Counter(zip(map(tuple, expected.tolist()), expected_labels.tolist()))
    label_mismatches = sum((pairs - expected_pairs).values())
    print(f"[{split}] (row, label) pairs only in produced: {label_mismatches}")
    print(f"[{split}] comparison in {time.perf_counter() - started:.1f} s")
    equal = not only_ours and not only_theirs and label_mismatches == 0
    print(f"[{split}] {'EQUAL' if equal else 'DIFFERENT'}: {produced.shape[0]} rows as multisets")
    return equal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--imdb", type=Path, default=ROOT.parent / "shared" / "data" / "imdb",
                        help="folder with reviews_*.tsv.gz, imdb_word_index.json.gz and tutorial/")
    parser.add_argument("--splits", default="train,test", help="comma-separated: train, test")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "inputs.json").write_text(json.dumps(PARAMS))
        word_index = gunzip(args.imdb / "imdb_word_index.json.gz", tmp / "imdb_word_index.json")
        results = {split: check_split(split, args.imdb, tmp, word_index) for split in args.splits.split(",")}
    print(f"total {time.perf_counter() - started:.1f} s; "
          + ", ".join(f"{split}: {'equal' if ok else 'NOT equal'}" for split, ok in results.items()))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
