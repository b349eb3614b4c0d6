#!/usr/bin/env bash
# Install what the browser tests (browser_tests/) need: Debian's headless Chromium and its
# WebDriver, and Selenium and pytest in Galaxy's venv. Idempotent: `apt-get update` and the
# installs only run when something is missing. Run as root (or with sudo available).
#
#     bash embedded_galaxy/install_browser.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GALAXY_PYTHON="$ROOT/.venv/galaxy/bin/python"
REQUIREMENTS="$ROOT/browser_tests/requirements.txt"

SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install_browser.sh: not root and no sudo: cannot apt-get install chromium" >&2
        exit 1
    fi
fi

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    echo "chromium and chromedriver already installed"
else
    echo "installing chromium and chromium-driver (apt-get) ..."
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q chromium chromium-driver
fi
chromium --version
chromedriver --version

if [ ! -x "$GALAXY_PYTHON" ]; then
    echo "install_browser.sh: $GALAXY_PYTHON missing: run \`python3 embedded_galaxy/galaxy_ctl.py install\` first" >&2
    exit 1
fi
# Galaxy 26.1 pins selenium itself; install the pins of browser_tests/requirements.txt only
# when an import is missing, so Galaxy's own pins stay as they are.
if "$GALAXY_PYTHON" -c 'import selenium, pytest' 2>/dev/null; then
    echo "selenium and pytest already in $GALAXY_PYTHON"
else
    echo "installing $REQUIREMENTS into Galaxy's venv ..."
    "$GALAXY_PYTHON" -m pip install -q -r "$REQUIREMENTS"
fi
"$GALAXY_PYTHON" -c 'import selenium, pytest; print("selenium", selenium.__version__, "pytest", pytest.__version__)'
