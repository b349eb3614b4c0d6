"""How much memory a job may plan for, so that sizes are refused before anything is allocated.

Galaxy tells a job its memory in ``GALAXY_MEMORY_MB`` when the destination sets
a limit (TPV, Slurm and most runners do). Without it, a plan of
``DEFAULT_MEMORY_MB`` is assumed: the 8 GB that a public server's default
destination gives a job. Every size read from an input (a model's parameter
count, a table's width, a plot's number of classes) is checked against the
budget from its declared size, before the memory is taken, and refused with a
message that says what to change.
"""

from __future__ import annotations

import os

from .errors import UserError

DEFAULT_MEMORY_MB = 8192
# The smallest plan worth making: TensorFlow alone takes about 0.8 GB.
MIN_MEMORY_MB = 1024


def _galaxy_memory_mb() -> int | None:
    """GALAXY_MEMORY_MB as a positive whole number, or None when Galaxy did not set one."""
    text = os.environ.get("GALAXY_MEMORY_MB", "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def memory_budget_bytes() -> int:
    """The job's memory in bytes: GALAXY_MEMORY_MB when Galaxy sets it, else the default."""
    return max(_galaxy_memory_mb() or DEFAULT_MEMORY_MB, MIN_MEMORY_MB) * 1024 * 1024


def budget_source() -> str:
    megabytes = _galaxy_memory_mb()
    if megabytes is not None:
        return f"the job's memory (GALAXY_MEMORY_MB={megabytes})"
    return f"the default plan of {DEFAULT_MEMORY_MB} MB (Galaxy did not set GALAXY_MEMORY_MB)"


def check_allocation(n_bytes: float, what: str, advice: str) -> None:
    """Refuse an allocation of ``n_bytes`` that would not fit in half the budget.

    Half: the other half is for TensorFlow itself, the input tables and copies
    made on the way.
    """
    budget = memory_budget_bytes()
    if n_bytes > budget / 2:
        raise UserError(f"{what} would need {readable(n_bytes)} of memory, more than half of "
                        f"{budget_source()}; {advice}")


def readable(n_bytes: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:,.0f} {unit}" if unit == "bytes" else f"{n_bytes:,.1f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:,.1f} TB"
