"""Run the embedded Galaxy: start, stop, status, users and API keys, toolbox reload.

Start, stop and status use the standard library only, as they run with the system
``python3``: the bootstrap calls of `start` (waiting for /api/version, creating the users
and their keys with the bootstrap admin key) are plain urllib requests.  Everything that
talks to a running server afterwards goes through bioblend, the client library in
planemo's venv: `admin_galaxy()` gives it, imported only when called.
"""

import importlib.util
import json
import os
import secrets
import socket
import time
import urllib.parse
import urllib.request
from pathlib import Path

import background
import celery_worker
import job_conf
import pulsar_server
from galaxy_configure import configure, write_tools_config
from galaxy_install import galaxy_installed
from galaxy_paths import (ADMIN_EMAIL, GALAXY_VENV, GALAXY_YML, INTEGRATED_PANEL, KEYS, LOG, PID, ROOT,
                          SECTION_ID, STATE, USER_EMAIL, CtlError, default_port, load_settings)

START_TIMEOUT_S = 480  # a fresh database on 2 cores that also run the unit tests
STOP_TIMEOUT_S = 30
RELOAD_TIMEOUT_S = 60


# --------------------------------------------------------------------------- process

def server_pid():
    """The pid of our running galaxy-web, or None (a stale pid file is removed)."""
    return background.running_pid(PID)


def port_in_use(port):
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def log_tail(lines=30):
    if not LOG.exists():
        return ""
    return "\n".join(LOG.read_text(errors="replace").splitlines()[-lines:])


def galaxy_env():
    """The environment of an activated Galaxy venv: jobs re-activate it for their metadata step."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # the caller's would leak into Galaxy and every job
    env["VIRTUAL_ENV"] = str(GALAXY_VENV)
    env["PATH"] = f"{GALAXY_VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


# --------------------------------------------------------------------------- bootstrap (urllib)

def bootstrap_request(url, path, method="GET", key=None, body=None, timeout=30):
    """One JSON API call of the start-up, made before bioblend can be assumed."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, method=method)
    if key:
        req.add_header("x-api-key", key)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as response:
        payload = response.read()
    return json.loads(payload) if payload else None


def wait_until_ready(url, process):
    """Poll /api/version: the port accepts connections before the app can answer."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CtlError(f"galaxy-web exited with status {process.returncode}; log tail:\n{log_tail()}")
        try:
            return bootstrap_request(url, "/api/version", timeout=5)["version_major"]
        except (OSError, ValueError, KeyError):
            print(".", end="", flush=True)
            time.sleep(3)
    raise CtlError(f"no answer from {url}/api/version after {START_TIMEOUT_S} s; log tail:\n{log_tail()}")


def ensure_user(url, bootstrap_key, address, password):
    """The id of the user with `address`, created when missing."""
    found = bootstrap_request(url, f"/api/users?f_email={urllib.parse.quote(address)}", key=bootstrap_key)
    for user in found:
        if user["email"] == address:
            return user["id"]
    user = bootstrap_request(url, "/api/users", "POST", bootstrap_key,
                             {"username": address.split("@")[0], "email": address, "password": password})
    return user["id"]


def write_keys(url, bootstrap_key):
    """Create the admin, test and Pulsar test users, give each a fresh API key, save them in keys.json.

    The only place users and keys are made: the scripts that run later read them
    (galaxy_client.connect).
    """
    password = secrets.token_urlsafe(12)
    if KEYS.exists():  # keep the password a person may already be using in the web UI
        password = json.loads(KEYS.read_text()).get("password", password)
    keys = {"url": url, "admin_email": ADMIN_EMAIL, "user_email": USER_EMAIL, "password": password}
    for role, address in (("admin", ADMIN_EMAIL), ("user", USER_EMAIL), ("pulsar", job_conf.PULSAR_TEST_USER)):
        user_id = ensure_user(url, bootstrap_key, address, password)
        keys[f"{role}_key"] = bootstrap_request(url, f"/api/users/{user_id}/api_key", "POST", bootstrap_key)
    KEYS.write_text(json.dumps(keys, indent=2) + "\n")
    os.chmod(KEYS, 0o600)


# --------------------------------------------------------------------------- commands

def start():
    """Start galaxy-web in the background, wait until it answers, write keys.json."""
    if not GALAXY_YML.exists():
        configure()
    settings = load_settings()
    url = settings["url"]
    if server_pid():
        print(f"already running at {url}")
        return
    if not galaxy_installed():
        raise CtlError("Galaxy is not installed: run `galaxy_ctl.py install` first")
    if port_in_use(settings["port"]):
        raise CtlError(f"port {settings['port']} is taken by another process: "
                       f"configure --port or GALAXY_PORT picks another")
    # Pulsar first: TPV may send the first job there.
    try:
        pulsar_server.start(settings)
    except RuntimeError as error:
        raise CtlError(str(error)) from None
    started = time.monotonic()
    # Its own process group, so that `stop` ends it with its jobs; the log of the current server only.
    process = background.start([GALAXY_VENV / "bin" / "galaxy-web", "-c", GALAXY_YML, "-b",
                                f"127.0.0.1:{settings['port']}"], PID, LOG, cwd=STATE, env=galaxy_env(),
                               append_log=False)
    print(f"starting Galaxy at {url} (log: {LOG.relative_to(ROOT)}) ", end="", flush=True)
    try:
        version = wait_until_ready(url, process)
    except CtlError:
        print()
        background.stop(PID, STOP_TIMEOUT_S)
        raise
    print(f"\nGalaxy {version} ready at {url} after {time.monotonic() - started:.0f} s")
    try:
        celery_worker.start(galaxy_env())
    except RuntimeError as error:
        stop()
        raise CtlError(str(error)) from None
    write_keys(url, settings["bootstrap_key"])
    print(f"API keys written to {KEYS.relative_to(ROOT)}")


def stop():
    celery_worker.stop()
    pulsar_server.stop()
    pid = server_pid()
    if not pid:
        print("not running")
        return
    background.stop(PID, STOP_TIMEOUT_S)
    print(f"stopped (pid {pid})")


def status():
    settings = load_settings(required=False)
    url = settings["url"] if settings else f"http://127.0.0.1:{default_port()}"
    pid = server_pid()
    print(f"running at {url} (pid {pid})" if pid else f"not running (would be {url})")


def server_keys():
    """keys.json of the running server."""
    if not server_pid():
        raise CtlError("not running: `galaxy_ctl.py start` first")
    if not KEYS.exists():
        raise CtlError(f"{KEYS} missing: restart the server to create users and keys")
    return json.loads(KEYS.read_text())


# --------------------------------------------------------------------------- after start-up (bioblend)

def bioblend_available():
    return importlib.util.find_spec("bioblend") is not None


def admin_galaxy(timeout=120):
    """bioblend's GalaxyInstance for the running server, with the admin key."""
    from galaxy_client import connect  # bioblend: planemo's venv has it; the system python may not

    return connect("admin_key", timeout)


def api_errors():
    """The exception classes of a failed API call: urllib's and requests' are OSErrors, bioblend's is its own."""
    if not bioblend_available():
        return (OSError,)
    import bioblend

    return (OSError, bioblend.ConnectionError)


def reload_tools():
    """Re-read the panel and every tool XML: the server runs each tool as it loaded it."""
    galaxy = admin_galaxy()
    tools, _ = write_tools_config(Path(load_settings()["tools_dir"]))
    before = INTEGRATED_PANEL.stat().st_mtime_ns if INTEGRATED_PANEL.exists() else 0
    galaxy.config.reload_toolbox()
    # The reload runs asynchronously (well under 1 s here); a new toolbox rewrites the
    # integrated panel file as its last step, just before the server swaps it in.
    deadline = time.monotonic() + RELOAD_TIMEOUT_S
    while not INTEGRATED_PANEL.exists() or INTEGRATED_PANEL.stat().st_mtime_ns == before:
        if time.monotonic() > deadline:
            raise CtlError(f"toolbox not reloaded after {RELOAD_TIMEOUT_S} s (see {LOG.relative_to(ROOT)})")
        time.sleep(0.5)
    time.sleep(1)
    section = next((s for s in galaxy.tools.get_tool_panel() if s.get("id") == SECTION_ID), {})
    loaded = {tool.get("config_file") for tool in section.get("elems", [])}
    missing = [path.name for path in tools if str(path) not in loaded]
    if missing:
        raise CtlError(f"failed to load: {', '.join(missing)} (see {LOG.relative_to(ROOT)})")
    print(f"toolbox reloaded: {len(tools)} tool(s) as on disk")
