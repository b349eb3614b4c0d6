"""One line, always: names from users' files escaped and bounded; labels and weights that cannot be right refused."""

import subprocess
import sys
import zipfile

import numpy as np
import pytest
from conftest import ROOT, TEST_DATA, train_params

from galaxy_keras.errors import MESSAGE_LIMIT, SHOWN_LIMIT, UserError, one_line, quoted, shown, traceback_text
from galaxy_keras.keras_env import keras
from galaxy_keras.model_checks import ModelMeta
from galaxy_keras.model_io import check_finite_weights, load_model, model_weights, save_model

TRAINED = TEST_DATA / "tiny_lstm_trained.keras"
# Characters that end a line for some reader: Python's str.splitlines (Galaxy's job view), a terminal, a browser.
LINE_BREAKS = ["\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def single_printable_line(text: str) -> bool:
    return len(text.splitlines()) == 1 and text.isprintable()


# -- shown, quoted and one_line ---------------------------------------------------------------

@pytest.mark.parametrize("char", LINE_BREAKS + ["\x00", "\x1b", "\x7f", "\u200b"])
def test_shown_escapes_every_line_break_and_control_character(char):
    text = shown(f"dense{char}Error: all good")
    assert single_printable_line(text), text
    assert text.endswith("Error: all good") and text.startswith("dense\\")


def test_shown_writes_escapes_as_python_does():
    assert shown("a\nb") == "a\\nb"
    assert shown("a\x00b") == "a\\x00b"
    assert shown("a\x1b[31mred") == "a\\x1b[31mred"
    assert shown("a\u2028b") == "a\\u2028b"
    assert shown("ordinary name_1") == "ordinary name_1"
    assert shown("é ü 漢字") == "é ü 漢字"  # printable Unicode stays readable


def test_shown_bounds_a_huge_name():
    text = shown("x" * 70_000)
    assert len(text) == SHOWN_LIMIT and text.endswith("...")
    escaped = shown("\n" * 70_000)  # each escape takes two characters: still bounded
    assert len(escaped) == SHOWN_LIMIT and single_printable_line(escaped)


def test_shown_of_bytes_and_containers_is_a_bounded_repr():
    assert shown(b"a\nb\x00") == "b'a\\nb\\x00'"
    huge = shown(list(range(1_000_000)))
    assert len(huge) <= SHOWN_LIMIT and huge.startswith("[0, 1, 2") and "..." in huge
    nested = shown({"k\n": ["v\u2028"] * 1000})
    assert single_printable_line(nested) and len(nested) <= SHOWN_LIMIT


def test_quoted_quotes_text_only():
    assert quoted("a\nb") == "'a\\nb'"
    assert quoted(5) == "5"
    assert quoted(None) == "None"
    assert quoted("y" * 100, 10) == "'yyyyyyy...'"


@pytest.mark.parametrize("char", LINE_BREAKS + ["\x00"])
def test_one_line_keeps_a_message_on_one_printable_line(char):
    message = f"the layer 'a{char}Error: all good' is refused"
    assert single_printable_line(one_line(message))


def test_one_line_bounds_a_message():
    assert len(one_line("m" * 70_000)) == MESSAGE_LIMIT


# -- what reaches stderr ---------------------------------------------------------------------

SCRIPT = """
import sys, warnings
sys.path.insert(0, {tools!r})
from galaxy_keras.errors import UserError, run_tool

def main():
    warnings.warn("a library's warning\\nError: all good")
    if sys.argv[1] == "refusal":
        raise UserError("the layer 'dense\\nError: all good\\x00' is refused")
    try:
        raise KeyError("dense\\nError: all good\\x00")
    except KeyError as err:
        raise ValueError("a bug\\r\\nTraceback (most recent call last):") from err

run_tool(main)
"""


def run_script(tmp_path, mode: str) -> subprocess.CompletedProcess:
    script = tmp_path / "tool.py"
    script.write_text(SCRIPT.format(tools=str(ROOT / "tools")))
    return subprocess.run([sys.executable, str(script), mode], capture_output=True, text=True, cwd=tmp_path,
                          timeout=60)


def test_a_refusal_is_one_escaped_line_on_stderr_and_warnings_go_to_stdout(tmp_path):
    result = run_script(tmp_path, "refusal")
    assert result.returncode == 1
    assert result.stderr == "Error: the layer 'dense\\nError: all good\\x00' is refused\n"
    assert result.stdout.startswith("Warning: UserWarning: a library's warning\\nError: all good (")
    assert len(result.stdout.splitlines()) == 1


def test_a_bug_keeps_its_traceback_with_every_message_on_one_line(tmp_path):
    result = run_script(tmp_path, "bug")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[-1] == "Error: unexpected ValueError: a bug Traceback (most recent call last):"
    assert "KeyError: 'dense\\nError: all good\\x00'" in lines
    assert "ValueError: a bug\\r\\nTraceback (most recent call last):" in lines
    assert "The above exception was the direct cause of the following exception:" in lines
    # Only the tool's own last line starts with "Error:", and no control character reaches stderr.
    assert [line for line in lines if line.startswith("Error:")] == [lines[-1]]
    assert all(line.isprintable() for line in lines)


def test_traceback_text_follows_a_context_chain():
    try:
        try:
            raise OSError("first\n")
        except OSError:
            raise RuntimeError("second")
    except RuntimeError as err:
        text = traceback_text(err)
    assert "OSError: first\\n\n" in text
    assert "During handling of the above exception, another exception occurred:" in text
    assert text.rstrip().endswith("RuntimeError: second")


# -- class labels in a model's settings ------------------------------------------------------------

def settings(classes) -> dict:
    return {"format_version": 1, "learning_type": "classifier", "classes": classes, "trained": True}


@pytest.mark.parametrize("classes, message", [
    ([5, 5, 5], "'classes' lists the label '5' twice"),
    (["a", "b", "a"], "'classes' lists the label 'a' twice"),
    ([1, 1.0], "'classes' lists the label '1.0' twice"),
    (["5", 5], "'classes' lists the label '5' twice"),  # a prediction table shows both as 5
    (["x\nError: all good", "x\nError: all good"], "lists the label 'x\\\\nError: all good' twice"),
    (["a\x00", "a\x00"], "lists the label 'a\\\\x00' twice"),
    ([0, float("nan")], "'classes' holds nan, which is not a class label"),
    ([0, float("inf")], "'classes' holds inf, which is not a class label"),
])
def test_class_labels_that_cannot_be_right_are_refused(classes, message):
    with pytest.raises(UserError, match=message) as refused:
        ModelMeta.from_data(settings(classes), "the model file's galaxy_keras.json")
    assert single_printable_line(str(refused.value))


def test_distinct_class_labels_are_kept():
    assert ModelMeta.from_data(settings(["a", "b", 0, 1.5]), "x").classes == ["a", "b", 0, 1.5]


# -- non-finite weights ----------------------------------------------------------------------------

def dense_model(kernel: float, bias: float = 0.0, name: str = "out\nError: x"):
    """One sigmoid unit on one feature; its layer's name holds a newline, as a hostile file's may."""
    constant = keras.initializers.Constant
    dense = keras.layers.Dense(1, activation="sigmoid", name=name, kernel_initializer=constant(kernel),
                               bias_initializer=constant(bias))
    return keras.Sequential([keras.Input((1,)), dense])


def test_the_first_non_finite_weight_is_named_with_its_layer_and_variable():
    check_finite_weights(dense_model(0.5), "the model file")  # finite: nothing to say
    model = dense_model(0.5, bias=float("nan"))
    bad = [(layer, path) for layer, path, values in model_weights(model) if not np.isfinite(values).all()]
    assert len(bad) == 1 and bad[0][0] == "out\nError: x" and bad[0][1].endswith("bias")
    with pytest.raises(UserError) as refused:
        check_finite_weights(model, "the model file")
    message = str(refused.value)
    assert message.startswith("the model file: the layer 'out\\nError: x' holds 1 NaN or infinite value in its "
                              "variable '") and message.endswith("train the model again with 'Deep learning "
                                                                  "training and evaluation'")
    assert "\n" not in message


def with_nan_weight(tmp_path):
    """The trained test model with the first weight of its weights file set to NaN."""
    import io

    import h5py

    path = tmp_path / "model.dat"
    with zipfile.ZipFile(TRAINED) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "model.weights.h5":
                buffer = io.BytesIO(data)
                with h5py.File(buffer, "a") as handle:
                    first = []
                    handle.visititems(lambda key, obj: first.append(key) if isinstance(obj, h5py.Dataset)
                                      and obj.dtype.kind == "f" and obj.size else None)
                    dataset = handle[sorted(first)[0]]
                    values = dataset[()]
                    values.flat[0] = np.nan
                    dataset[...] = values
                data = buffer.getvalue()
            target.writestr(name, data)
    return path


def test_a_keras_file_with_a_nan_weight_is_refused_on_loading(tmp_path):
    with pytest.raises(UserError, match="the model file: the layer '[^']+' holds 1 NaN or infinite value in its "
                                        "variable '[^']+'; train the model again"):
        load_model(with_nan_weight(tmp_path))


def test_training_that_makes_a_weight_infinite_saves_no_model(tmp_path, tool):
    """One batch, so the loss Keras reports is the finite one before the update; the update overflows.

    Samples of 1e38 (finite in float32), a kernel of 0.1 and a learning rate of 10: the loss
    (about 1e37 a row) stays finite, the kernel's step (10 x 0.5 x 1e38) does not: the kernel
    becomes -inf.
    """
    model = dense_model(0.1, name="out")  # TensorFlow refuses to train a layer whose name holds a newline
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=10.0), loss="binary_crossentropy", metrics=["acc"])
    built = tmp_path / "built.keras"
    save_model(model, built, ModelMeta("classifier", {"epochs": 1, "batch_size": 64, "validation_split": 0.0,
                                                      "random_seed": 1, "callbacks": []}))
    x, y = tmp_path / "x.tsv", tmp_path / "y.tsv"
    x.write_text("1e38\n" * 16)
    y.write_text("0\n1\n" * 8)
    outputs = [tmp_path / name for name in ("result.tsv", "history.tsv", "model.dat")]
    error = tool.fails("keras_train_and_eval", train_params(), "--estimator", built,
                       "--infile1", x, "--infile2", y, "--outfile-result", outputs[0], "--outfile-history",
                       outputs[1], "--outfile-object", outputs[2])
    assert error.startswith("Error: training diverged: the trained model: the layer 'out' holds 1 NaN "
                            "or infinite value in its variable '"), error
    assert error.endswith("it was not saved; lower the learning rate in 'Create deep learning model' and check the "
                          "training samples and labels for extreme values"), error
    assert not any(path.exists() for path in outputs)
