"""Install the embedded Galaxy's virtual environments: .venv/galaxy, .venv/planemo, .venv/pulsar, .venv/tools.

Standard library only: it runs with the system ``python3`` and creates the first venvs.
Each venv gets a stamp once complete; an incomplete one (an interrupted install) is made anew.
"""

import email.parser
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from galaxy_paths import (CERTIFI_PIN, GALAXY_VENV, GALAXY_VERSION, PLANEMO_VENV, PLANEMO_VERSION, ROOT,
                          TOOLS_VENV, VENVS, run)

import pulsar_server

STAMP = ".galaxy_ctl-installed"
# Job routing is TPV's: a dynamic rule Galaxy imports, so it lives in Galaxy's venv.
TPV_PIN = "total-perspective-vortex==3.3.0"
GALAXY_PIN = f"galaxy=={GALAXY_VERSION}"
GALAXY_WHAT = f"{GALAXY_PIN} {TPV_PIN}"  # what the Galaxy venv's stamp says


def galaxy_requirements():
    """The pins of the galaxy metapackage, certifi fixed, markers kept for pip to evaluate."""
    with tempfile.TemporaryDirectory() as download_dir:
        run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", download_dir, GALAXY_PIN])
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
    return pins + [TPV_PIN]


def venv_complete(venv, what):
    stamp = venv / STAMP
    return stamp.exists() and stamp.read_text().strip() == what


def galaxy_installed():
    return venv_complete(GALAXY_VENV, GALAXY_WHAT)


def make_venv(venv, what, requirement_lines):
    """Create `venv` with the requirement lines that `requirement_lines()` gives."""
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


def install():
    VENVS.mkdir(exist_ok=True)
    make_venv(GALAXY_VENV, GALAXY_WHAT, galaxy_requirements)
    # planemo gets its own venv: inside Galaxy's it would upgrade `packaging`. It brings bioblend,
    # the API client of the commands that talk to a running server.
    make_venv(PLANEMO_VENV, f"planemo=={PLANEMO_VERSION}", lambda: [f"planemo=={PLANEMO_VERSION}"])
    # The remote-execution destination: its own venv, as a Pulsar host would have.
    make_venv(pulsar_server.PULSAR_VENV, pulsar_server.PULSAR_PIN, lambda: [pulsar_server.PULSAR_PIN])
    if (TOOLS_VENV / "bin" / "python").exists():
        print(f"{TOOLS_VENV.relative_to(ROOT)}: present (made by `make venv`)")
    else:
        print(f"{TOOLS_VENV.relative_to(ROOT)}: installing requirements.txt ...", flush=True)
        run([sys.executable, "-m", "venv", TOOLS_VENV])
        run([TOOLS_VENV / "bin" / "pip", "install", "-q", "-r", ROOT / "requirements.txt"])
