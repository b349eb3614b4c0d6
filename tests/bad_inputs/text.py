"""Text to padded integer sequences (keras_text_to_sequences)."""

from __future__ import annotations

import json
from typing import Any

from bad_inputs import Case
from bad_inputs.common import D, written

SCRIPT = "keras_text_to_sequences"
OUT = ["--outfile-sequences", "--outfile-vocabulary"]
SMALL = D / "text_small.tsv"  # 4 texts in column 2
SAVED = json.loads((D / "text_small_vocabulary.json").read_text())
ONE_COLUMN = {"selected_column_selector_option": "all_columns"}


def form(source: str = "learn", selector: dict | None = None, **settings) -> dict:
    vocabulary = {"source": source}
    if source != "saved":
        vocabulary.update({"maxlen": 500, **settings, "advanced": {}})
    return {"header1": False, "vocabulary": vocabulary,
            "column_selector_options_1": selector or {"selected_column_selector_option": "by_index_number",
                                                      "col1": "2"}}


def inputs(texts: Any = SMALL, vocabulary: Any = None) -> list:
    args = ["--infile1", texts]
    return args if vocabulary is None else [*args, "--vocabulary-in", written("vocabulary_in.json", vocabulary)]


def saved(**changes) -> dict:
    return {**SAVED, **changes}


# 1,000 one-word texts: 1,000 x 100,000 int64 values are 800 MB, more than half of a 1 GB job.
THOUSAND_TEXTS = written("texts.tsv", "good film\n" * 1000)
# ... and one text of 70,000 words among them: the learned width (no maxlen) is 70,001 values.
ONE_LONG_TEXT = written("texts.tsv", "a " * 70_000 + "\n" + "a\n" * 999)
SMALL_JOB = {"GALAXY_MEMORY_MB": "1024"}

CASES = {
    "maxlen of 400,000,000": Case(SCRIPT, form(maxlen=400_000_000), inputs(), OUT,
                                  "parameter 'vocabulary|maxlen' must be at most 100,000 (the length of every "
                                  "sequence), got 400,000,000"),
    "saved vocabulary with a maxlen of 400,000,000": Case(
        SCRIPT, form("saved"), inputs(vocabulary=saved(settings={**SAVED["settings"], "maxlen": 400_000_000})),
        OUT, "4 sequences of 400,000,000 values would need 11.9 GB of memory"),
    "maxlen within the form's limit but beyond the job's memory": Case(
        SCRIPT, form(selector=ONE_COLUMN, maxlen=100_000), inputs(THOUSAND_TEXTS), OUT,
        "1,000 sequences of 100,000 values would need 762.9 MB of memory, more than half of the job's memory "
        "(GALAXY_MEMORY_MB=1024); choose a smaller length", env=SMALL_JOB),
    "learned width beyond the job's memory": Case(
        SCRIPT, form("saved", selector=ONE_COLUMN),
        inputs(ONE_LONG_TEXT, saved(settings={**SAVED["settings"], "maxlen": None}, word_index={"a": 1})), OUT,
        "the longest text gives 70,001 values: set a maximum length ('maxlen')", env=SMALL_JOB),
    "two words with one rank in a word index": Case(
        SCRIPT, form("word_index"), inputs(vocabulary={"the": 1, "film": 2, "movie": 2}), OUT,
        "the word index: the words 'film' and 'movie' both have rank 2; each rank must belong to one word"),
    "two words with one rank in a saved vocabulary": Case(
        SCRIPT, form("saved"), inputs(vocabulary=saved(word_index={**SAVED["word_index"], "extra": 3})), OUT,
        "the saved vocabulary ('word_index'): the words 'the' and 'extra' both have rank 3"),
    "a word given twice in a word index": Case(
        SCRIPT, form("word_index"), inputs(vocabulary='{"the": 1, "film": 2, "the": 3}'), OUT,
        "the word index: the key 'the' appears twice in one JSON object"),
    "a word index nested 100,000 deep": Case(
        SCRIPT, form("word_index"), inputs(vocabulary="[" * 100_000 + "]" * 100_000), OUT,
        "the word index: its JSON is nested too deeply to be a word index or a vocabulary"),
    "a rank of 5,000 digits": Case(
        SCRIPT, form("word_index"), inputs(vocabulary='{"the": 1' + "0" * 5000 + "}"), OUT,
        "the word index holds a number too long to read (Exceeds the limit (4300 digits) for integer string "
        "conversion: value has 5001 digits)"),
    # Promoted from tests/test_text_sequences.py: distinct kinds, as Galaxy runs them.
    "texts not UTF-8": Case(SCRIPT, form(), inputs(written("texts.tsv", "r1\tcaf\xe9\n".encode("latin-1"))), OUT,
                            "the texts dataset: the dataset is not UTF-8 text"),
    "word index is a list": Case(SCRIPT, form("word_index"), inputs(vocabulary=["the", "and"]), OUT,
                                 "the word index must be a JSON object of word -> rank"),
    "word index missing": Case(SCRIPT, form("word_index"), inputs(), OUT,
                               "the vocabulary choice 'word_index' needs a vocabulary dataset"),
    "plain word index as a saved vocabulary": Case(SCRIPT, form("saved"), inputs(vocabulary={"the": 1}), OUT,
                                                   "the saved vocabulary is not a vocabulary saved by this tool"),
    "saved vocabulary with an unknown setting": Case(
        SCRIPT, form("saved"), inputs(vocabulary=saved(settings={**SAVED["settings"], "max_len": 3})), OUT,
        "the saved vocabulary: unknown setting 'max_len'"),
    "saved vocabulary of another format version": Case(SCRIPT, form("saved"),
                                                       inputs(vocabulary=saved(format_version=99)), OUT,
                                                       "has format version 99"),
}
