"""One of the suite's own functions run in a child Python process, so that a crash or hang there cannot hurt the job.

Some reads of a user's file happen in C code that a damaged file can crash
(a segmentation fault), make loop forever (ignoring SIGTERM, as a signal
handler of Python's never runs while C code loops) or make allocate without
bound. In the tool's own process any of these loses the job's clean-up: the
``.part`` files, the private temporary folder and Galaxy's pre-created
outputs stay behind. Here such a read runs in a child process instead:

* The child is a fresh interpreter (``sys.executable``, no fork of a process
  that may already run TensorFlow's threads) in a session of its own, started
  in a folder of its own inside the job's private temporary folder (where a
  core file would land; core files are off anyway). It imports only the
  module it is told to and what that module imports.
* It sets its own limits before it runs the function: RLIMIT_DATA (the
  memory the function may take), RLIMIT_CPU, RLIMIT_CORE 0. The parent
  enforces a wall-clock timeout and kills the child's whole process group
  with SIGKILL, on timeout and on anything that stops the wait (Galaxy's
  SIGTERM arrives as ``JobStopped``), and always waits for it.
* The function reports its progress by calling ``progress(what)`` before
  each step that may fail in C code; the text goes to a small file, which
  the parent reads when the child died, so that the one-line error names
  what was being read.
* The function's result is JSON-serialisable data (larger results go into
  files in the folder it is given); a ``UserError`` it raises is handed back
  as its message and raised again in the parent.

``run_guarded`` returns the result; the caller owns the folder it passed and
removes it. The child is told everything through one JSON request file, so
nothing of the user's file reaches a command line.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .errors import UserError, shown

TOOLS_DIR = Path(__file__).resolve().parent.parent
REQUEST, RESULT, PROGRESS = "request.json", "result.json", "progress.txt"
# Signals a crash in C code ends with (a bad pointer, an abort from a failed assertion or malloc).
CRASH_SIGNALS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL, signal.SIGFPE}
# Memory the interpreter itself, h5py and numpy take in the child before the function reads anything.
CHILD_BASE_MEMORY = 512 * 1024**2


@dataclass(frozen=True)
class Limits:
    timeout_s: float  # wall clock, enforced by the parent
    memory_bytes: int  # RLIMIT_DATA in the child, on top of CHILD_BASE_MEMORY
    cpu_s: int  # RLIMIT_CPU in the child: a loop that the timeout would also end, ended by the kernel


class ChildFailed(Exception):
    """The child ended without a result.

    ``kind``: "crash" (a signal such as SIGSEGV), "timeout", "cpu", "memory",
    "killed" (another signal) or "failed" (an exit without a result);
    ``detail``: the signal's name, the timeout, or the child's last stderr
    line; ``doing``: what it was doing (its last progress).
    """

    def __init__(self, kind: str, detail: str, doing: str) -> None:
        super().__init__(f"{kind}: {detail} ({doing})")
        self.kind, self.detail, self.doing = kind, detail, doing


def run_guarded(function: str, args: dict[str, Any], folder: Path, limits: Limits,
                env: dict[str, str] | None = None) -> Any:
    """Run ``module:function`` (e.g. "galaxy_keras.hdf5_snapshot:_read_in_child") in a child; returns its result.

    The function is called with ``folder``, ``progress`` and the keyword
    arguments ``args`` (JSON data). ``folder``: an empty folder of the caller's, inside the job's private
    temporary folder; the child runs there and may write files there. Raises
    the child's UserError again, or ChildFailed when the child crashed, ran out
    of time, CPU or memory, or ended without a result.
    """
    (folder / REQUEST).write_text(json.dumps({"function": function, "args": args, "folder": str(folder),
                                              "memory_bytes": CHILD_BASE_MEMORY + limits.memory_bytes,
                                              "cpu_s": limits.cpu_s}))
    command = [sys.executable, "-s", "-c", f"import sys; sys.path.insert(0, {str(TOOLS_DIR)!r}); "
               f"from galaxy_keras.guarded_child import child_main; child_main({str(folder / REQUEST)!r})"]
    child_env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", **(env or {})}
    child = subprocess.Popen(command, cwd=folder, env=child_env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        try:
            _, stderr = child.communicate(timeout=limits.timeout_s)
        except subprocess.TimeoutExpired:
            _kill(child)
            raise ChildFailed("timeout", f"{limits.timeout_s:g} s", _progress(folder)) from None
    finally:
        _kill(child)  # a SIGTERM (JobStopped) or any other exception while waiting: no child outlives the wait
    return _outcome(child.returncode, stderr.decode("utf-8", "replace"), folder)


def _kill(child: subprocess.Popen) -> None:
    """SIGKILL the child's process group (the child and anything it started), then reap it."""
    if child.returncode is None:
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        child.wait()


def _progress(folder: Path) -> str:
    try:
        # Bounded and escaped again: the child may have died half-way through writing it.
        return shown((folder / PROGRESS).read_text(encoding="utf-8", errors="replace").strip(), 300) or "the file"
    except OSError:
        return "the file"


def _outcome(status: int, stderr: str, folder: Path) -> Any:
    result_path = folder / RESULT
    if status == 0 and result_path.is_file():
        result = json.loads(result_path.read_text(encoding="utf-8"))
        if "user_error" in result:
            raise UserError(result["user_error"])
        return result["value"]
    doing = _progress(folder)
    if status < 0:
        signum = -status
        if signum == signal.SIGXCPU:
            raise ChildFailed("cpu", "SIGXCPU", doing)
        name = signal.Signals(signum).name if signum in signal.Signals._value2member_map_ else str(signum)
        raise ChildFailed("crash" if signum in CRASH_SIGNALS else "killed", name, doing)
    if result_path.is_file():
        result = json.loads(result_path.read_text(encoding="utf-8"))
        if "memory" in result:
            raise ChildFailed("memory", "MemoryError", doing)
    last = stderr.strip().splitlines()[-1:] or [f"exit status {status}"]
    raise ChildFailed("failed", last[0][:300], doing)


# -- the child's side --------------------------------------------------------------------------------------

class Progress:
    """What the child is about to do, written to PROGRESS (replacing the last) so that the parent can name it."""

    def __init__(self, path: Path) -> None:
        self._handle = open(path, "w", encoding="utf-8")

    def __call__(self, what: str) -> None:
        self._handle.seek(0)
        self._handle.write(what)
        self._handle.truncate()
        self._handle.flush()  # the parent reads it after this process died: it must be in the kernel's hands


def child_main(request_path: str) -> None:
    """The child's entry: limits first, then the function; the outcome as RESULT."""
    import importlib
    import resource

    request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    folder = Path(request["folder"])
    _die_with_parent()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _lower_limit(resource.RLIMIT_DATA, int(request["memory_bytes"]))
    _lower_limit(resource.RLIMIT_CPU, int(request["cpu_s"]))
    module_name, name = request["function"].split(":")
    function: Callable[..., Any] = getattr(importlib.import_module(module_name), name)
    result_path = folder / RESULT
    try:
        outcome = {"value": function(folder=folder, progress=Progress(folder / PROGRESS), **request["args"])}
    except UserError as err:
        outcome = {"user_error": str(err)}
    except MemoryError:
        outcome = {"memory": True}
        result_path.write_text(json.dumps(outcome), encoding="utf-8")
        os._exit(3)  # no result: the parent reports the memory failure with the progress
    staged = folder / (RESULT + ".part")
    staged.write_text(json.dumps(outcome), encoding="utf-8")
    os.replace(staged, result_path)  # the parent never sees half a result


def _die_with_parent() -> None:
    """SIGKILL this process when the tool's process dies, however it dies.

    The child runs in a session of its own (so that the parent can kill its
    whole group), which a runner killing the job's process group misses: on
    Linux the kernel then kills it (PR_SET_PDEATHSIG); elsewhere the CPU
    limit and the parent's timeout remain.
    """
    import ctypes
    import ctypes.util

    parent = os.getppid()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _lower_limit(kind: int, value: int) -> None:
    """Set a soft and hard limit of ``value``, never above a limit the job already has (it cannot be raised)."""
    import resource

    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value if kind != resource.RLIMIT_CPU else value + 5))
