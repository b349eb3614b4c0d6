"""Texts -> padded integer sequences, exactly as Keras' IMDB data are made.

Pure Python and numpy (no Keras, no TensorFlow), so that turning 25,000 reviews
into sequences takes seconds. The steps and their Keras counterparts:

1. Tokenize (``keras.preprocessing.text.text_to_word_sequence``): lower-case,
   replace every character of ``filters`` by a space, split on spaces (only
   the space character: a no-break space is part of a word, as in Keras).
   Lower-casing is "ascii" by default: only A-Z, which is how the Keras IMDB
   word index was made (it holds words such as "Ángela"); "unicode" is
   Python's ``str.lower`` (Keras 3's ``text_to_word_sequence``); "none" keeps
   the case. HTML line breaks: with the Keras filters ``<br />`` becomes the
   word "br" (rank 7 in the IMDB word index; this is what the IMDB data hold);
   ``html_line_breaks="space"`` removes ``<br />``, ``<br/>`` and ``<br>``
   (any case) before tokenizing instead.
2. Map words to frequency ranks with a word index (word -> rank, 1 = the most
   frequent word). Words missing from the index are dropped, as Keras does for
   test words never seen in training.
3. ``keras.datasets.imdb.load_data``: prepend ``start_char``, add
   ``index_from`` to every rank, then replace every value ``v`` that is not
   ``skip_top <= v < num_words`` by ``oov_char`` (or drop it when
   ``oov_char`` is None). As in Keras the limits apply to the start value
   too: with ``skip_top=50`` the start value 1 becomes 2.
4. ``keras.utils.pad_sequences``: cut to ``maxlen`` values from the front
   ("pre") or the back ("post"), pad with 0 at the front ("pre") or back
   ("post"). The matrix (texts x maxlen int64 values) is checked against
   the job's memory budget before it is allocated.

A word index learned from texts ranks words by their count in those texts,
ties broken by first occurrence (as ``keras.preprocessing.text.Tokenizer``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, fields
from itertools import chain, repeat
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from .errors import UserError, quoted, summarise
from .resources import check_allocation

KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
LOWERCASE_MODES = ("ascii", "unicode", "none")
LINE_BREAK_MODES = ("word", "space")
PAD_MODES = ("pre", "post")
# Values are written as int64; ranks and offsets stay well inside it.
MAX_VALUE = 2**31 - 1
# Cells converted to text at a time when the sequences are written.
WRITE_BLOCK_CELLS = 1_000_000
VOCABULARY_FORMAT = "galaxy_keras text_to_sequences vocabulary"
VOCABULARY_FORMAT_VERSION = 1

_BR_TAG = re.compile(r"<br\s*/?\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Settings:
    """Everything that decides how a text becomes a row of integers (Keras' argument names)."""

    num_words: int | None = None
    skip_top: int = 0
    start_char: int | None = 1
    oov_char: int | None = 2
    index_from: int = 3
    maxlen: int | None = 500
    padding: str = "pre"
    truncating: str = "pre"
    lowercase: str = "ascii"
    filters: str = KERAS_FILTERS
    html_line_breaks: str = "word"

    def __post_init__(self) -> None:
        self.validate("setting")

    def validate(self, what: str) -> None:
        def whole(name: str, minimum: int, optional: bool = False) -> None:
            value = getattr(self, name)
            if value is None and optional:
                return
            if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= MAX_VALUE:
                empty = " or empty" if optional else ""
                raise UserError(f"{what} '{name}' must be a whole number from {minimum} to {MAX_VALUE}{empty}, "
                                f"got {quoted(value)}")

        whole("num_words", 1, optional=True)
        whole("skip_top", 0)
        whole("start_char", 0, optional=True)
        whole("oov_char", 0, optional=True)
        whole("index_from", 0)
        whole("maxlen", 1, optional=True)
        for name, options in (("padding", PAD_MODES), ("truncating", PAD_MODES),
                              ("lowercase", LOWERCASE_MODES), ("html_line_breaks", LINE_BREAK_MODES)):
            if getattr(self, name) not in options:
                raise UserError(f"{what} '{name}' must be one of {', '.join(options)}, "
                                f"got {quoted(getattr(self, name))}")
        if not isinstance(self.filters, str):
            raise UserError(f"{what} 'filters' must be text (the characters replaced by spaces), "
                            f"got {quoted(self.filters)}")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any, what: str) -> "Settings":
        """Settings from a saved vocabulary; missing keys take the defaults, unknown keys are refused."""
        if not isinstance(data, dict):
            raise UserError(f"{what}: 'settings' must be a JSON object")
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise UserError(f"{what}: unknown setting {quoted(unknown[0])} (known: {', '.join(sorted(known))})")
        try:
            return cls(**data)
        except UserError as err:
            raise UserError(f"{what}: {err}") from None


# --------------------------------------------------------------------------- tokenizing

class Tokenizer:
    """Keras' ``text_to_word_sequence`` with a choice of lower-casing and HTML line breaks."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        table = {ord(char): " " for char in settings.filters}
        if settings.lowercase == "ascii":
            # Lower-case first, then filter (Keras' order): an upper-case letter whose lower-case
            # form is a filter character becomes a space too.
            for upper in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
                lower = upper.lower()
                table[ord(upper)] = " " if lower in settings.filters else lower
        self._table = table
        self._unicode = settings.lowercase == "unicode"
        self._drop_br = settings.html_line_breaks == "space"

    def __call__(self, text: str) -> list[str]:
        if self._drop_br and "<" in text:
            text = _BR_TAG.sub(" ", text)
        if self._unicode:
            text = text.lower()
        return list(filter(None, text.translate(self._table).split(" ")))

    def tokenize(self, texts: Iterable[str]) -> list[list[str]]:
        return [self(text) for text in texts]


def tokenize(texts: Iterable[str], settings: Settings | None = None) -> list[list[str]]:
    return Tokenizer(settings or Settings()).tokenize(texts)


# --------------------------------------------------------------------------- word index

def learn_word_index(token_lists: Sequence[Sequence[str]]) -> dict[str, int]:
    """Rank words by count (1 = most frequent); ties by first occurrence, as Keras' Tokenizer."""
    counts = Counter(chain.from_iterable(token_lists))  # insertion order = first occurrence
    ordered = sorted(counts.items(), key=lambda item: -item[1])  # stable: ties keep first occurrence
    return {word: rank for rank, (word, _) in enumerate(ordered, start=1)}


def check_word_index(data: Any, what: str) -> dict[str, int]:
    """A word index must be a non-empty JSON object of word -> rank (a whole number of 1 or more).

    Each rank belongs to one word: ranks are frequency ranks, and a second word
    with the same rank would silently take the first one's value.
    """
    if not isinstance(data, dict):
        kind = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "true/false",
                type(None): "null"}.get(type(data), type(data).__name__)
        raise UserError(f"{what} must be a JSON object of word -> rank, like {{\"the\": 1, \"and\": 2}}; "
                        f"got {kind}")
    if not data:
        raise UserError(f"{what} is empty (no words)")
    owner: dict[int, str] = {}
    for word, rank in data.items():
        if not isinstance(rank, int) or isinstance(rank, bool) or not 1 <= rank <= MAX_VALUE:
            raise UserError(f"{what}: the rank of {quoted(word, 40)} must be a whole number from 1 to {MAX_VALUE}, "
                            f"got {json.dumps(rank)[:40]}")
        first = owner.setdefault(rank, word)
        if first != word:
            raise UserError(f"{what}: the words {quoted(first, 40)} and {quoted(word, 40)} both have rank {rank}; "
                            f"each rank must belong to one word")
    return data


def _unique_keys(what: str) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """A JSON object hook that refuses a key given twice (json keeps the last one silently)."""

    def build(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, value in pairs:
            if key in data:
                raise UserError(f"{what}: the key {quoted(key, 40)} appears twice in one JSON object; "
                                f"each word and setting may be given once")
            data[key] = value
        return data

    return build


def _load_json(path: str | Path, what: str) -> Any:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{what}: file not found: {path}")
    if path.stat().st_size == 0:
        raise UserError(f"{what}: the dataset is empty")
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle, object_pairs_hook=_unique_keys(what))
    except UnicodeDecodeError:
        raise UserError(f"{what}: the dataset is not UTF-8 text") from None
    except json.JSONDecodeError as err:
        raise UserError(f"{what} is not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})") from None
    except ValueError as err:  # a number of more than 4,300 digits; Python's advice after ";" is for programmers
        raise UserError(f"{what} holds a number too long to read ({summarise(err).split(';')[0]})") from None
    except RecursionError:
        raise UserError(f"{what}: its JSON is nested too deeply to be a word index or a vocabulary") from None


def is_saved_vocabulary(data: Any) -> bool:
    return isinstance(data, dict) and data.get("format") == VOCABULARY_FORMAT


def read_word_index(path: str | Path, what: str = "the word index") -> dict[str, int]:
    """A plain word index (like Keras' imdb_word_index.json) or the word index of a saved vocabulary."""
    data = _load_json(path, what)
    if is_saved_vocabulary(data):
        return check_word_index(data.get("word_index"), f"{what} ('word_index' of the saved vocabulary)")
    return check_word_index(data, what)


def read_vocabulary(path: str | Path, what: str = "the saved vocabulary") -> tuple[dict[str, int], Settings]:
    """The word index and the settings of a vocabulary written by this tool."""
    data = _load_json(path, what)
    if not is_saved_vocabulary(data):
        raise UserError(f"{what} is not a vocabulary saved by this tool (no \"format\": \"{VOCABULARY_FORMAT}\"); "
                        f"to use a plain word index, choose the word index option")
    version = data.get("format_version")
    if version != VOCABULARY_FORMAT_VERSION:
        raise UserError(f"{what} has format version {quoted(version)}; this tool reads version "
                        f"{VOCABULARY_FORMAT_VERSION}")
    settings = Settings.from_json(data.get("settings"), what)
    return check_word_index(data.get("word_index"), f"{what} ('word_index')"), settings


def vocabulary_document(word_index: dict[str, int], settings: Settings, source: str) -> dict[str, Any]:
    """The saved vocabulary: settings first (readable), then the words by rank."""
    ordered = dict(sorted(word_index.items(), key=lambda item: item[1]))
    return {"format": VOCABULARY_FORMAT, "format_version": VOCABULARY_FORMAT_VERSION, "source": source,
            "settings": settings.to_json(), "vocabulary_size": len(ordered), "word_index": ordered}


def write_vocabulary(path: str | Path, word_index: dict[str, int], settings: Settings, source: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(vocabulary_document(word_index, settings, source), handle, ensure_ascii=False, indent=1)
        handle.write("\n")


# --------------------------------------------------------------------------- sequences

@dataclass
class Encoded:
    """The padded matrix and what happened on the way (for the job's log)."""

    matrix: np.ndarray
    maxlen: int
    dropped_words: int = 0  # words not in the word index
    oov_values: int = 0  # values replaced by oov_char (or dropped when oov_char is None)
    truncated: int = 0  # sequences longer than maxlen


def to_ranks(token_lists: Sequence[Sequence[str]], word_index: dict[str, int]) -> tuple[np.ndarray, np.ndarray, int]:
    """Flat ranks of the words found in the index, the number kept per text, and the number dropped."""
    lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
    total = int(lengths.sum())
    ranks = np.fromiter(map(word_index.get, chain.from_iterable(token_lists), repeat(0)), dtype=np.int64,
                        count=total)
    found = ranks > 0
    if found.all():
        return ranks, lengths, 0
    owner = np.repeat(np.arange(len(token_lists)), lengths)
    kept = np.bincount(owner[found], minlength=len(token_lists)).astype(np.int64)
    return ranks[found], kept, int(total - found.sum())


def ranks_to_values(ranks: np.ndarray, lengths: np.ndarray, settings: Settings) -> tuple[np.ndarray, np.ndarray, int]:
    """``imdb.load_data``: start value, offset, and the skip_top / num_words limits."""
    values = ranks + settings.index_from
    if settings.start_char is not None:
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if len(lengths) else np.zeros(0, np.int64)
        values = np.insert(values, starts, settings.start_char)
        lengths = lengths + 1
    outside = values < settings.skip_top
    if settings.num_words is not None:
        outside |= values >= settings.num_words
    count = int(outside.sum())
    if count:
        if settings.oov_char is not None:
            values = np.where(outside, settings.oov_char, values)
        else:
            owner = np.repeat(np.arange(len(lengths)), lengths)
            lengths = np.bincount(owner[~outside], minlength=len(lengths)).astype(np.int64)
            values = values[~outside]
    return values, lengths, count


def check_matrix_size(n_rows: int, maxlen: int, learned: bool) -> None:
    """Refuse an output matrix (int64) larger than the job's memory allows, before it is allocated."""
    advice = (f"the longest text gives {maxlen:,} values: set a maximum length ('maxlen')" if learned else
              f"choose a smaller length of every sequence ('maxlen', now {maxlen:,})")
    check_allocation(n_rows * maxlen * 8, f"{n_rows:,} sequences of {maxlen:,} values",
                     f"{advice}, or split the texts")


def pad_sequences(values: np.ndarray, lengths: np.ndarray, maxlen: int | None, padding: str = "pre",
                  truncating: str = "pre", value: int = 0) -> np.ndarray:
    """``keras.utils.pad_sequences`` on ragged sequences given as flat values + lengths."""
    lengths = np.asarray(lengths, dtype=np.int64)
    n = len(lengths)
    learned = maxlen is None
    if learned:
        maxlen = int(lengths.max()) if n else 0
    check_matrix_size(n, maxlen, learned)
    matrix = np.full((n, maxlen), value, dtype=np.int64)
    if n == 0 or maxlen == 0 or len(values) == 0:
        return matrix
    owner = np.repeat(np.arange(n), lengths)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    position = np.arange(len(values)) - starts[owner]  # position inside its own sequence
    seq_len = lengths[owner]
    kept_len = np.minimum(seq_len, maxlen)
    if truncating == "pre":
        first = seq_len - kept_len  # the first position kept
        keep = position >= first
        slot = position - first
    else:
        keep = position < maxlen
        slot = position
    column = slot + (maxlen - kept_len if padding == "pre" else 0)
    matrix.reshape(-1)[(owner * maxlen + column)[keep]] = values[keep]
    return matrix


def encode(token_lists: Sequence[Sequence[str]], word_index: dict[str, int], settings: Settings) -> Encoded:
    """Token lists -> the padded integer matrix of ``load_data`` + ``pad_sequences``."""
    ranks, lengths, dropped = to_ranks(token_lists, word_index)
    values, lengths, oov = ranks_to_values(ranks, lengths, settings)
    maxlen = settings.maxlen
    if maxlen is None:
        maxlen = int(lengths.max()) if len(lengths) else 0
        if maxlen == 0:
            raise UserError("every sequence is empty (no start value and no known words); set a maximum length")
        check_matrix_size(len(lengths), maxlen, learned=True)
    matrix = pad_sequences(values, lengths, maxlen, settings.padding, settings.truncating)
    return Encoded(matrix, maxlen, dropped, oov, int((lengths > maxlen).sum()))


def texts_to_matrix(texts: Iterable[str], word_index: dict[str, int], settings: Settings) -> np.ndarray:
    """Convenience: texts straight to the padded matrix."""
    return encode(tokenize(texts, settings), word_index, settings).matrix


# --------------------------------------------------------------------------- tables

def read_text_column(path: str | Path, header: bool, selector: Any, what: str) -> list[str]:
    """The one selected column of a tab-separated table with CSV quoting, as a list of texts.

    Unlike ``tables.read_table`` (numbers, no quoting) this reads quoted fields
    (``"a ""quoted"" word"``), keeps every cell as text, and keeps blank lines
    and missing cells as empty texts so that row i of the output is line i of
    the input.
    """
    from .tables import read_table  # pandas: imported only when a table is read

    table = read_table(path, header, what, texts=True)
    selected = selector.apply(table, what)
    if selected.shape[1] != 1:
        raise UserError(f"{what}: {selected.shape[1]} columns selected; select the one column that holds the texts")
    return ["" if isinstance(text, float) else text for text in selected.iloc[:, 0].tolist()]


def write_int_table(matrix: np.ndarray, path: str | Path) -> None:
    """Tab-separated integers, no header: one row per text."""
    matrix = np.asarray(matrix)
    with open(path, "w", encoding="ascii", newline="\n") as handle:
        if matrix.size == 0:
            handle.write("\n" * matrix.shape[0])
            return
        low, high = int(matrix.min()), int(matrix.max())
        if low >= 0 and high < 10_000_000:
            # A lookup table of the numbers as text: about twice as fast as numpy.savetxt. Blocks of
            # about a million cells, so that the rows as Python lists stay small whatever the width.
            text = np.array([str(i) for i in range(high + 1)], dtype=object)
            step = max(1, WRITE_BLOCK_CELLS // max(1, matrix.shape[1]))
            for block in range(0, matrix.shape[0], step):
                rows = text[matrix[block:block + step]].tolist()
                handle.write("".join("\t".join(row) + "\n" for row in rows))
        else:
            np.savetxt(handle, matrix, fmt="%d", delimiter="\t")
