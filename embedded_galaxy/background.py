"""Start and stop the embedded Galaxy's helper servers (Pulsar, the Celery worker) as background processes.

Each runs in its own process group, so stopping it also ends what it started, and
is remembered by a pid file. Standard library only, like galaxy_ctl.py.
"""

import os
import signal
import subprocess
import time

STOP_TIMEOUT_S = 10


def running_pid(pid_file):
    """The pid in `pid_file` if that process still runs, else None."""
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def start(command, pid_file, log_file, cwd, env=None):
    """Start `command` in the background, its output appended to `log_file`; the Popen."""
    with open(log_file, "ab") as log:
        process = subprocess.Popen([str(part) for part in command], cwd=cwd, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    pid_file.write_text(str(process.pid))
    return process


def stop(pid_file):
    """SIGTERM the process group of `pid_file`'s pid, SIGKILL after STOP_TIMEOUT_S; whether one ran."""
    pid = running_pid(pid_file)
    if not pid:
        pid_file.unlink(missing_ok=True)
        return False
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while running_pid(pid_file) and time.monotonic() < deadline:
        time.sleep(0.25)
    if running_pid(pid_file):
        os.killpg(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)
    return True
