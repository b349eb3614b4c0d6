"""The device line: every CUDA_VISIBLE_DEVICES case with made-up GPU lists, and the real probe on this machine."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from galaxy_keras.device import PREFIX, Gpu, describe, slots, visible_devices
from galaxy_keras.timing import MEMORY_PREFIX

H200 = Gpu("/physical_device:GPU:0", "NVIDIA H200", (9, 0))
SECOND = Gpu("/physical_device:GPU:1", "NVIDIA H200", (9, 0))


def line(cuda_visible, gpus=(), built_with_cuda=True, galaxy_slots="2", cores=16, growth_error=None):
    return describe(cuda_visible, list(gpus), built_with_cuda=built_with_cuda, galaxy_slots=galaxy_slots,
                    cores=cores, growth_error=growth_error)


@pytest.mark.parametrize("value, state", [
    (None, "unset"), ("", "empty"), ("  ", "empty"), (",", "empty"), ("-1", "hidden"), ("-1,0", "hidden"),
    ("0", "list"), ("0,1", "list"), ("GPU-8f6e1a2b", "list"), ("MIG-1c2d", "list")])
def test_visible_devices(value, state):
    assert visible_devices(value)[0] == state


@pytest.mark.parametrize("value, expected", [(None, None), ("", None), ("0", None), ("-2", None), ("x", None),
                                             ("4", 4), (" 8 ", 8)])
def test_slots(value, expected):
    assert slots(value) == expected


def test_gpu_given_by_the_destination():
    assert line("0", [H200]) == ("device: GPU /physical_device:GPU:0 (NVIDIA H200, compute capability 9.0); "
                                 "CUDA_VISIBLE_DEVICES=0 set by the job's destination")


def test_gpu_without_details_and_by_uuid():
    assert line("GPU-8f6e1a2b", [Gpu("/physical_device:GPU:0")]) == (
        "device: GPU /physical_device:GPU:0; CUDA_VISIBLE_DEVICES=GPU-8f6e1a2b set by the job's destination")


def test_several_gpus_first_is_used():
    text = line("2,3", [H200, SECOND])
    assert text.startswith("device: GPU /physical_device:GPU:0 (NVIDIA H200")
    assert "the first of the 2 GPUs TensorFlow found (Keras uses one)" in text
    assert text.endswith("CUDA_VISIBLE_DEVICES=2,3 set by the job's destination")


def test_gpu_with_the_variable_unset():
    assert line(None, [H200]).endswith("CUDA_VISIBLE_DEVICES is not set, so the job sees every GPU of its machine")


def test_memory_growth_failure_is_said():
    text = line("0", [H200], growth_error="Physical devices cannot be modified after being initialized")
    assert "memory growth could not be turned on (Physical devices cannot be modified" in text


def test_cpu_unset():
    assert line(None) == ("device: CPU, 2 threads (GALAXY_SLOTS=2); no GPU: "
                          "CUDA_VISIBLE_DEVICES is not set and TensorFlow found none")


def test_cpu_all_cores_without_slots():
    assert line(None, galaxy_slots=None, cores=16).startswith("device: CPU, all 16 cores (GALAXY_SLOTS is not set); ")
    assert line(None, galaxy_slots="1").startswith("device: CPU, 1 thread (GALAXY_SLOTS=1); ")


def test_cpu_empty():
    assert line("").endswith("no GPU: CUDA_VISIBLE_DEVICES is empty, so the destination gave this job no GPU")


def test_cpu_hidden():
    assert line("-1").endswith("no GPU: CUDA_VISIBLE_DEVICES=-1 hides every GPU from this job")


def test_cpu_gpu_given_but_not_found():
    cuda_build = line("0", built_with_cuda=True)
    assert ("no GPU: CUDA_VISIBLE_DEVICES=0 but TensorFlow found no GPU (this TensorFlow is built with CUDA: "
            in cuda_build)
    assert "NVIDIA driver or TensorFlow's CUDA libraries" in cuda_build
    assert line("0", built_with_cuda=False).endswith(
        "CUDA_VISIBLE_DEVICES=0 but TensorFlow found no GPU (this TensorFlow is a CPU-only build)")


def test_every_case_is_one_line():
    for value in (None, "", "-1", "0", "0,1"):
        for gpus in ((), (H200,), (H200, SECOND)):
            text = line(value, gpus)
            assert text.startswith(PREFIX) and "\n" not in text


def test_this_machine_has_no_gpu_and_says_so():
    """A fresh process, as a Galaxy job: the CPU line on stdout and nothing at all on stderr."""
    env = {**os.environ, "GALAXY_SLOTS": "2", "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("CUDA_VISIBLE_DEVICES", None)
    result = subprocess.run([sys.executable, "-c", "from galaxy_keras.device import line; print(line())"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("device: CPU, 2 threads (GALAXY_SLOTS=2); no GPU: "
                             "CUDA_VISIBLE_DEVICES is not set and TensorFlow found none\n")
    assert result.stderr == ""


def test_training_and_prediction_tools_print_device_and_memory(tool, tmp_path, built_lstm, sequences, capsys):
    from conftest import ALL_COLUMNS, train_params

    x, y, _, _ = sequences
    trained = tmp_path / "trained.keras.dat"
    capsys.readouterr()
    tool("keras_train_and_eval", train_params(), "--estimator", built_lstm, "--infile1", x, "--infile2", y,
         "--outfile-result", tmp_path / "metrics.tsv", "--outfile-object", trained)
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert sum(line.startswith(f"{PREFIX} CPU") for line in lines) == 1, captured.out
    memory = [line for line in lines if line.startswith(MEMORY_PREFIX)]
    assert len(memory) == 1 and memory[0].startswith("memory: peak resident ") and memory[0].endswith(" MB")
    assert int(memory[0].split()[-2].replace(",", "")) > 100  # TensorFlow alone is several hundred MB
    assert lines[-1] == memory[0]

    tool("model_prediction", {"method": "predict", "input_options": {
        "selected_input": "tabular", "header1": False, "column_selector_options_1": ALL_COLUMNS}},
         "--estimator", trained, "--infile1", x, "--outfile-predict", tmp_path / "predicted.tsv")
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith(f"{PREFIX} CPU") for line in lines) == 1
    assert lines[-1].startswith("memory: peak resident ")
