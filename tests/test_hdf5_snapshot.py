"""The guarded child and the HDF5 snapshot: crashes, hangs and bombs in a child become one-line errors.

No TensorFlow here: these are the checks a tool runs before it starts.
guarded_functions.py holds the misbehaving functions (a SIGSEGV, a loop that
blocks SIGTERM, an allocation beyond the limit); hostile_hdf5.py the
reviewer's damaged and hand-made files.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import h5py
import hostile_hdf5 as hostile
import numpy as np
import pytest
from conftest import ROOT, TOOLS

from galaxy_keras import hdf5_snapshot
from galaxy_keras.errors import UserError
from galaxy_keras.guarded_child import ChildFailed, Limits, run_guarded
from galaxy_keras.hdf5_checks import read_names, read_text
from galaxy_keras.model_checks import check_hdf5_model, check_model_file

TESTS = ROOT / "tests"
ENV = {"PYTHONPATH": str(TESTS)}
QUICK = Limits(timeout_s=20, memory_bytes=256 * 1024**2, cpu_s=20)


@pytest.fixture(autouse=True)
def fresh_cache():
    hdf5_snapshot._CACHE.clear()
    yield
    hdf5_snapshot._CACHE.clear()


def folder_for(tmp_path: Path) -> Path:
    folder = tmp_path / "child"
    folder.mkdir()
    return folder


# -- the guarded child -----------------------------------------------------------------------------------------

def started_child(tool: subprocess.Popen) -> str:
    """The pid of the guarded child a tool process started: it prints the child's folder, the child writes its
    pid there and reports progress once it runs."""
    folder = Path(tool.stdout.readline().strip())
    deadline = time.monotonic() + 30
    while not (folder / "progress.txt").exists() or not (folder / "progress.txt").read_text():
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    return (folder / "pid").read_text()


def test_child_returns_its_result_from_a_process_of_its_own(tmp_path):
    result = run_guarded("guarded_functions:echo", {"value": [1, "two"]}, folder_for(tmp_path), QUICK, ENV)
    assert result["value"] == [1, "two"] and result["pid"] != os.getpid() and result["cwd"]


def test_child_user_error_is_raised_again_in_the_parent(tmp_path):
    with pytest.raises(UserError, match="^the file is odd$"):
        run_guarded("guarded_functions:refuse", {"message": "the file is odd"}, folder_for(tmp_path), QUICK, ENV)


def test_child_segfault_names_what_it_was_reading(tmp_path):
    with pytest.raises(ChildFailed) as failed:
        run_guarded("guarded_functions:crash", {}, folder_for(tmp_path), QUICK, ENV)
    assert (failed.value.kind, failed.value.detail) == ("crash", "SIGSEGV")
    assert failed.value.doing == "the attribute 'layer_names' of '/model_weights'"
    assert not list((tmp_path / "child").glob("core*"))  # RLIMIT_CORE 0: no core file in the job


def test_child_that_hangs_and_ignores_sigterm_is_killed_at_the_timeout(tmp_path):
    folder = folder_for(tmp_path)
    start = time.monotonic()
    with pytest.raises(ChildFailed) as failed:
        run_guarded("guarded_functions:hang", {}, folder, Limits(timeout_s=2, memory_bytes=256 * 1024**2, cpu_s=20),
                    ENV)
    assert time.monotonic() - start < 10
    assert (failed.value.kind, failed.value.doing) == ("timeout", "the attribute 'model_config' of '/'")
    assert not Path(f"/proc/{(folder / 'pid').read_text()}").exists()  # killed and reaped


def test_child_cpu_limit_ends_a_spin(tmp_path):
    with pytest.raises(ChildFailed) as failed:
        run_guarded("guarded_functions:spin", {}, folder_for(tmp_path),
                    Limits(timeout_s=60, memory_bytes=256 * 1024**2, cpu_s=1), ENV)
    assert failed.value.kind == "cpu"


def test_child_memory_limit_ends_a_bomb(tmp_path):
    with pytest.raises(ChildFailed) as failed:
        run_guarded("guarded_functions:allocate", {"megabytes": 4096}, folder_for(tmp_path), QUICK, ENV)
    assert (failed.value.kind, failed.value.doing) == ("memory", "a huge attribute")


def test_child_exit_without_result_is_a_bug_not_a_damaged_file(tmp_path):
    with pytest.raises(ChildFailed) as failed:
        run_guarded("guarded_functions:exit_without_result", {}, folder_for(tmp_path), QUICK, ENV)
    assert failed.value.kind == "failed"


def test_sigterm_while_waiting_kills_the_child_and_removes_everything(tmp_path):
    """Galaxy stops the job while the child hangs: the tool exits 143, and neither child nor folder is left."""
    script = tmp_path / "tool.py"
    script.write_text(textwrap.dedent(f"""
        import sys, tempfile
        from pathlib import Path
        sys.path[:0] = [{str(TOOLS)!r}, {str(TESTS)!r}]
        from galaxy_keras.errors import run_tool
        from galaxy_keras.guarded_child import Limits, run_guarded

        def main():
            folder = Path(tempfile.mkdtemp(prefix="child-"))
            print(folder, flush=True)
            run_guarded("guarded_functions:hang", {{}}, folder, Limits(300, 256 * 1024**2, 300),
                        {{"PYTHONPATH": {str(TESTS)!r}}})

        run_tool(main)
    """))
    job = tmp_path / "job"
    job.mkdir()
    tool = subprocess.Popen([sys.executable, str(script)], cwd=job, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    child_pid = started_child(tool)
    tool.send_signal(signal.SIGTERM)
    _, stderr = tool.communicate(timeout=30)
    assert tool.returncode == 128 + signal.SIGTERM, stderr
    assert stderr.strip().splitlines()[-1].startswith("Error: the job was stopped (SIGTERM)")
    assert not Path(f"/proc/{child_pid}").exists()
    assert list(job.iterdir()) == []  # the private temporary folder, with the child's folder in it, is gone


# -- the snapshot ---------------------------------------------------------------------------------------------

def test_snapshot_holds_what_h5py_reads(tmp_path):
    snapshot = check_hdf5_model(hostile.DENSE)
    root = snapshot.root
    assert snapshot.layout == "keras_h5"
    weights = root.group("model_weights", "weights")
    assert read_names(weights.attrs["layer_names"], "names") == ["dense", "batch_normalization", "dropout", "dense_1"]
    assert read_names(weights.get("dropout").attrs["weight_names"], "names") == []
    with h5py.File(hostile.DENSE) as handle:
        kernel = handle["model_weights/dense/dense/kernel:0"][()]
        assert read_text(root.attrs["model_config"], "config") == handle.attrs["model_config"]
    stored = root.dataset("model_weights/dense/dense/kernel:0", "kernel")
    assert stored.shape == kernel.shape and np.array_equal(stored.value, kernel)
    assert check_hdf5_model(hostile.DENSE) is snapshot  # the loader reuses the check's reading


def test_snapshot_leaves_nothing_in_the_temporary_folder(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    check_hdf5_model(hostile.DENSE)
    with pytest.raises(UserError):
        check_hdf5_model(hostile.flipped(tmp_path, hostile.HANG_OFFSET, "hang.h5"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hang.h5"]


def test_snapshot_reads_only_through_the_child(tmp_path, monkeypatch):
    """The parent never opens the user's file with h5py: a File() in this process fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("h5py.File opened in the tool's process")

    monkeypatch.setattr(h5py, "File", refuse)
    assert check_hdf5_model(hostile.GALAXY_ML_CLASSIFIER).layout == "galaxy_ml"


def test_byte_flip_that_crashed_libhdf5_is_one_user_error(tmp_path):
    with pytest.raises(UserError, match="^the model file is damaged: the HDF5 library crashed \\(SIGSEGV\\) reading "
                                        "the attribute 'layer_names' of '/model_weights'; upload it again$"):
        check_model_file(hostile.flipped(tmp_path, hostile.CRASH_OFFSET))


def test_byte_flip_that_made_libhdf5_loop_is_ended_at_the_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv(hdf5_snapshot.TIMEOUT_ENV, "2")
    start = time.monotonic()
    with pytest.raises(UserError, match="^the model file is damaged: the HDF5 library did not finish reading the "
                                        "attribute '[a-z_]+' of '/' within 2 s; upload it again$"):
        check_model_file(hostile.flipped(tmp_path, hostile.HANG_OFFSET))
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("make, message", [
    (hostile.attributes_dataset, "the Galaxy-ML model file's '-keras_models-/0/attributes' is a dataset where a "
                                 "group is expected"),
    (hostile.weights_dataset, "the model file's model_weights is a dataset where a group is expected"),
    (hostile.model_dataset, "the Galaxy-ML model file's '-keras_models-/0' is a dataset where a group is expected"),
    (hostile.classes_heap_bomb, "the model file has the text dataset '/-keras_models-/0/attributes/classes_' of "
                                "more than 16.0 MB of text"),
    (hostile.huge_params, "the model file has the text dataset '/-keras_models-/0/params' of 1.4 GB, more than "
                          "the 16.0 MB any model needs"),
    (hostile.unknown_filter, "compressed with the filter 32004 (lz4), which is not built into HDF5"),
    (hostile.non_finite_kernel, "the model file's model_weights: the layer 'dense' holds 2 NaN or infinite values "
                                "in its variable 'dense/kernel:0'"),
    (hostile.duplicate_classes, "'classes' lists the label '5' twice"),
    (hostile.looped_groups, "links the group '/model_weights/dense/back' into itself or twice (a loop)"),
    (hostile.deeply_nested, "has objects nested too deeply"),
], ids=lambda item: getattr(item, "__name__", "message"))
def test_hostile_hdf5_files_are_refused_before_tensorflow(make, message, tmp_path):
    path = make(tmp_path)
    with pytest.raises(UserError) as refused:
        check_model_file(path)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_child_dies_with_a_parent_killed_by_sigkill(tmp_path):
    """A runner that SIGKILLs the tool (not the child's session) leaves no child reading the file."""
    script = tmp_path / "tool.py"
    script.write_text(textwrap.dedent(f"""
        import sys, tempfile
        from pathlib import Path
        sys.path[:0] = [{str(TOOLS)!r}, {str(TESTS)!r}]
        from galaxy_keras.guarded_child import Limits, run_guarded

        folder = Path(tempfile.mkdtemp(prefix="child-", dir={str(tmp_path)!r}))
        print(folder, flush=True)
        run_guarded("guarded_functions:hang", {{}}, folder, Limits(300, 256 * 1024**2, 300),
                    {{"PYTHONPATH": {str(TESTS)!r}}})
    """))
    tool = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    child_pid = started_child(tool)
    tool.kill()
    tool.wait()
    deadline = time.monotonic() + 10
    try:
        while Path(f"/proc/{child_pid}").exists() and "Z" not in _state(child_pid):
            assert time.monotonic() < deadline, "the child outlived its parent"
            time.sleep(0.05)
    finally:
        if "Z" not in _state(child_pid):  # a failed test still ends the child it started
            os.kill(int(child_pid), signal.SIGKILL)


def _state(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"
