"""Print a job's outcome before everything else it printed.

Galaxy keeps the first 255 characters of a job's stdout as the information of
each output dataset, shown when the dataset is expanded in the history. A tool
learns its outcome (parameter count, final scores) last, after notes and
progress; this holds back what is printed meanwhile and prints the outcome
lines first. On an error the held-back lines are printed too, so no note is
lost (the error itself goes to stderr).
"""

from __future__ import annotations

import contextlib
import io
import sys
from typing import Iterator


@contextlib.contextmanager
def outcome_first() -> Iterator[list[str]]:
    """Lines appended to the yielded list are printed first, then whatever was printed inside the block."""
    first: list[str] = []
    held = io.StringIO()
    try:
        with contextlib.redirect_stdout(held):
            yield first
    finally:
        for line in first:
            print(line)
        sys.stdout.write(held.getvalue())
