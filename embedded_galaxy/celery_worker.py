"""Galaxy's Celery worker beside the embedded server: uploads and metadata without a process per job.

Without Celery every upload is a job that starts Galaxy's Python twice (the fetch,
then the metadata step), about 20 s of CPU on 2 cores, and every tool job starts it
once more for its metadata. The worker imports Galaxy once and does that work in
its warm process, as on a production server (Galaxy's admin docs run Celery there too).
Broker and results are SQLite files under .galaxy/data: nothing else to install.

Standard library only, like galaxy_ctl.py.
"""

import time

import background
from galaxy_paths import GALAXY_VENV, GALAXY_YML, STATE

DATA = STATE / "data"
LOG = STATE / "celery.log"
PID = STATE / "celery.pid"
START_TIMEOUT_S = 180
# The queues Galaxy routes its tasks to (celery_conf's task_routes): a worker must consume all three.
QUEUES = ("celery", "galaxy.internal", "galaxy.external")


def celery_conf():
    """celery_conf of galaxy.yml: Galaxy's default routes, broker and results in SQLite files."""
    return {
        "broker_url": f"sqla+sqlite:///{DATA / 'celery-broker.sqlite'}",
        "result_backend": f"db+sqlite:///{DATA / 'celery-results.sqlite'}",
        "task_routes": {"galaxy.fetch_data": "galaxy.external", "galaxy.set_job_metadata": "galaxy.external"},
    }


def ready():
    """Celery prints 'celery@HOST ready.' once it consumes its queues.

    Celery's own check, ``celery inspect ping``, cannot answer here: it broadcasts
    a remote-control message, and kombu's SQLAlchemy transport (the SQLite broker)
    has no fanout exchange (``supports_fanout = False``), so the worker never sees
    it. Measured 2026-12-07 with the worker running and consuming: "No nodes
    replied within time constraint", after 6 CPU seconds of importing Galaxy.
    """
    return LOG.exists() and " ready." in LOG.read_text(errors="replace")


def start(env):
    """Start the worker with Galaxy's venv environment `env`; wait until it consumes its queues."""
    if background.running_pid(PID):
        print(f"celery worker already running (pid {background.running_pid(PID)})")
        return
    LOG.unlink(missing_ok=True)  # `ready()` reads the current worker's log only
    # Threads, not forked processes: tasks mostly wait on the database; two match the job runner's workers.
    process = background.start([GALAXY_VENV / "bin" / "celery", "--app", "galaxy.celery", "worker",
                                "--concurrency", "2", "--pool", "threads", "--queues", ",".join(QUEUES),
                                "--loglevel", "INFO", "--without-heartbeat", "--without-mingle", "--without-gossip"],
                               PID, LOG, cwd=STATE, env={**env, "GALAXY_CONFIG_FILE": str(GALAXY_YML)})
    deadline = time.monotonic() + START_TIMEOUT_S
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            tail = LOG.read_text(errors="replace").splitlines()[-15:] if LOG.exists() else []
            background.stop(PID)
            raise RuntimeError("Galaxy's celery worker did not start:\n" + "\n".join(tail))
        time.sleep(1)
    print(f"celery worker ready (pid {process.pid}, log: {LOG.relative_to(STATE.parent)})")


def stop():
    if background.stop(PID):
        print("celery worker stopped")
