"""User-facing errors and the command-line wrapper every tool script runs in."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterator


class UserError(Exception):
    """A mistake in the user's input: reported as one line, no traceback."""


def run_tool(main: Callable[[], None]) -> None:
    """Run a tool's main function and turn errors into a one-line message and exit status.

    Expected mistakes (UserError) exit with 1; anything else is a bug or an
    environment problem and exits with 2, still with a one-line summary last so
    that Galaxy shows something readable in the job's error field.
    """
    try:
        main()
    except UserError as err:
        print(f"Error: {err}", file=sys.stderr)
        sys.exit(1)
    except MemoryError:
        print("Error: out of memory; try a smaller batch size or dataset", file=sys.stderr)
        sys.exit(2)
    except Exception as err:  # noqa: BLE001 - last line of defence, re-reported in one line
        import traceback

        traceback.print_exc()
        summary = str(err).strip().splitlines()[0] if str(err).strip() else ""
        print(f"Error: unexpected {type(err).__name__}: {summary}", file=sys.stderr)
        sys.exit(2)


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
