#!/usr/bin/env python3
"""Install, configure, run and test against the project's own offline Galaxy server.

Standard library only: it runs with the system ``python3`` before any virtual
environment exists.  Every subcommand is idempotent and prints one-line messages.

    python3 embedded_galaxy/galaxy_ctl.py install | configure | start | status | stop
    python3 embedded_galaxy/galaxy_ctl.py reload-tools | keys
    python3 embedded_galaxy/galaxy_ctl.py test-tools [TOOL.xml ...]
    python3 embedded_galaxy/galaxy_ctl.py test-workflow WORKFLOW.ga|.gxwf.yml [...]

Everything generated lives in git-ignored folders of the repository root:
``.venv/`` (galaxy, planemo, tools), ``.galaxy/`` (config, database, log, keys)
and ``results/`` (test reports).
"""

import argparse
import email.parser
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import job_conf

GALAXY_VERSION = "26.1.2"
PLANEMO_VERSION = "0.75.47"
# galaxy==26.1.2 pins certifi==2026.10.19, a release PyPI does not have.
CERTIFI_PIN = "certifi==2026.10.19.post1"

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / ".venv"
GALAXY_VENV = VENVS / "galaxy"
PLANEMO_VENV = VENVS / "planemo"
TOOLS_VENV = VENVS / "tools"
STATE = ROOT / ".galaxy"
SETTINGS = STATE / "server.json"  # url, port, tools dir and secrets chosen by `configure`
GALAXY_YML = STATE / "galaxy.yml"
TOOL_CONF = STATE / "tool_conf.xml"
INTEGRATED_PANEL = STATE / "integrated_tool_panel.xml"  # Galaxy's own copy of the panel
DEPS = STATE / "deps"
LOG = STATE / "galaxy.log"
PID = STATE / "galaxy.pid"
KEYS = STATE / "keys.json"
RESULTS = ROOT / "results"
STAMP = ".galaxy_ctl-installed"

START_TIMEOUT_S = 240
STOP_TIMEOUT_S = 30
RELOAD_TIMEOUT_S = 60
SECTION_ID = "keras_deep_learning"
ADMIN_EMAIL = "admin@galaxy.local"
USER_EMAIL = "tester@galaxy.local"


class CtlError(Exception):
    """An expected failure: reported as one line, exit status 1."""


# --------------------------------------------------------------------------- install

def run(cmd, **kwargs):
    """Run a command, failing with its name when it exits non-zero."""
    if subprocess.run([str(c) for c in cmd], **kwargs).returncode != 0:
        raise CtlError(f"command failed: {' '.join(str(c) for c in cmd)}")


def galaxy_requirements():
    """The pins of the galaxy metapackage, certifi fixed, markers kept for pip to evaluate."""
    with tempfile.TemporaryDirectory() as download_dir:
        run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", download_dir,
             f"galaxy=={GALAXY_VERSION}"])
        wheel = next(Path(download_dir).glob("galaxy-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            headers = email.parser.HeaderParser().parsestr(archive.read(name).decode())
    pins = []
    for requirement in headers.get_all("Requires-Dist") or []:
        if "extra ==" in requirement:  # optional extras (postgresql, ...) are not wanted
            continue
        if requirement.split(";")[0].strip().startswith("certifi=="):
            requirement = CERTIFI_PIN
        pins.append(requirement)
    return pins


def venv_complete(venv, what):
    stamp = venv / STAMP
    return stamp.exists() and stamp.read_text().strip() == what


def make_venv(venv, what, requirement_lines):
    """Create `venv` with the requirement lines that `requirement_lines()` gives.

    A stamp written after success marks it complete; an incomplete one is made anew.
    """
    if venv_complete(venv, what):
        print(f"{venv.relative_to(ROOT)}: {what} already installed")
        return
    print(f"{venv.relative_to(ROOT)}: installing {what} ...", flush=True)
    started = time.monotonic()
    run([sys.executable, "-m", "venv", "--clear", venv])
    pip = venv / "bin" / "pip"
    run([pip, "install", "-q", "--upgrade", "pip", "wheel"])
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as requirements:
        requirements.write("\n".join(requirement_lines()) + "\n")
        requirements.flush()
        run([pip, "install", "-q", "-r", requirements.name])
    (venv / STAMP).write_text(what + "\n")
    print(f"{venv.relative_to(ROOT)}: {what} installed in {time.monotonic() - started:.0f} s")


def cmd_install(args):
    VENVS.mkdir(exist_ok=True)
    make_venv(GALAXY_VENV, f"galaxy=={GALAXY_VERSION}", galaxy_requirements)
    # planemo gets its own venv: inside Galaxy's it would upgrade `packaging`.
    make_venv(PLANEMO_VENV, f"planemo=={PLANEMO_VERSION}", lambda: [f"planemo=={PLANEMO_VERSION}"])
    if (TOOLS_VENV / "bin" / "python").exists():
        print(f"{TOOLS_VENV.relative_to(ROOT)}: present (made by `make venv`)")
    else:
        print(f"{TOOLS_VENV.relative_to(ROOT)}: installing requirements.txt ...", flush=True)
        run([sys.executable, "-m", "venv", TOOLS_VENV])
        run([TOOLS_VENV / "bin" / "pip", "install", "-q", "-r", ROOT / "requirements.txt"])
    return 0


# --------------------------------------------------------------------------- configure

def yaml_lines(value, indent=0):
    """A minimal YAML writer: JSON scalars are valid YAML, so only nesting needs care."""
    pad = "  " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                yield f"{pad}{key}:"
                yield from yaml_lines(item, indent + 1)
            else:
                yield f"{pad}{key}: {json.dumps(item)}"
    else:
        for item in value:
            if isinstance(item, dict) and item:
                first, *rest = list(yaml_lines(item, indent + 1))
                yield f"{pad}- {first.strip()}"
                yield from rest
            else:
                yield f"{pad}- {json.dumps(item)}"


def tool_files(tools_dir):
    """Every Galaxy tool XML in `tools_dir` (macros and other XML without a <tool> root skipped)."""
    found = []
    for path in sorted(Path(tools_dir).glob("*.xml")):
        try:
            if ET.parse(path).getroot().tag == "tool":
                found.append(path.resolve())
        except ET.ParseError as error:
            print(f"warning: {path} skipped, not well-formed XML: {error}")
    return found


def write_tool_conf(tools_dir):
    """The tool panel: Get Data (bundled upload tool) and the project's tools."""
    panel = ET.Element("toolbox", monitor="false")
    get_data = ET.SubElement(panel, "section", id="getext", name="Get Data")
    # A relative file with no tool_path resolves in Galaxy's bundled tools.
    ET.SubElement(get_data, "tool", file="data_source/upload.xml")
    keras = ET.SubElement(panel, "section", id=SECTION_ID, name="Keras deep learning")
    tools = tool_files(tools_dir)
    for path in tools:
        ET.SubElement(keras, "tool", file=str(path))
    ET.indent(panel)
    ET.ElementTree(panel).write(TOOL_CONF, encoding="unicode", xml_declaration=True)
    return tools


def xml_requirements(path):
    """(name, version) of the package requirements in a tool or macros XML, tokens expanded."""
    root = ET.parse(path).getroot()
    tokens = {token.get("name"): (token.text or "").strip() for token in root.iter("token")}

    def expand(text):
        for name, value in tokens.items():
            text = text.replace(name, value)
        return text.strip()

    return [(expand(element.text), expand(element.get("version")))
            for element in root.iter("requirement")
            if element.get("type") == "package" and element.get("version") and element.text]


def package_requirements():
    """(name, version) of the tools' package requirements: macros.xml, else requirements.txt."""
    macros = ROOT / "tools" / "macros.xml"
    pairs = xml_requirements(macros) if macros.exists() else []
    if not pairs and (ROOT / "requirements.txt").exists():
        for line in (ROOT / "requirements.txt").read_text().splitlines():
            name, sep, version = line.split("#")[0].strip().partition("==")
            if sep:
                pairs.append((name.strip(), version.strip()))
    return pairs


def write_dependency_envs(extra_pairs=()):
    """One galaxy_packages dependency per requirement, each activating the tools' venv.

    The `galaxy_packages` resolver sources <tool_dependency_dir>/NAME/VERSION/env.sh
    inside the tool's command, after the job script has activated Galaxy's own venv,
    so the PATH set here decides which `python` the tool runs.
    """
    tools_bin = TOOLS_VENV / "bin"
    pairs = sorted(set(package_requirements()) | set(extra_pairs))
    for name, version in pairs:
        env_dir = DEPS / name / version
        env_dir.mkdir(parents=True, exist_ok=True)
        (env_dir / "env.sh").write_text(
            f"# {name} {version}: provided by the Keras tools' virtual environment.\n"
            f"# Written by embedded_galaxy/galaxy_ctl.py configure.\n"
            f'PATH="{tools_bin}:$PATH"\nexport PATH\n'
            f'VIRTUAL_ENV="{TOOLS_VENV}"\nexport VIRTUAL_ENV\n')
    return pairs


def tool_requirements(tools_dir):
    """Package requirements written in the tool XMLs themselves (a tools dir without macros)."""
    return {pair for path in tool_files(tools_dir) for pair in xml_requirements(path)}


def write_tools_config(tools_dir):
    """tool_conf.xml and the dependency env.sh files for the tools of `tools_dir`."""
    tools = write_tool_conf(tools_dir)
    return tools, write_dependency_envs(tool_requirements(tools_dir))


def galaxy_config(settings):
    data = STATE / "data"
    return {"galaxy": {
        "data_dir": str(data),
        "database_connection": f"sqlite:///{data}/universe.sqlite?isolation_level=IMMEDIATE",
        "database_auto_migrate": True,
        "tool_config_file": str(TOOL_CONF),
        "integrated_tool_panel_config": str(INTEGRATED_PANEL),
        "watch_tools": "false",
        # Where the server looks up the tests' input files (planemo asks it for them).
        "tool_test_data_directories": str(ROOT / "test-data"),
        "tool_dependency_dir": str(DEPS),
        "dependency_resolvers": [{"type": "galaxy_packages"}],
        # Offline: no conda, no containers, no celery broker.
        "conda_auto_init": False,
        "conda_auto_install": False,
        "enable_mulled_containers": False,
        "container_resolvers": [],
        "enable_celery_tasks": False,
        "metadata_strategy": "directory",
        "galaxy_infrastructure_url": settings["url"],
        "allow_local_account_creation": True,
        # The tutorial runner uploads the IMDB tables by server path (admin only), not over HTTP.
        "allow_path_paste": True,
        "admin_users": ADMIN_EMAIL,
        "bootstrap_admin_api_key": settings["bootstrap_key"],
        "id_secret": settings["id_secret"],
        # Keep failed jobs' working directories for inspection.
        "cleanup_job": "onsuccess",
        "job_config": job_conf.job_config(settings),
    }}


def load_settings(required=True):
    if SETTINGS.exists():
        return json.loads(SETTINGS.read_text())
    if required:
        raise CtlError("not configured: run `galaxy_ctl.py configure` first")
    return None


def cmd_configure(args):
    previous = load_settings(required=False) or {}
    port = args.port or default_port()  # None (a caller in Python): the defaults
    tools_dir = Path(args.tools_dir or ROOT / "tools").resolve()
    settings = {
        "port": port,
        "url": f"http://127.0.0.1:{port}",
        "tools_dir": str(tools_dir),
        # Secrets stay the same across reconfiguration: the database remembers them.
        "bootstrap_key": previous.get("bootstrap_key") or secrets.token_hex(16),
        "id_secret": previous.get("id_secret") or secrets.token_hex(16),
    }
    STATE.mkdir(exist_ok=True)
    SETTINGS.write_text(json.dumps(settings, indent=2) + "\n")
    os.chmod(SETTINGS, 0o600)
    GALAXY_YML.write_text("# Written by embedded_galaxy/galaxy_ctl.py configure: edit that, not this.\n"
                          + "\n".join(yaml_lines(galaxy_config(settings))) + "\n")
    tools, pairs = write_tools_config(tools_dir)
    print(f"configured {STATE.relative_to(ROOT)}/ for {settings['url']}: {len(tools)} tool(s) from "
          f"{tools_dir}, {len(pairs)} package requirement(s) -> {TOOLS_VENV.relative_to(ROOT)}")
    if server_pid():
        print("the server is running: `reload-tools` applies tool changes, `stop` and `start` the rest")
    return 0


# --------------------------------------------------------------------------- server

def request(url, path, method="GET", key=None, body=None, timeout=30):
    """One JSON API call."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, method=method)
    if key:
        req.add_header("x-api-key", key)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as response:
        payload = response.read()
    return json.loads(payload) if payload else None


def server_pid():
    """The pid of our running galaxy-web, or None (a stale pid file is removed)."""
    try:
        pid = int(PID.read_text())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        PID.unlink(missing_ok=True)
        return None
    if b"galaxy-web" not in cmdline:  # the pid was reused by something else
        PID.unlink(missing_ok=True)
        return None
    return pid


def port_in_use(port):
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def log_tail(lines=30):
    if not LOG.exists():
        return ""
    return "\n".join(LOG.read_text(errors="replace").splitlines()[-lines:])


def wait_until_ready(url, process):
    """Poll /api/version: the port accepts connections before the app can answer."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CtlError(f"galaxy-web exited with status {process.returncode}; "
                           f"log tail:\n{log_tail()}")
        try:
            return request(url, "/api/version", timeout=5)["version_major"]
        except (OSError, ValueError, KeyError):
            print(".", end="", flush=True)
            time.sleep(3)
    raise CtlError(f"no answer from {url}/api/version after {START_TIMEOUT_S} s; "
                   f"log tail:\n{log_tail()}")


def ensure_user(url, bootstrap_key, address, password):
    """The id of the user with `address`, created when missing."""
    found = request(url, f"/api/users?f_email={urllib.parse.quote(address)}", key=bootstrap_key)
    for user in found:
        if user["email"] == address:
            return user["id"]
    user = request(url, "/api/users", "POST", bootstrap_key,
                   {"username": address.split("@")[0], "email": address, "password": password})
    return user["id"]


def write_keys(url, bootstrap_key):
    """Create the admin and test users, give each a fresh API key, save them in keys.json."""
    password = secrets.token_urlsafe(12)
    if KEYS.exists():  # keep the password a person may already be using in the web UI
        password = json.loads(KEYS.read_text()).get("password", password)
    keys = {"url": url, "admin_email": ADMIN_EMAIL, "user_email": USER_EMAIL, "password": password}
    for role, address in (("admin", ADMIN_EMAIL), ("user", USER_EMAIL)):
        user_id = ensure_user(url, bootstrap_key, address, password)
        keys[f"{role}_key"] = request(url, f"/api/users/{user_id}/api_key", "POST", bootstrap_key)
    KEYS.write_text(json.dumps(keys, indent=2) + "\n")
    os.chmod(KEYS, 0o600)


def galaxy_env():
    """The environment of an activated Galaxy venv: jobs re-activate it for their metadata step."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # the caller's would leak into Galaxy and every job
    env["VIRTUAL_ENV"] = str(GALAXY_VENV)
    env["PATH"] = f"{GALAXY_VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def cmd_start(args):
    if not GALAXY_YML.exists():
        cmd_configure(argparse.Namespace(port=None, tools_dir=None))
    settings = load_settings()
    url = settings["url"]
    if server_pid():
        print(f"already running at {url}")
        return 0
    if not venv_complete(GALAXY_VENV, f"galaxy=={GALAXY_VERSION}"):
        raise CtlError("Galaxy is not installed: run `galaxy_ctl.py install` first")
    if port_in_use(settings["port"]):
        raise CtlError(f"port {settings['port']} is taken by another process: "
                       f"configure --port or GALAXY_PORT picks another")
    started = time.monotonic()
    with open(LOG, "wb") as log:  # the log of the current server only
        process = subprocess.Popen(
            [GALAXY_VENV / "bin" / "galaxy-web", "-c", GALAXY_YML, "-b", f"127.0.0.1:{settings['port']}"],
            cwd=STATE, env=galaxy_env(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)  # its own process group: `stop` ends it with its jobs
    PID.write_text(f"{process.pid}\n")
    print(f"starting Galaxy at {url} (log: {LOG.relative_to(ROOT)}) ", end="", flush=True)
    try:
        version = wait_until_ready(url, process)
    except CtlError:
        print()
        stop_process(process.pid)
        raise
    print(f"\nGalaxy {version} ready at {url} after {time.monotonic() - started:.0f} s")
    write_keys(url, settings["bootstrap_key"])
    print(f"API keys written to {KEYS.relative_to(ROOT)}")
    return 0


def alive(pid):
    """Whether `pid` still runs (an exited child its new parent has not reaped yet does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def stop_process(pid):
    """SIGTERM the process group, wait, then SIGKILL."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        PID.unlink(missing_ok=True)
        return
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline and alive(pid):
        time.sleep(0.5)
    if alive(pid):
        print(f"no exit after {STOP_TIMEOUT_S} s: killing")
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    PID.unlink(missing_ok=True)


def cmd_stop(args):
    pid = server_pid()
    if not pid:
        print("not running")
        return 0
    stop_process(pid)
    print(f"stopped (pid {pid})")
    return 0


def cmd_status(args):
    settings = load_settings(required=False)
    url = settings["url"] if settings else f"http://127.0.0.1:{default_port()}"
    pid = server_pid()
    if pid:
        print(f"running at {url} (pid {pid})")
    else:
        print(f"not running (would be {url})")
    return 0


def server_keys():
    """keys.json of the running server."""
    if not server_pid():
        raise CtlError("not running: `galaxy_ctl.py start` first")
    if not KEYS.exists():
        raise CtlError(f"{KEYS} missing: restart the server to create users and keys")
    return json.loads(KEYS.read_text())


def cmd_keys(args):
    print(json.dumps(server_keys(), indent=2))
    return 0


def panel_section(keys):
    """The project's section of the server's tool panel, or None."""
    sections = request(keys["url"], "/api/tools?in_panel=true", key=keys["admin_key"])
    return next((section for section in sections if section.get("id") == SECTION_ID), None)


def reload_tools():
    """Re-read the panel and every tool XML: the server runs each tool as it loaded it."""
    keys = server_keys()
    tools, _ = write_tools_config(Path(load_settings()["tools_dir"]))
    before = INTEGRATED_PANEL.stat().st_mtime_ns if INTEGRATED_PANEL.exists() else 0
    request(keys["url"], "/api/configuration/toolbox", "PUT", keys["admin_key"])
    # The reload runs asynchronously (well under 1 s here); a new toolbox rewrites the
    # integrated panel file as its last step, just before the server swaps it in.
    deadline = time.monotonic() + RELOAD_TIMEOUT_S
    while not INTEGRATED_PANEL.exists() or INTEGRATED_PANEL.stat().st_mtime_ns == before:
        if time.monotonic() > deadline:
            raise CtlError(f"toolbox not reloaded after {RELOAD_TIMEOUT_S} s (see {LOG.relative_to(ROOT)})")
        time.sleep(0.5)
    time.sleep(1)
    section = panel_section(keys) or {}
    loaded = {tool.get("config_file") for tool in section.get("elems", [])}
    missing = [path.name for path in tools if str(path) not in loaded]
    if missing:
        raise CtlError(f"failed to load: {', '.join(missing)} (see {LOG.relative_to(ROOT)})")
    print(f"toolbox reloaded: {len(tools)} tool(s) as on disk")


def cmd_reload_tools(args):
    reload_tools()
    return 0


# --------------------------------------------------------------------------- tests

# Tool and workflow tests run as this many planemo processes at once: a test's time is mostly
# Galaxy's own per-job work (upload, queue, metadata), so two at a time shorten the stage on
# 2 cores (the job runner has 2 workers).
TEST_PROCESSES = 2


def planemo_command(targets, report_name):
    keys = server_keys()
    command = [PLANEMO_VENV / "bin" / "planemo", "test", "--engine", "external_galaxy",
               "--galaxy_url", keys["url"], "--galaxy_admin_key", keys["admin_key"],
               "--galaxy_user_key", keys["user_key"],
               "--test_output", RESULTS / f"{report_name}.html", "--test_output_json", RESULTS / f"{report_name}.json",
               "--test_output_junit", RESULTS / f"{report_name}.xml"]
    if (ROOT / "test-data").is_dir():
        command += ["--test_data", ROOT / "test-data"]
    return [str(c) for c in command + list(targets)]


def count_tests(target):
    """A tool XML's number of tests; a workflow counts as one."""
    if not str(target).endswith(".xml"):
        return 1
    tests = ET.parse(target).getroot().find("tests")
    return 1 if tests is None else max(len(tests.findall("test")), 1)


def balanced_groups(targets, n_groups):
    """Tools split into groups of about equal numbers of tests (largest first)."""
    groups = [[] for _ in range(n_groups)]
    sizes = [0] * n_groups
    for target in sorted(targets, key=lambda t: -count_tests(t)):
        smallest = sizes.index(min(sizes))
        groups[smallest].append(target)
        sizes[smallest] += count_tests(target)
    return [group for group in groups if group]


def merge_reports(parts, report_json):
    """One planemo JSON report from several: tests concatenated, summary numbers added."""
    merged = {"summary": {}, "tests": []}
    for part in parts:
        data = json.loads(part.read_text())
        merged["tests"] += data.get("tests", [])
        for key, value in data.get("summary", {}).items():
            if isinstance(value, (int, float)):
                merged["summary"][key] = merged["summary"].get(key, 0) + value
        merged.setdefault("version", data.get("version"))
    report_json.write_text(json.dumps(merged, indent=2))


def report_counts(report_json):
    summary = json.loads(report_json.read_text())["summary"]
    failed = summary.get("num_failures", 0) + summary.get("num_errors", 0)
    skipped = summary.get("num_skips", 0)
    passed = summary.get("num_tests", 0) - failed - skipped
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed or not passed else 0


def planemo_test(targets, report_name, processes=1):
    """`planemo test` against the running server, in ``processes`` parallel groups; prints 'N passed, N failed'."""
    RESULTS.mkdir(exist_ok=True)
    report_json = RESULTS / f"{report_name}.json"
    report_json.unlink(missing_ok=True)
    groups = balanced_groups(targets, processes) if processes > 1 else [list(targets)]
    names = [report_name] if len(groups) == 1 else [f"{report_name}-{i}" for i in range(1, len(groups) + 1)]
    for name in names:
        (RESULTS / f"{name}.json").unlink(missing_ok=True)
    running = [subprocess.Popen(planemo_command(group, name), cwd=ROOT) for group, name in zip(groups, names)]
    for process in running:
        process.wait()
    parts = [RESULTS / f"{name}.json" for name in names]
    missing = [part for part in parts if not part.exists()]
    if missing:
        print("0 passed, 0 failed")
        raise CtlError(f"planemo wrote no {', '.join(str(p.relative_to(ROOT)) for p in missing)}: no test ran")
    if len(parts) > 1:
        merge_reports(parts, report_json)
    code = report_counts(report_json)
    print(f"report: {', '.join(f'{RESULTS.relative_to(ROOT)}/{name}.html' for name in names)}")
    return code


def cmd_test_tools(args):
    tools = args.tools or tool_files(load_settings()["tools_dir"])
    if not tools:
        raise CtlError("no tool to test")
    reload_tools()  # test the tools as they are on disk now
    return planemo_test(tools, "tool-tests", TEST_PROCESSES)


def cmd_test_workflow(args):
    return planemo_test(args.workflows, "workflow-tests", TEST_PROCESSES)


# --------------------------------------------------------------------------- main

def default_port():
    return int(os.environ.get("GALAXY_PORT", "8080"))


def parser():
    main = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = main.add_subparsers(dest="command", required=True)
    commands.add_parser("install", help="create .venv/galaxy and .venv/planemo").set_defaults(
        func=cmd_install)
    configure = commands.add_parser("configure", help="write .galaxy/ (config, tool panel, deps)")
    configure.add_argument("--port", type=int, default=default_port(),
                           help="port on 127.0.0.1 (default: $GALAXY_PORT or 8080)")
    configure.add_argument("--tools-dir", default=str(ROOT / "tools"),
                           help="folder whose tool XMLs go into the panel (default: tools/)")
    configure.set_defaults(func=cmd_configure)
    for name, func, text in (("start", cmd_start, "start the server in the background"),
                             ("stop", cmd_stop, "stop the server"),
                             ("status", cmd_status, "say whether the server runs"),
                             ("reload-tools", cmd_reload_tools, "reload the toolbox from disk"),
                             ("keys", cmd_keys, "print URL and API keys as JSON")):
        commands.add_parser(name, help=text).set_defaults(func=func)
    tools = commands.add_parser("test-tools", help="planemo test tools (default: all configured)")
    tools.add_argument("tools", nargs="*", help="tool XML files")
    tools.set_defaults(func=cmd_test_tools)
    workflow = commands.add_parser("test-workflow", help="planemo test workflows and their -tests.yml")
    workflow.add_argument("workflows", nargs="+", help=".ga or .gxwf.yml workflow files")
    workflow.set_defaults(func=cmd_test_workflow)
    return main


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except CtlError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except urllib.error.URLError as error:
        print(f"error: Galaxy API call failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
