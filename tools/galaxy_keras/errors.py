"""User-facing errors and the command-line wrapper every tool script runs in."""

from __future__ import annotations

import contextlib
import os
import re
import reprlib
import shutil
import signal
import sys
import tempfile
import traceback
import warnings
from pathlib import Path
from typing import Callable, Iterator

# Longest summary of a library's message: long enough for Keras' "Received: ..." part,
# short enough for Galaxy's job error field.
SUMMARY_LIMIT = 400
# TensorFlow prefixes op errors with "{{function_node __wrapped__...}}" and appends "[Op:...]"; Keras
# sets names in bold with terminal escapes ("\x1b[1m...\x1b[0m").
_TF_NOISE = re.compile(r"\{\{function_node [^}]*\}\}|\[Op:[^\]]*\]( name: ?\S*)?|\x1b\[[0-9;]*m")


# The most characters of a name or value from a user's file that a message quotes.
SHOWN_LIMIT = 80
_SHOWN_REPR = reprlib.Repr()  # keyword arguments only from Python 3.12
_SHOWN_REPR.maxstring = _SHOWN_REPR.maxother = SHOWN_LIMIT
_SHOWN_REPR.maxlist = _SHOWN_REPR.maxdict = 6


def shown(value: object, limit: int = SHOWN_LIMIT) -> str:
    """A name or value read from a user's file, safe to quote in a one-line message.

    A file chooses its names: a layer or class name may hold a newline (a
    second, forged "Error:" line on stderr), a NUL or terminal escapes, or be
    megabytes long. Text is shown with every non-printable character escaped
    (``\\n``, ``\\x00``) and cut to ``limit`` characters; anything else by a
    bounded repr (a huge list is not rendered whole).
    """
    text = value if isinstance(value, str) else _SHOWN_REPR.repr(value)
    if len(text) > 4 * limit:  # escape only what can be shown
        text = text[:4 * limit]
    text = "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def quoted(value: object, limit: int = SHOWN_LIMIT) -> str:
    """``shown`` as ``repr`` would write it: text in quotes (so that an empty or spaced name shows), else as is."""
    return f"'{shown(value, limit)}'" if isinstance(value, str) else shown(value, limit)


# The longest error line a tool prints (Galaxy shows it in the job's error field).
MESSAGE_LIMIT = 2000


def one_line(message: str) -> str:
    """A message as exactly one printable line: the last defence for a value quoted without ``shown``."""
    return shown(message, MESSAGE_LIMIT)


class UserError(Exception):
    """A mistake in the user's input: reported as one line, no traceback."""


class JobStopped(BaseException):
    """Galaxy (or a person) stopped the job with a signal.

    A BaseException, so that no ``except Exception`` on the way swallows it,
    while every ``finally`` and context manager still removes what it made.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def summarise(err: BaseException) -> str:
    """A library's error message as one readable line (all of it, not just a first line)."""
    text = " ".join(_TF_NOISE.sub(" ", str(err)).split())
    if not text:
        return type(err).__name__
    return text if len(text) <= SUMMARY_LIMIT else text[:SUMMARY_LIMIT - 3].rstrip() + "..."


def _stop(signum: int, _frame: object) -> None:
    raise JobStopped(signum)


def _exception_line(err: BaseException) -> str:
    kind = type(err)
    name = kind.__qualname__ if kind.__module__ in ("builtins", "__main__") else \
        f"{kind.__module__}.{kind.__qualname__}"
    message = str(err)
    return f"{name}: {one_line(message)}" if message else name


def traceback_text(err: BaseException) -> str:
    """An unexpected error's traceback for the server's admin, with every exception's message on one line.

    The frames are the suite's and the libraries' code; a message may quote a
    user's file (a library's error about a layer name, say), so each is
    escaped to one line: no forged "Error:" or "Traceback" line, and no
    control character, reaches stderr. Chained exceptions are shown as
    Python shows them, oldest first.
    """
    chain: list[BaseException] = []
    current: BaseException | None = err
    while current is not None and not any(current is seen for seen in chain):
        chain.append(current)
        current = current.__cause__ if current.__cause__ is not None else \
            (None if current.__suppress_context__ else current.__context__)
    parts: list[str] = []
    for older, newer in zip([None, *reversed(chain)], reversed(chain)):
        if older is not None:
            parts.append("\nThe above exception was the direct cause of the following exception:\n\n"
                         if newer.__cause__ is older else
                         "\nDuring handling of the above exception, another exception occurred:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(newer.__traceback__))
        parts.append(_exception_line(newer) + "\n")
    return "".join(parts)


def _warning_to_stdout(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                       file: object = None, line: str | None = None) -> None:
    """A library's warning, as one line on stdout: stderr holds only the tool's own one "Error:" line."""
    print(f"Warning: {category.__name__}: {one_line(str(message))} ({Path(filename).name}:{lineno})", flush=True)


@contextlib.contextmanager
def private_temp_dir() -> Iterator[Path]:
    """A temporary folder of this process's own, inside the job's working directory.

    TensorFlow (autograph), Keras (archive extraction) and the tools themselves
    write temporary files; pointing TMPDIR and ``tempfile`` here keeps them out of
    the shared /tmp, bounded by the job's own disk, and removed in one go at the
    end. A job killed with SIGKILL leaves only this folder, inside the job's
    working directory, which Galaxy removes with the job.
    """
    try:
        folder = Path(tempfile.mkdtemp(prefix=".galaxy_keras_tmp-", dir=os.getcwd()))
    except OSError:  # a read-only working directory (a person running the script by hand)
        folder = Path(tempfile.mkdtemp(prefix="galaxy_keras_tmp-"))
    saved_env, saved_tempdir = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = saved_tempdir
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
        shutil.rmtree(folder, ignore_errors=True)


def run_tool(main: Callable[[], None]) -> None:
    """Run a tool's main function and turn errors into a one-line message and exit status.

    Expected mistakes (UserError) exit with 1. SIGTERM and SIGINT (Galaxy
    stopping or cancelling the job) unwind like an error, so that every
    partial output and temporary file is removed, and exit with 128 + the
    signal's number, as the shell reports a killed command. Anything else is a
    bug or an environment problem and exits with 2: its traceback (every
    message escaped to one line, ``traceback_text``) for the server's admin,
    then a one-line summary last so that Galaxy shows something readable in
    the job's error field. Python warnings go to stdout as one line each, so
    that a refusal's stderr is its one "Error:" line whatever a library warns.
    """
    saved = {signum: signal.signal(signum, _stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    saved_showwarning = warnings.showwarning
    warnings.showwarning = _warning_to_stdout
    try:
        with private_temp_dir():
            main()
    except UserError as err:
        print(f"Error: {one_line(str(err))}", file=sys.stderr)
        sys.exit(1)
    except JobStopped as stopped:
        name = signal.Signals(stopped.signum).name
        print(f"Error: the job was stopped ({name}) before it finished; its outputs and temporary files "
              f"were removed", file=sys.stderr)
        sys.exit(128 + stopped.signum)
    except MemoryError:
        print("Error: out of memory; try a smaller batch size or dataset, or ask the server's admin for a "
              "destination with more memory", file=sys.stderr)
        sys.exit(2)
    except Exception as err:  # noqa: BLE001 - last line of defence, re-reported in one line
        # A bug or an environment problem: the traceback is for the server's admin, the last line for Galaxy's
        # job error field.
        sys.stderr.write(traceback_text(err))
        print(f"Error: unexpected {type(err).__name__}: {one_line(summarise(err))}", file=sys.stderr)
        sys.exit(2)
    finally:
        warnings.showwarning = saved_showwarning
        for signum, handler in saved.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def outputs_removed_on_error(*paths: str | os.PathLike | None) -> Iterator[None]:
    """Delete every declared output if the tool fails, wherever the failure happens.

    Galaxy creates empty output files before the job starts; a failed run must
    not leave them (or anything half-written) behind.
    """
    try:
        yield
    except BaseException:
        for path in paths:
            if path is not None:
                Path(path).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_outputs(*paths: str | os.PathLike | None) -> Iterator[list[Path | None]]:
    """Yield temporary paths next to each output; move them into place only on success.

    A reader (or a crash) never sees a half-written output. ``None`` entries
    (an optional output not asked for) pass through as ``None``. Use inside
    ``outputs_removed_on_error`` so that failures also remove the outputs
    Galaxy pre-created.
    """
    temps: list[Path | None] = []
    try:
        for path in paths:
            if path is None:
                temps.append(None)
                continue
            final = Path(path)
            final.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
            os.close(fd)
            temps.append(Path(tmp))
        yield temps
    except BaseException:
        for tmp in temps:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
        raise
    umask = os.umask(0)
    os.umask(umask)
    for path, tmp in zip(paths, temps):
        if tmp is not None:
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes files private; outputs are ordinary files
            os.replace(tmp, path)
