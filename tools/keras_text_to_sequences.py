#!/usr/bin/env python
"""Text to padded integer sequences: a column of texts -> a table of word indices.

Galaxy tool ``keras_text_to_sequences``. Each text becomes one row of
``maxlen`` integers, exactly as ``keras.datasets.imdb.load_data`` followed by
``keras.utils.pad_sequences`` make the IMDB data (see
``galaxy_keras.text_sequences``). The vocabulary is learned from the texts,
given as a word index (word -> frequency rank, like Keras'
``imdb_word_index.json``), or taken with all its settings from a vocabulary
this tool saved before. The second output is that vocabulary with the
settings used, to turn test texts and new texts into sequences the same way.
No Keras import: the whole IMDB training set takes a few seconds.
"""

from __future__ import annotations

import argparse
import time

from galaxy_keras.errors import UserError, atomic_outputs, outputs_removed_on_error, run_tool
from galaxy_keras.params import Params
from galaxy_keras.tables import ColumnSelector
from galaxy_keras.text_sequences import (LINE_BREAK_MODES, LOWERCASE_MODES, PAD_MODES, Settings, Tokenizer,
                                         check_matrix_size, encode, learn_word_index, read_text_column,
                                         read_vocabulary, read_word_index, write_int_table, write_vocabulary)

SOURCES = ("learn", "word_index", "saved")
WHAT = "the texts dataset"
# The form's largest maxlen (the XML's max), longer than any review; a workflow or an API call
# passing more is refused here too. Below it, the job's memory decides how many texts fit.
MAX_FORM_MAXLEN = 100_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", required=True, help="the tool's parameters (JSON written by Galaxy)")
    parser.add_argument("--infile1", required=True, help="table with a column of texts")
    parser.add_argument("--vocabulary-in", help="word index JSON, or a vocabulary saved by this tool")
    parser.add_argument("--outfile-sequences", required=True, help="table of padded integer sequences")
    parser.add_argument("--outfile-vocabulary", required=True, help="the vocabulary and settings used (JSON)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with outputs_removed_on_error(args.outfile_sequences, args.outfile_vocabulary):
        convert(args)


def optional_int(params: Params, name: str, default: int) -> int | None:
    """An optional number: absent takes the default, left empty (null) means "none"."""
    if params.raw(name, default) in (None, ""):
        return None
    return params.int(name, default, minimum=0)


def read_settings(params: Params) -> Settings:
    """The form's settings (the 'learn' and 'word_index' choices share them)."""
    maxlen = params.int("maxlen", 500, minimum=1)
    if maxlen > MAX_FORM_MAXLEN:
        raise UserError(f"parameter 'vocabulary|maxlen' must be at most {MAX_FORM_MAXLEN:,} (the length of every "
                        f"sequence), got {maxlen:,}")
    advanced: dict[str, object] = {}  # no section (an older workflow): Settings' defaults, Keras' own
    if params.has("advanced"):
        section = params.section("advanced")
        advanced = dict(
            padding=section.choice("padding", PAD_MODES, "pre"),
            truncating=section.choice("truncating", PAD_MODES, "pre"),
            start_char=optional_int(section, "start_char", 1),
            oov_char=optional_int(section, "oov_char", 2),
            index_from=section.int("index_from", 3, minimum=0),
            lowercase=section.choice("lowercase", LOWERCASE_MODES, "ascii"),
            html_line_breaks=section.choice("html_line_breaks", LINE_BREAK_MODES, "word"),
        )
    return Settings(num_words=params.int("num_words", None, minimum=1),
                    skip_top=params.int("skip_top", 0, minimum=0), maxlen=maxlen, **advanced)


def convert(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    params = Params.from_file(args.inputs)
    header = params.bool("header1", False)
    selector = ColumnSelector.from_params(params.section("column_selector_options_1"))
    vocabulary = params.section("vocabulary")
    source = vocabulary.choice("source", SOURCES)
    if source != "learn" and not args.vocabulary_in:
        raise UserError(f"the vocabulary choice '{source}' needs a vocabulary dataset (--vocabulary-in)")

    if source == "saved":
        word_index, settings = read_vocabulary(args.vocabulary_in)
    else:
        settings = read_settings(vocabulary)
        word_index = read_word_index(args.vocabulary_in) if source == "word_index" else None
    params.refuse_unread()

    texts = read_text_column(args.infile1, header, selector, WHAT)
    if settings.maxlen is not None:  # refused before the texts are tokenized, not only before padding
        check_matrix_size(len(texts), settings.maxlen, learned=False)
    tokens = Tokenizer(settings).tokenize(texts)
    if word_index is None:
        word_index = learn_word_index(tokens)
    encoded = encode(tokens, word_index, settings)
    # The stored maxlen is the width actually used, so that later texts get rows of the same width.
    saved = Settings(**{**settings.to_json(), "maxlen": encoded.maxlen})
    described = {"learn": f"learned from {len(texts)} texts", "word_index": "a given word index",
                 "saved": "a saved vocabulary"}[source]

    with atomic_outputs(args.outfile_sequences, args.outfile_vocabulary) as (sequences_out, vocabulary_out):
        write_int_table(encoded.matrix, sequences_out)
        write_vocabulary(vocabulary_out, word_index, saved, described)

    words = sum(map(len, tokens))
    print(f"{len(texts)} texts, {words} words -> {encoded.matrix.shape[0]} x {encoded.maxlen} integers "
          f"({time.perf_counter() - started:.1f} s)")
    print(f"vocabulary: {len(word_index)} words, {described}; {encoded.dropped_words} words not in it dropped; "
          f"{encoded.oov_values} values outside skip_top/num_words "
          f"{'replaced by ' + str(settings.oov_char) if settings.oov_char is not None else 'dropped'}; "
          f"{encoded.truncated} sequences cut to {encoded.maxlen}")


if __name__ == "__main__":
    run_tool(main)
