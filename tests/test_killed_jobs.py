"""A job that Galaxy stops (SIGTERM) or a person interrupts (SIGINT) leaves nothing behind.

Galaxy stops a job with SIGTERM when it is deleted, when it runs past its
walltime or when the server shuts down. The training tool is killed here in
the middle of its epochs, as a real process in a job folder of its own, and
must exit non-zero with one line of explanation, removing its pre-created and
partial outputs and its private temporary folder (TensorFlow's autograph files
and Keras' extractions live there).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, TEST_DATA, builder_params, train_params

SCRIPTS = ROOT / "tools"


@pytest.fixture(scope="module")
def endless_model(tmp_path_factory):
    """The tiny LSTM built with far more epochs than the test waits for."""
    folder = tmp_path_factory.mktemp("endless")
    params = folder / "inputs.json"
    params.write_text(json.dumps(builder_params(epochs=100000)))
    model = folder / "built.keras.dat"
    subprocess.run([sys.executable, str(SCRIPTS / "keras_model_builder.py"), "--inputs", str(params),
                    "--model-json", str(TEST_DATA / "tiny_lstm_model.json"), "--outfile", str(model)],
                   check=True, capture_output=True, timeout=300)
    return model


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stopped_training_job_leaves_nothing(endless_model, tmp_path, signum):
    job, tmp = tmp_path / "job", tmp_path / "tmp"
    job.mkdir(), tmp.mkdir()
    params = tmp_path / "inputs.json"
    params.write_text(json.dumps(train_params(save=("save_estimator", "save_prediction"))))
    outputs = []
    for i, option in enumerate(["--outfile-result", "--outfile-history", "--outfile-object", "--outfile-y-preds"]):
        path = job / f"output{i}.dat"
        path.write_text("")
        outputs += [option, str(path)]
    process = subprocess.Popen(
        [sys.executable, str(SCRIPTS / "keras_train_and_eval.py"), "--inputs", str(params), "--estimator",
         str(endless_model), "--infile1", str(TEST_DATA / "imdb_X_train_sample.tsv"), "--infile2",
         str(TEST_DATA / "imdb_y_train_sample.tsv"), *outputs],
        cwd=job, env={**os.environ, "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The tool holds its stdout back until it ends (the outcome is printed first), so training is waited
        # for by time; the epochs it printed, which come out when it stops, show that it was stopped in them.
        deadline = time.monotonic() + 60
        while len([p for p in job.iterdir() if p.name.endswith(".part")]) < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(20)
        private = [p.name for p in job.iterdir() if p.name.startswith(".galaxy_keras_tmp-")]
        assert len(private) == 1, "the job's temporary files should be in a folder of its own in the job folder"
        partial = [p.name for p in job.iterdir() if p.name.endswith(".part")]
        assert len(partial) == 4, "the outputs are being written beside their targets"
        time.sleep(0.5)
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 128 + signum, stderr[-2000:]
    assert "Epoch 3/" in stdout, "the job was not stopped while training: " + stdout[-2000:]
    lines = stderr.strip().splitlines()
    assert lines[-1] == (f"Error: the job was stopped ({signal.Signals(signum).name}) before it finished; its "
                         f"outputs and temporary files were removed"), stderr[-2000:]
    assert sorted(p.name for p in job.iterdir()) == []
    assert sorted(p.name for p in tmp.iterdir()) == []
