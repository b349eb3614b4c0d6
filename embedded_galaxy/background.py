"""Start and stop the embedded Galaxy and its helper servers (Pulsar, the Celery worker) as background processes.

Each runs in its own process group, so stopping it also ends what it started
(Galaxy's job processes among them). Its pid file records the pid and the
process's start time (field 22 of /proc/PID/stat, in clock ticks since boot):
a pid alone may have been reused by an unrelated process since the file was
written, and signalling that pid's process group would stop someone else's
work. So every signal is sent only to a process that is still the one this
module started: same pid, same start time, still the leader of its own group.
Standard library only, like galaxy_ctl.py.
"""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

STOP_TIMEOUT_S = 10


def _stat_fields(pid):
    """/proc/PID/stat's fields after the command name (which may hold spaces), or None if no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def _identity(pid):
    """(start time, process group) of a live process, or None for none or a zombie (exited, not yet reaped)."""
    fields = _stat_fields(pid)
    if fields is None or fields[0] == "Z":  # fields[0] is field 3 of stat: the state
        return None
    return int(fields[19]), int(fields[2])  # field 22 starttime, field 5 pgrp


def _read(pid_file):
    """(pid, start time) from a pid file; start time None for a file of a bare pid (written before it had one)."""
    try:
        text = Path(pid_file).read_text().strip()
    except OSError:
        return None
    try:
        record = json.loads(text)
    except ValueError:
        return None
    if isinstance(record, int):
        return record, None
    if isinstance(record, dict) and isinstance(record.get("pid"), int) and isinstance(record.get("start"), int):
        return record["pid"], record["start"]
    return None


def running_pid(pid_file):
    """The pid in `pid_file` if that very process still runs as its group's leader, else None.

    A stale pid file (the process ended, or its pid now belongs to another
    process) is removed.
    """
    record = _read(pid_file)
    identity = _identity(record[0]) if record else None
    if identity is None or identity[1] != record[0] or record[1] not in (None, identity[0]):
        Path(pid_file).unlink(missing_ok=True)
        return None
    return record[0]


def start(command, pid_file, log_file, cwd, env=None, append_log=True):
    """Start `command` in a process group of its own, its output in `log_file`; the Popen."""
    with open(log_file, "ab" if append_log else "wb") as log:
        process = subprocess.Popen([str(part) for part in command], cwd=cwd, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    identity = _identity(process.pid)
    Path(pid_file).write_text(json.dumps({"pid": process.pid, "start": identity[0] if identity else 0}) + "\n")
    return process


def _signal_group(pid_file, signum):
    """Signal the recorded process group if its leader is still the recorded process; whether it was."""
    pid = running_pid(pid_file)
    if pid is None:
        return False
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        return False
    return True


def stop(pid_file, timeout_s=STOP_TIMEOUT_S):
    """SIGTERM the process group of `pid_file`'s process, SIGKILL after `timeout_s`; whether one ran."""
    if not _signal_group(pid_file, signal.SIGTERM):
        Path(pid_file).unlink(missing_ok=True)
        return False
    deadline = time.monotonic() + timeout_s
    while running_pid(pid_file) and time.monotonic() < deadline:
        time.sleep(0.25)
    if _signal_group(pid_file, signal.SIGKILL):
        print(f"{Path(pid_file).stem}: no exit after {timeout_s} s, killed")
    Path(pid_file).unlink(missing_ok=True)
    return True
