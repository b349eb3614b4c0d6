"""A Pulsar server beside the embedded Galaxy: the remote-execution destination.

Galaxy sends a job to Pulsar over HTTP with every file it needs (the tool's
scripts, the inputs, the working directory); Pulsar runs it in its own staging
directory and Galaxy fetches the outputs back. Nothing is shared on disk but
the tools' own environment, which a real Pulsar host would get from conda
(dependency resolution happens on the Pulsar side, as on a remote node).

Standard library only, like galaxy_ctl.py.
"""

import hashlib
import socket
import time

import background
import dependency_envs
from galaxy_paths import ROOT, write_config

PULSAR_VERSION = "0.15.15"  # the pulsar-galaxy-lib that galaxy==26.1.2 pins: client and server match
PULSAR_VENV = ROOT / ".venv" / "pulsar"
PULSAR_DIR = ROOT / ".galaxy" / "pulsar"
STAGING = PULSAR_DIR / "staging"  # Pulsar's own copy of every job's files
DEPS = PULSAR_DIR / "dependencies"
LOG = PULSAR_DIR / "pulsar.log"
PID = PULSAR_DIR / "pulsar.pid"
START_TIMEOUT_S = 60
PULSAR_PIN = f"pulsar-app[web]=={PULSAR_VERSION}"  # [web]: the gunicorn server of pulsar-serve


def port(settings):
    """Pulsar listens 1000 above Galaxy's port, so two embedded servers never collide."""
    return int(settings["port"]) + 1000


def url(settings):
    return f"http://127.0.0.1:{port(settings)}/"


def private_token(settings):
    """Derived from Galaxy's id_secret: stable across reconfiguration, never written in the repository."""
    return hashlib.sha256(f"pulsar:{settings['id_secret']}".encode()).hexdigest()[:32]


def configure(settings, requirements):
    """app.yml, server.ini and the dependency folders under .galaxy/pulsar/."""
    for folder in (PULSAR_DIR, STAGING, DEPS, PULSAR_DIR / "persisted"):
        folder.mkdir(parents=True, exist_ok=True)
    write_config(PULSAR_DIR / "app.yml", {
        "private_token": private_token(settings), "staging_directory": str(STAGING),
        "persistence_directory": str(PULSAR_DIR / "persisted"), "tool_dependency_dir": str(DEPS),
        "dependency_resolvers_config_file": "dependency_resolvers_conf.xml",
        "conda_auto_init": False, "conda_auto_install": False,
        # One job at a time: the machine has few cores and Galaxy's own jobs share them.
        "managers": {"_default_": {"type": "queued_python", "num_concurrent_jobs": 1}},
    }, "embedded_galaxy/pulsar_server.py", private=True)
    (PULSAR_DIR / "dependency_resolvers_conf.xml").write_text(
        "<dependency_resolvers>\n    <galaxy_packages />\n</dependency_resolvers>\n")
    (PULSAR_DIR / "server.ini").write_text(
        "# Written by embedded_galaxy/pulsar_server.py: edit that, not this.\n"
        f"[server:main]\nhost = 127.0.0.1\nport = {port(settings)}\n\n"
        "[app:main]\napp_config = %(here)s/app.yml\n")
    # Pulsar resolves the tools' <requirement>s itself, as a remote node would.
    dependency_envs.write_env_files(DEPS, requirements, "Pulsar")


def running_pid():
    return background.running_pid(PID)


def accepting(settings):
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port(settings))) == 0


def start(settings):
    if running_pid():
        print(f"pulsar already running at {url(settings)} (pid {running_pid()})")
        return
    if accepting(settings):
        raise RuntimeError(f"port {port(settings)} is taken by another program: Pulsar cannot start there")
    process = background.start([PULSAR_VENV / "bin" / "pulsar-serve", PULSAR_DIR / "server.ini"], PID, LOG,
                               cwd=PULSAR_DIR)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not accepting(settings):
        if process.poll() is not None or time.monotonic() > deadline:
            tail = LOG.read_text(errors="replace").splitlines()[-15:]
            raise RuntimeError("pulsar did not start:\n" + "\n".join(tail))
        time.sleep(0.5)
    print(f"pulsar running at {url(settings)} (pid {process.pid}, staging in {STAGING.relative_to(ROOT)}/)")


def stop():
    if background.stop(PID):
        print("pulsar stopped")
