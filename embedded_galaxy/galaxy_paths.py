"""What every part of the embedded Galaxy shares: versions, paths, names, CtlError and run().

Standard library only, like the install, configure and serve modules that import it: they
run with the system ``python3`` before any virtual environment exists.  Everything
generated lives in git-ignored folders of the repository root: ``.venv/`` (galaxy,
planemo, tools), ``.galaxy/`` (config, database, log, keys) and ``results/`` (test reports).
"""

import json
import os
import subprocess
from pathlib import Path

GALAXY_VERSION = "26.1.2"
PLANEMO_VERSION = "0.75.47"
# galaxy==26.1.2 pins certifi==2026.10.19, a release PyPI does not have.
CERTIFI_PIN = "certifi==2026.10.19.post1"

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / ".venv"
GALAXY_VENV = VENVS / "galaxy"
PLANEMO_VENV = VENVS / "planemo"  # also the Python with bioblend, the API client
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

SECTION_ID = "keras_deep_learning"  # the tool panel section of the project's tools
ADMIN_EMAIL = "admin@galaxy.local"
USER_EMAIL = "tester@galaxy.local"


class CtlError(Exception):
    """An expected failure: reported as one line, exit status 1."""


def run(cmd, **kwargs):
    """Run a command, failing with its name when it exits non-zero."""
    if subprocess.run([str(c) for c in cmd], **kwargs).returncode != 0:
        raise CtlError(f"command failed: {' '.join(str(c) for c in cmd)}")


def write_config(path, data, writer, private=False):
    """A YAML configuration file written as JSON (JSON is YAML), under a comment naming its writer.

    No YAML library is needed (this runs with the system ``python3``) and none
    is emulated: json quotes every key and value as YAML reads it.
    ``private``: readable by the owner only (the file holds a secret).
    """
    Path(path).write_text(f"# Written by {writer}: edit that, not this.\n{json.dumps(data, indent=2)}\n")
    if private:
        os.chmod(path, 0o600)


def default_port():
    return int(os.environ.get("GALAXY_PORT", "8080"))


def load_settings(required=True):
    """server.json as `configure` wrote it; None (or CtlError when required) before that."""
    if SETTINGS.exists():
        return json.loads(SETTINGS.read_text())
    if required:
        raise CtlError("not configured: run `galaxy_ctl.py configure` first")
    return None
