"""The tools' time profile: phases add up and are reported one per line."""

from __future__ import annotations

import time

import pytest

from galaxy_keras.timing import PREFIX, Phases, seconds_since_process_start


def test_phases_add_up_in_order():
    phases = Phases()
    phases.seconds.clear()  # leave out this test process's start-up
    with phases.phase("reading"):
        time.sleep(0.05)
    phases.add("training", 1.5)
    phases.add("training", 0.5)
    phases.add("negative is clamped", -3)
    assert list(phases.seconds) == ["reading", "training", "negative is clamped"]
    assert phases.seconds["reading"] >= 0.05
    assert phases.seconds["training"] == pytest.approx(2.0)
    lines = phases.report().splitlines()
    assert all(line.startswith(PREFIX) for line in lines)
    assert lines[-1].split()[1] == "total"
    assert float(lines[-1].split()[-2]) == pytest.approx(sum(phases.seconds.values()), abs=0.01)


def test_process_age_grows():
    first = seconds_since_process_start()
    assert first is not None and first > 0
    time.sleep(0.05)
    assert seconds_since_process_start() > first


def test_training_tool_prints_its_profile(tool, tmp_path, built_lstm, sequences, capsys):
    from conftest import train_params

    x, y, _, _ = sequences
    tool("keras_train_and_eval", train_params(), "--estimator", built_lstm, "--infile1", x, "--infile2", y,
         "--outfile-result", tmp_path / "metrics.tsv")
    printed = capsys.readouterr().out
    for phase in ("reading the tables", "starting TensorFlow and Keras", "loading the model",
                  "first epoch (tracing included)", "later epochs", "writing the outputs", "total"):
        assert f"{PREFIX} {phase}" in printed
