"""Functions for test_hdf5_snapshot to run through galaxy_keras.guarded_child: a crash, a hang, a bomb.

A module of the tests, not of the tools: the child imports it by name
(``guarded_functions:crash``) with the tests folder on its PYTHONPATH.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Callable

from galaxy_keras.errors import UserError


def echo(folder: Path, progress: Callable[[str], None], value: object) -> object:
    progress("echoing")
    return {"value": value, "pid": os.getpid(), "cwd": os.getcwd() == str(folder)}


def refuse(folder: Path, progress: Callable[[str], None], message: str) -> None:
    raise UserError(message)


def crash(folder: Path, progress: Callable[[str], None]) -> None:
    progress("the attribute 'layer_names' of '/model_weights'")
    os.kill(os.getpid(), signal.SIGSEGV)


def hang(folder: Path, progress: Callable[[str], None]) -> None:
    """Stands for C code that loops: blocks SIGTERM (as a loop in C never runs Python's handler) and sleeps."""
    (folder / "pid").write_text(str(os.getpid()))
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    progress("the attribute 'model_config' of '/'")
    time.sleep(600)


def spin(folder: Path, progress: Callable[[str], None]) -> None:
    progress("a loop that only the CPU limit ends")
    while True:
        pass


def allocate(folder: Path, progress: Callable[[str], None], megabytes: int) -> None:
    progress("a huge attribute")
    return len(bytearray(megabytes * 1024**2))


def exit_without_result(folder: Path, progress: Callable[[str], None]) -> None:
    os._exit(7)
