"""Text to padded integer sequences: tokenizing, padding, vocabularies, the IMDB rows, bad input."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, TEST_DATA

from galaxy_keras.errors import UserError
from galaxy_keras.text_sequences import (KERAS_FILTERS, Settings, Tokenizer, check_word_index, encode,
                                         learn_word_index, pad_sequences, read_vocabulary, read_word_index,
                                         tokenize, write_int_table)

SCRIPT = "keras_text_to_sequences"
IMDB = ROOT.parent / "shared" / "data" / "imdb"
BY_INDEX_2 = {"selected_column_selector_option": "by_index_number", "col1": "2"}
IMDB_FORM = {"num_words": 10000, "skip_top": 50, "maxlen": 500,
             "advanced": {"padding": "pre", "truncating": "pre", "start_char": 1, "oov_char": 2, "index_from": 3,
                          "lowercase": "ascii", "html_line_breaks": "word"}}
# test-data/text_small.tsv, learned vocabulary, maxlen 12, worked out by hand:
# great 5x -> rank 1 (value 4); br 2x -> 2 (5); then first occurrence: the 3 (6), film 4 (7), was 5 (8),
# acting 6 (9), fun 7 (10), naïve 8 (11), but 9 (12), Émile 10 (13), is 11 (14), great… 12 (15),
# really 13 (16), he 14 (17), said 15 (18), twice 16 (19), then 17 (20), left 18 (21).
SMALL_WORDS = ["great", "br", "the", "film", "was", "acting", "fun", "naïve", "but", "Émile", "is", "great…",
               "really", "he", "said", "twice", "then", "left"]
SMALL_ROWS = [[0, 1, 6, 7, 8, 4, 5, 5, 4, 9, 4, 10],
              [0, 0, 0, 0, 1, 11, 12, 13, 14, 15, 16, 4],
              [0] * 11 + [1],
              [0, 0, 0, 0, 0, 1, 17, 18, 4, 19, 20, 21]]


def form(source="learn", header=False, selector=None, **settings) -> dict:
    vocabulary = {"source": source}
    if source != "saved":
        advanced = settings.pop("advanced", {})
        vocabulary.update({"maxlen": 500, **settings, "advanced": advanced})
    return {"header1": header, "column_selector_options_1": selector or BY_INDEX_2, "vocabulary": vocabulary}


def run(tool, tmp_path, params, infile, vocabulary=None, tag="out"):
    sequences, vocab_out = tmp_path / f"{tag}_sequences.tsv", tmp_path / f"{tag}_vocabulary.json"
    args = ["--infile1", infile, "--outfile-sequences", sequences, "--outfile-vocabulary", vocab_out]
    if vocabulary is not None:
        args += ["--vocabulary-in", vocabulary]
    tool(SCRIPT, params, *args)
    return np.loadtxt(sequences, dtype=np.int64, delimiter="\t", ndmin=2), json.loads(vocab_out.read_text())


def keras_reference(rank_lists, num_words=None, skip_top=0, start_char=1, oov_char=2, index_from=3):
    """keras.datasets.imdb.load_data's steps, transcribed (num_words None: no limit)."""
    xs = [([start_char] if start_char is not None else []) + [w + index_from for w in x] for x in rank_lists]
    limit = num_words if num_words else float("inf")
    if oov_char is not None:
        return [[w if skip_top <= w < limit else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < limit] for x in xs]


# --------------------------------------------------------------------------- tokenizing

@pytest.mark.parametrize("text, words", [
    ("Hello, World! It's a test-case (really).", ["hello", "world", "it's", "a", "test", "case", "really"]),
    ("", []),
    ("   ", []),
    ('!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~', []),
    ("tab\tand\nnewline", ["tab", "and", "newline"]),
    ("no-break\xa0space and NEL\x85here", ["no", "break\xa0space", "and", "nel\x85here"]),  # only " " splits
    ("end.<br /><br />Next", ["end", "br", "br", "next"]),  # Keras' IMDB data hold the word "br"
    ("12.5% of 1,000", ["12", "5", "of", "1", "000"]),
])
def test_keras_tokenizing(text, words):
    assert tokenize([text]) == [words]


@pytest.mark.parametrize("mode, words", [
    ("ascii", ["Ángela's", "naÏve", "café…", "straße"]),  # only A-Z, as the Keras IMDB word index
    ("unicode", ["ángela's", "naïve", "café…", "straße"]),  # Python's str.lower, as Keras 3
    ("none", ["Ángela's", "NAÏVE", "Café…", "STRAßE"]),
])
def test_lowercasing_of_non_ascii_text(mode, words):
    assert tokenize(["Ángela's NAÏVE Café… STRAßE"], Settings(lowercase=mode)) == [words]


@pytest.mark.parametrize("text", ["a<br />b", "a<br/>b", "a<br>b", "a<BR />b", "a<Br  / >b"])
def test_html_line_breaks_as_spaces(text):
    assert tokenize([text], Settings(html_line_breaks="space")) == [["a", "b"]]
    assert tokenize([text], Settings(html_line_breaks="word")) == [["a", "br", "b"]]


def test_ascii_lowercasing_respects_filters():
    # Keras lower-cases first, then filters: an upper-case letter whose lower case is a filter is a space.
    assert Tokenizer(Settings(filters="x ")).tokenize(["AXB"]) == [["a", "b"]]


def test_tokenizing_matches_keras_text_to_word_sequence():
    legacy = pytest.importorskip("keras.src.legacy.preprocessing.text")
    texts = [line.split("\t", 1)[1] for line in (TEST_DATA / "text_small.tsv").read_text().splitlines()]
    texts += ["Ángela's NAÏVE\xa0Café… <br />x!y", "", "ÀÉ ok?"]
    unicode = Settings(lowercase="unicode")
    for text in texts:
        assert tokenize([text], unicode)[0] == legacy.text_to_word_sequence(text)
    assert legacy.text_to_word_sequence("x") and KERAS_FILTERS == '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


# --------------------------------------------------------------------------- padding

@pytest.mark.parametrize("padding, truncating, expected", [
    ("pre", "pre", [[3, 4, 5], [0, 0, 6], [0, 0, 0]]),
    ("pre", "post", [[1, 2, 3], [0, 0, 6], [0, 0, 0]]),
    ("post", "pre", [[3, 4, 5], [6, 0, 0], [0, 0, 0]]),
    ("post", "post", [[1, 2, 3], [6, 0, 0], [0, 0, 0]]),
])
def test_padding_and_truncating(padding, truncating, expected):
    matrix = pad_sequences(np.array([1, 2, 3, 4, 5, 6]), np.array([5, 1, 0]), 3, padding, truncating)
    np.testing.assert_array_equal(matrix, expected)


def test_padding_to_the_longest_sequence():
    np.testing.assert_array_equal(pad_sequences(np.array([1, 2, 3]), np.array([1, 2]), None), [[0, 1], [2, 3]])


def test_padding_matches_keras_pad_sequences():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    sequences = [rng.integers(1, 100, size=int(n)).tolist() for n in rng.integers(0, 12, size=40)]
    values, lengths = np.array(sum(sequences, []), dtype=np.int64), np.array([len(s) for s in sequences])
    for padding in ("pre", "post"):
        for truncating in ("pre", "post"):
            for maxlen in (1, 5, 11, 20):
                ours = pad_sequences(values, lengths, maxlen, padding, truncating)
                theirs = keras.utils.pad_sequences(sequences, maxlen=maxlen, padding=padding, truncating=truncating)
                np.testing.assert_array_equal(ours, theirs)


# --------------------------------------------------------------------------- values

INDEX = {"a": 1, "b": 2, "c": 3, "e": 60}


@pytest.mark.parametrize("settings, expected", [
    ({}, [1, 4, 5, 6, 63]),  # "d" is not in the index: dropped
    ({"start_char": None}, [4, 5, 6, 63]),
    ({"index_from": 0}, [1, 1, 2, 3, 60]),
    ({"skip_top": 5}, [2, 2, 5, 6, 63]),  # the start value is below skip_top too, as in Keras
    ({"num_words": 6}, [1, 4, 5, 2, 2]),  # values >= num_words
    ({"skip_top": 5, "num_words": 6, "oov_char": 9}, [9, 9, 5, 9, 9]),
    ({"skip_top": 5, "oov_char": None}, [5, 6, 63]),  # no OOV value: dropped
    ({"start_char": 7, "oov_char": 0, "skip_top": 6}, [7, 0, 0, 6, 63]),
])
def test_start_oov_and_offset_as_keras_load_data(settings, expected):
    keras_args = {"num_words": None, "skip_top": 0, "start_char": 1, "oov_char": 2, "index_from": 3, **settings}
    encoded = encode([["a", "b", "c", "d", "e"]], INDEX, Settings(maxlen=len(expected), **settings))
    assert encoded.matrix.tolist() == [expected]
    assert keras_reference([[1, 2, 3, 60]], **keras_args) == [expected]
    assert encoded.dropped_words == 1


def test_values_match_keras_reference_on_random_ranks():
    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(1, 300)]
    index = {word: i for i, word in enumerate(words, start=1)}
    token_lists = [[words[i] for i in rng.integers(0, 299, size=int(n))] for n in rng.integers(0, 30, size=50)]
    for args in ({"num_words": 100, "skip_top": 10}, {"num_words": 50, "oov_char": None, "index_from": 1},
                 {"start_char": None, "skip_top": 3}):
        settings = Settings(maxlen=20, **args)
        reference = keras_reference([[index[w] for w in tokens] for tokens in token_lists],
                                    **{"start_char": 1, "oov_char": 2, "index_from": 3, **args})
        expected = [([0] * 20 + row)[-20:] if len(row) <= 20 else row[-20:] for row in reference]
        assert encode(token_lists, index, settings).matrix.tolist() == expected


def test_learned_vocabulary_ranks_by_count_then_first_occurrence():
    assert learn_word_index([["b", "a", "c"], ["a", "c", "d"], []]) == {"a": 1, "c": 2, "b": 3, "d": 4}
    assert learn_word_index([[]]) == {}


def test_large_values_are_written_too(tmp_path):
    path = tmp_path / "big.tsv"
    write_int_table(np.array([[0, 2_147_483_650], [7, 1]]), path)
    assert path.read_text() == "0\t2147483650\n7\t1\n"
    write_int_table(np.array([[0, 12], [7, 1]]), path)
    assert path.read_text() == "0\t12\n7\t1\n"


# --------------------------------------------------------------------------- the tool

def test_small_texts_learned_vocabulary(tool, tmp_path):
    rows, vocabulary = run(tool, tmp_path, form(maxlen=12), TEST_DATA / "text_small.tsv")
    assert rows.tolist() == SMALL_ROWS
    assert list(vocabulary["word_index"]) == SMALL_WORDS
    assert list(vocabulary["word_index"].values()) == list(range(1, 19))
    assert vocabulary["settings"] == {"num_words": None, "skip_top": 0, "start_char": 1, "oov_char": 2,
                                      "index_from": 3, "maxlen": 12, "padding": "pre", "truncating": "pre",
                                      "lowercase": "ascii", "filters": KERAS_FILTERS, "html_line_breaks": "word"}
    # The planemo tests' expected files are these very values.
    assert np.loadtxt(TEST_DATA / "text_small_sequences.tsv", dtype=int).tolist() == SMALL_ROWS
    assert json.loads((TEST_DATA / "text_small_vocabulary.json").read_text()) == vocabulary


def test_post_padding_and_truncating(tool, tmp_path):
    params = form(maxlen=5, advanced={"padding": "post", "truncating": "post"})
    rows, _ = run(tool, tmp_path, params, TEST_DATA / "text_small.tsv")
    assert rows.tolist() == [[1, 6, 7, 8, 4], [1, 11, 12, 13, 14], [1, 0, 0, 0, 0], [1, 17, 18, 4, 19]]


def test_empty_texts_blank_lines_and_missing_cells_keep_their_rows(tool, tmp_path):
    path = tmp_path / "texts.tsv"
    path.write_text("a b\n\n\"\"\nb\n")
    rows, _ = run(tool, tmp_path, form(maxlen=3, selector={"selected_column_selector_option": "all_columns"}), path)
    assert rows.tolist() == [[1, 5, 4], [0, 0, 1], [0, 0, 1], [0, 1, 4]]  # "b" is the most frequent word
    path.write_text("1\tgood film\n2\n3\t\n")
    rows, _ = run(tool, tmp_path, form(maxlen=3), path)
    assert rows.tolist() == [[1, 4, 5], [0, 0, 1], [0, 0, 1]]


def test_header_and_column_by_name(tool, tmp_path):
    by_name = {"selected_column_selector_option": "by_header_name", "col1": "text"}
    rows, vocabulary = run(tool, tmp_path, form(header=True, selector=by_name, maxlen=100, num_words=1000,
                                                skip_top=10), TEST_DATA / "text_reviews.tsv")
    assert rows.shape == (30, 100)
    assert rows.max() < 1000 and not ((rows > 2) & (rows < 10)).any()
    assert vocabulary["word_index"]["the"] == 1 and vocabulary["source"] == "learned from 30 texts"
    by_number = {"selected_column_selector_option": "by_index_number", "col1": ["4"]}
    same, _ = run(tool, tmp_path, form(header=True, selector=by_number, maxlen=100, num_words=1000, skip_top=10),
                  TEST_DATA / "text_reviews.tsv", tag="b")
    np.testing.assert_array_equal(rows, same)


def test_imdb_settings_give_the_tutorial_rows(tool, tmp_path):
    """The sample reviews with the (reduced) Keras word index: exactly the tutorial's X_train rows."""
    params = form("word_index", header=True, selector={"selected_column_selector_option": "by_index_number",
                                                       "col1": "4"}, **IMDB_FORM)
    rows, vocabulary = run(tool, tmp_path, params, TEST_DATA / "text_reviews.tsv", TEST_DATA / "text_word_index.json")
    expected = np.loadtxt(TEST_DATA / "text_expected_rows.tsv", dtype=np.int64, delimiter="\t")
    np.testing.assert_array_equal(rows, expected)
    assert rows.shape == (30, 500) and 1 not in rows  # the start value 1 is below skip_top: 2
    assert set(np.unique(rows)) <= {0, 2} | set(range(50, 10000))
    assert vocabulary["settings"]["num_words"] == 10000 and vocabulary["source"] == "a given word index"


@pytest.mark.skipif(not (IMDB / "tutorial" / "X_train.tsv.gz").exists(), reason="needs ../shared/data/imdb")
def test_expected_rows_are_rows_of_the_tutorial_table_and_the_full_index_agrees(tool, tmp_path):
    import gzip

    import pandas as pd

    tutorial = pd.read_csv(IMDB / "tutorial" / "X_train.tsv.gz", sep="\t", header=None).to_numpy()
    members = Counter(map(tuple, tutorial.tolist()))
    expected = np.loadtxt(TEST_DATA / "text_expected_rows.tsv", dtype=np.int64, delimiter="\t")
    assert all(members[row] for row in map(tuple, expected.tolist()))
    full = tmp_path / "imdb_word_index.json"
    with gzip.open(IMDB / "imdb_word_index.json.gz", "rb") as handle:
        full.write_bytes(handle.read())
    params = form("word_index", header=True, selector={"selected_column_selector_option": "by_index_number",
                                                       "col1": "4"}, **IMDB_FORM)
    rows, vocabulary = run(tool, tmp_path, params, TEST_DATA / "text_reviews.tsv", full)
    np.testing.assert_array_equal(rows, expected)
    assert len(vocabulary["word_index"]) == 88584


def test_saved_vocabulary_round_trip(tool, tmp_path):
    """Learn on training texts, apply the saved vocabulary (and its settings) to new texts."""
    import pandas as pd

    reviews = pd.read_csv(TEST_DATA / "text_reviews.tsv", sep="\t", keep_default_na=False, dtype=str)
    train, new = tmp_path / "train.tsv", tmp_path / "new.tsv"
    reviews.iloc[:20].to_csv(train, sep="\t", index=False)
    reviews.iloc[20:].to_csv(new, sep="\t", index=False)
    settings = {"num_words": 300, "skip_top": 5, "maxlen": 80,
                "advanced": {"padding": "post", "truncating": "post", "start_char": 7, "oov_char": 3,
                             "index_from": 10, "lowercase": "unicode", "html_line_breaks": "space"}}
    by_name = {"selected_column_selector_option": "by_header_name", "col1": "text"}
    learned, saved = run(tool, tmp_path, form(header=True, selector=by_name, **settings), train, tag="learn")
    saved_path = tmp_path / "learn_vocabulary.json"
    assert saved["settings"]["lowercase"] == "unicode" and saved["settings"]["maxlen"] == 80
    assert "br" not in saved["word_index"]

    # The saved vocabulary on the training texts gives the same rows, whatever the form would say.
    again, copy = run(tool, tmp_path, form("saved", header=True, selector=by_name), train, saved_path, tag="again")
    np.testing.assert_array_equal(again, learned)
    assert copy["word_index"] == saved["word_index"] and copy["settings"] == saved["settings"]

    # New texts: the words of the training texts keep their values; unseen words are dropped.
    applied, _ = run(tool, tmp_path, form("saved", header=True, selector=by_name), new, saved_path, tag="new")
    word_index, loaded = read_vocabulary(saved_path)
    expected = encode(Tokenizer(loaded).tokenize(reviews.iloc[20:]["text"]), word_index, loaded).matrix
    np.testing.assert_array_equal(applied, expected)
    assert applied.shape == (10, 80) and (applied[:, 0] == 7).all()

    # The same file as a plain word index uses its words but the form's settings.
    plain, _ = run(tool, tmp_path, form("word_index", header=True, selector=by_name, maxlen=10), new, saved_path,
                   tag="plain")
    assert plain.shape == (10, 10) and (plain[:, -1] != 0).all()


def test_script_does_not_import_keras(tmp_path):
    params = tmp_path / "inputs.json"
    params.write_text(json.dumps(form(maxlen=12)))
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import keras_text_to_sequences as tool; "
            "tool.main(sys.argv[2:]); "
            "assert not {'keras', 'tensorflow'} & set(sys.modules), 'keras imported'")
    result = subprocess.run([sys.executable, "-c", code, str(ROOT / "tools"), "--inputs", str(params),
                             "--infile1", str(TEST_DATA / "text_small.tsv"),
                             "--outfile-sequences", str(tmp_path / "s.tsv"),
                             "--outfile-vocabulary", str(tmp_path / "v.json")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "s.tsv").read_text() == (TEST_DATA / "text_small_sequences.tsv").read_text()


# --------------------------------------------------------------------------- bad input

def _file(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


SAVED = json.loads((TEST_DATA / "text_small_vocabulary.json").read_text())
SMALL = TEST_DATA / "text_small.tsv"
REVIEWS = TEST_DATA / "text_reviews.tsv"

# (parameters, texts file or content, vocabulary file or content or None, expected error text)
BAD = {
    "no column of that name": (form(header=True, selector={"selected_column_selector_option": "by_header_name",
                                                           "col1": "review"}), REVIEWS, None,
                               "the texts dataset: no column named 'review'"),
    "column number too large": (form(selector={"selected_column_selector_option": "by_index_number",
                                               "col1": "9"}), SMALL, None, "column 9 does not exist"),
    "several columns": (form(selector={"selected_column_selector_option": "all_columns"}), SMALL, None,
                        "2 columns selected; select the one column that holds the texts"),
    "empty dataset": (form(), "", None, "the texts dataset: the dataset is empty"),
    "header but no rows": (form(header=True), "id\ttext\n", None, "the table has a header but no rows"),
    "not UTF-8": (form(), "r1\tcaf\xe9\n".encode("latin-1"), None, "the dataset is not UTF-8 text"),
    "ragged rows": (form(), "r1\tgood\nr2\tbad\textra\n", None, "rows have different numbers of columns"),
    "maxlen 0": (form(maxlen=0), SMALL, None, "parameter 'vocabulary|maxlen' must be at least 1, got 0"),
    "num_words 0": (form(num_words=0), SMALL, None, "parameter 'vocabulary|num_words' must be at least 1, got 0"),
    "negative start value": (form(advanced={"start_char": -1}), SMALL, None,
                             "parameter 'vocabulary|advanced|start_char' must be at least 0, got -1"),
    "unknown padding": (form(advanced={"padding": "middle"}), SMALL, None,
                        "parameter 'vocabulary|advanced|padding' must be one of post, pre"),
    "unknown vocabulary choice": ({**form(), "vocabulary": {"source": "guess"}}, SMALL, None, "must be one of"),
    "word index missing": (form("word_index"), SMALL, None, "needs a vocabulary dataset"),
    "word index is a list": (form("word_index"), SMALL, ["the", "and"],
                             "the word index must be a JSON object of word -> rank"),
    "word index is empty": (form("word_index"), SMALL, {}, "the word index is empty"),
    "negative rank": (form("word_index"), SMALL, {"the": 1, "movie": -3},
                      "the word index: the rank of 'movie' must be a whole number from 1 to 2147483647, got -3"),
    "fractional rank": (form("word_index"), SMALL, {"the": 1.5}, "the rank of 'the' must be a whole number"),
    "text rank": (form("word_index"), SMALL, {"the": "1"}, "the rank of 'the' must be a whole number"),
    "true as a rank": (form("word_index"), SMALL, {"the": True}, "got true"),
    "word index not JSON": (form("word_index"), SMALL, "the 1\nand 2\n", "the word index is not valid JSON"),
    "word index file empty": (form("word_index"), SMALL, "", "the word index: the dataset is empty"),
    "plain index as saved vocabulary": (form("saved"), SMALL, {"the": 1},
                                        "the saved vocabulary is not a vocabulary saved by this tool"),
    "saved vocabulary with an unknown setting": (
        form("saved"), SMALL, {**SAVED, "settings": {**SAVED["settings"], "max_len": 3}},
        "the saved vocabulary: unknown setting 'max_len'"),
    "saved vocabulary with maxlen 0": (
        form("saved"), SMALL, {**SAVED, "settings": {**SAVED["settings"], "maxlen": 0}},
        "the saved vocabulary: setting 'maxlen' must be a whole number from 1 to 2147483647 or empty, got 0"),
    "saved vocabulary with a bad word index": (
        form("saved"), SMALL, {**SAVED, "word_index": {"a": 0}},
        "the saved vocabulary ('word_index'): the rank of 'a' must be a whole number"),
    "saved vocabulary of another version": (form("saved"), SMALL, {**SAVED, "format_version": 99},
                                            "has format version 99"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_input_one_line_error_and_no_outputs(case, tool, tmp_path):
    params, texts, vocabulary, expected = BAD[case]
    texts_path = texts if isinstance(texts, Path) else _file(tmp_path, "texts.tsv", texts)
    outputs = [tmp_path / "sequences.tsv", tmp_path / "vocabulary.json"]
    for path in outputs:
        path.write_text("")  # Galaxy pre-creates the outputs
    args = ["--infile1", texts_path, "--outfile-sequences", outputs[0], "--outfile-vocabulary", outputs[1]]
    if vocabulary is not None:
        args += ["--vocabulary-in", _file(tmp_path, "vocabulary_in.json", vocabulary)]
    err = tool.fails(SCRIPT, params, *args)
    assert expected in err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(("sequences", "vocabulary.", ".sequences",
                                                                    ".vocabulary"))]


def test_bad_input_as_galaxy_runs_it(tmp_path):
    """A real process: exit status 1, one line on stderr, the pre-created outputs removed."""
    params = _file(tmp_path, "inputs.json", form(header=True, selector={"selected_column_selector_option":
                                                                        "by_header_name", "col1": "review"}))
    outputs = [_file(tmp_path, "out1.tsv", ""), _file(tmp_path, "out2.json", "")]
    result = subprocess.run([sys.executable, str(ROOT / "tools" / f"{SCRIPT}.py"), "--inputs", str(params),
                             "--infile1", str(REVIEWS), "--outfile-sequences", str(outputs[0]),
                             "--outfile-vocabulary", str(outputs[1])], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["Error: the texts dataset: no column named 'review' (is 'header' "
                                                  "set? columns are id, rating, label, text)"]
    assert not any(path.exists() for path in outputs)


def test_read_word_index_accepts_a_saved_vocabulary(tmp_path):
    assert read_word_index(TEST_DATA / "text_small_vocabulary.json") == dict(zip(SMALL_WORDS, range(1, 19)))
    with pytest.raises(UserError, match="not a vocabulary saved by this tool"):
        read_vocabulary(TEST_DATA / "text_word_index.json")


# --------------------------------------------------------------------------- sizes and ambiguous vocabularies

def test_two_words_with_one_rank_are_refused():
    with pytest.raises(UserError, match="the words 'film' and 'movie' both have rank 2"):
        check_word_index({"the": 1, "film": 2, "movie": 2}, "the word index")
    assert check_word_index({"the": 1, "film": 2}, "the word index") == {"the": 1, "film": 2}


def test_padding_refuses_a_matrix_beyond_the_budget_before_allocating(monkeypatch):
    monkeypatch.setenv("GALAXY_MEMORY_MB", "1024")
    lengths = np.ones(1000, dtype=np.int64)
    with pytest.raises(UserError, match="1,000 sequences of 100,000 values would need 762.9 MB"):
        pad_sequences(np.ones(1000, dtype=np.int64), lengths, 100_000)
    assert pad_sequences(np.ones(1000, dtype=np.int64), lengths, 10_000).shape == (1000, 10_000)


def test_wide_tables_are_written_in_blocks_of_cells(tmp_path, monkeypatch):
    import galaxy_keras.text_sequences as text_sequences

    monkeypatch.setattr(text_sequences, "WRITE_BLOCK_CELLS", 7)  # blocks of 2 rows of 3, and the rest
    matrix = np.arange(15).reshape(5, 3)
    write_int_table(matrix, tmp_path / "t.tsv")
    assert (tmp_path / "t.tsv").read_text() == "".join("\t".join(map(str, row)) + "\n" for row in matrix.tolist())


def test_the_form_allows_maxlen_up_to_its_limit(tool, tmp_path):
    rows, vocabulary = run(tool, tmp_path, form(maxlen=100_000), SMALL)
    assert rows.shape == (4, 100_000) and vocabulary["settings"]["maxlen"] == 100_000
    err = tool.fails(SCRIPT, form(maxlen=100_001), "--infile1", SMALL, "--outfile-sequences", tmp_path / "s.tsv",
                     "--outfile-vocabulary", tmp_path / "v.json")
    assert "parameter 'vocabulary|maxlen' must be at most 100,000" in err


def test_a_form_without_the_advanced_section_takes_keras_defaults(tool, tmp_path):
    params = form(maxlen=12)
    del params["vocabulary"]["advanced"]
    rows, vocabulary = run(tool, tmp_path, params, SMALL)
    assert rows.tolist() == SMALL_ROWS and vocabulary["settings"]["index_from"] == 3
