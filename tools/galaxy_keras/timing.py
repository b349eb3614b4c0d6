"""Where a tool's time goes: named phases, printed as one small table in the job's stdout.

Galaxy shows a job's stdout on its information page, so a user whose training
is slow can see whether the time went to reading tables, starting TensorFlow,
tracing the model or the epochs themselves. The benchmark reads the same lines.
The tools add one ``memory:`` line with the process's peak resident memory, from
which an admin sizes a destination's memory (``ram_min``, TPV ``mem``); its
prefix differs so that the "time:" parsers never read it as a phase.
"""

from __future__ import annotations

import contextlib
import os
import resource
import sys
import time
from typing import Iterator

PREFIX = "time:"
MEMORY_PREFIX = "memory:"


def seconds_since_process_start() -> float | None:
    """Wall seconds since this process was started (Linux /proc), or None where that cannot be read."""
    try:
        with open("/proc/self/stat") as stat:
            # Field 22 (starttime, clock ticks after boot); the fields after the ")" of the name start at field 3.
            start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        return time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def peak_resident_mb() -> float:
    """This process's peak resident memory in MB (ru_maxrss: kB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def memory_line() -> str:
    return f"{MEMORY_PREFIX} peak resident {peak_resident_mb():,.0f} MB"


class Phases:
    """Seconds per named phase, in the order they ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        startup = seconds_since_process_start()
        if startup is not None:
            self.add("Python start-up and imports", startup)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + max(seconds, 0.0)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def report(self, memory: bool = False) -> str:
        """One "time:" line per phase and the total; with ``memory``, the peak-memory line after them."""
        total = sum(self.seconds.values())
        lines = [f"{PREFIX} {name:<36}{seconds:9.2f} s" for name, seconds in self.seconds.items()]
        lines.append(f"{PREFIX} {'total':<36}{total:9.2f} s")
        if memory:
            lines.append(memory_line())
        return "\n".join(lines)
