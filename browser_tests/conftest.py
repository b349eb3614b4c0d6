"""Fixtures of the browser tests: headless Chromium driven by Selenium against the embedded Galaxy.

Run, with the server started (`python3 embedded_galaxy/galaxy_ctl.py start`) and the browser
installed (`bash embedded_galaxy/install_browser.sh`):

    .venv/galaxy/bin/python -m pytest browser_tests

The server URL, the test user's e-mail, password and API key come from `.galaxy/keys.json` of
the repository (`$GALAXY_KEYS` names another keys.json). Screenshots go to `results/browser/`
(`$BROWSER_RESULTS` names another folder), the walks through the tutorial one numbered screenshot a
step into `tutorial/` and `text_route/` there; a failing test leaves `FAILED-<test>.png` and `.html`
there. Chromium and chromedriver are `/usr/bin/chromium` and `/usr/bin/chromedriver`
(`$CHROMIUM`, `$CHROMEDRIVER`). A browser that is missing or does not start FAILS the tests: it
never skips them.
"""

import json
import os
import shutil
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bioblend.galaxy import GalaxyInstance

ROOT = Path(__file__).resolve().parent.parent
KEYS = Path(os.environ.get("GALAXY_KEYS") or ROOT / ".galaxy" / "keys.json")
RESULTS = Path(os.environ.get("BROWSER_RESULTS") or ROOT / "results" / "browser")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1400,900"]
INSTALL_HINT = "run `bash embedded_galaxy/install_browser.sh` (as root)"
# Counts the tool form's requests to /api/tools/ID/build in flight (window.__galaxyToolBuilds):
# Galaxy rebuilds the form on the server after a conditional's selector or a repeat changes,
# and a value typed while that runs can be lost. Installed in every page before Galaxy's code.
TRACK_TOOL_BUILDS_JS = """
(() => {
    window.__galaxyToolBuilds = 0;
    const isBuild = (url) => /\\/api\\/tools\\/[^/]+\\/build/.test(String(url));
    const open = XMLHttpRequest.prototype.open;
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.open = function (method, url) {
        this.__galaxyToolBuild = isBuild(url);
        return open.apply(this, arguments);
    };
    XMLHttpRequest.prototype.send = function () {
        if (this.__galaxyToolBuild) {
            window.__galaxyToolBuilds++;
            this.addEventListener("loadend", () => { window.__galaxyToolBuilds--; });
        }
        return send.apply(this, arguments);
    };
    const fetch = window.fetch;
    window.fetch = function (resource) {
        if (!isBuild(resource && resource.url || resource)) {
            return fetch.apply(this, arguments);
        }
        window.__galaxyToolBuilds++;
        return fetch.apply(this, arguments).finally(() => { window.__galaxyToolBuilds--; });
    };
})();
"""

# Timeouts (seconds) for a 2-core machine: a page or widget; a job with its metadata step.
UI_TIMEOUT = 60
JOB_TIMEOUT = 300


def tool_names(tools_dir):
    """{tool id: name} of the Galaxy tool XMLs of `tools_dir` (macro files skipped)."""
    names = {}
    for path in sorted(Path(tools_dir).glob("*.xml")):
        root = ET.parse(path).getroot()
        if root.tag == "tool":
            names[root.get("id")] = root.get("name")
    return names


@pytest.fixture(scope="session")
def galaxy():
    """URL, users and keys of the running server; fails when it is not running."""
    if not KEYS.exists():
        pytest.fail(f"{KEYS} missing: start Galaxy first (`python3 embedded_galaxy/galaxy_ctl.py start`)")
    keys = json.loads(KEYS.read_text())
    # The API client is Galaxy's own (bioblend, in Galaxy's venv), as the test user.
    client = GalaxyInstance(keys["url"], key=keys["user_key"])
    client.timeout = 30
    try:
        version = client.config.get_version()
    except (OSError, ValueError, ConnectionError) as error:
        pytest.fail(f"Galaxy does not answer at {keys['url']}/api/version: {error}")
    # The tools the server loaded: those of the folder `configure` chose, else tools/.
    settings = KEYS.parent / "server.json"
    tools_dir = ROOT / "tools"
    if settings.exists():
        tools_dir = Path(json.loads(settings.read_text()).get("tools_dir") or tools_dir)
    return dict(keys, version=version, tools_dir=tools_dir, client=client)


@pytest.fixture(scope="session")
def results_dir():
    RESULTS.mkdir(parents=True, exist_ok=True)
    return RESULTS


def start_chromium(profile_dir):
    """A headless Chromium under chromedriver; pytest.fail with the reason when it cannot start."""
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service
    except ImportError as error:
        pytest.fail(f"selenium is not importable in {sys.executable}: {error}; {INSTALL_HINT}")
    for path, what in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromedriver")):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            pytest.fail(f"{what} not found at {path}: {INSTALL_HINT}")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile_dir}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(CHROMEDRIVER, service_args=["--log-level=WARNING"],
                      log_output=str(RESULTS / "chromedriver.log"))
    last_error = None
    for _ in range(2):  # one retry: a first start on a cold, busy machine may time out
        try:
            driver = webdriver.Chrome(service=service, options=options)
            break
        except WebDriverException as error:
            last_error = error
            time.sleep(2)
    else:
        pytest.fail(f"headless Chromium did not start ({CHROMIUM}, {CHROMEDRIVER}): "
                    f"{str(last_error).strip()[:2000]}")
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TRACK_TOOL_BUILDS_JS})
    driver.set_page_load_timeout(UI_TIMEOUT)
    driver.set_script_timeout(UI_TIMEOUT)
    return driver


@pytest.fixture(scope="session")
def driver(galaxy, results_dir):
    """The session's browser (after `galaxy`, so that a server that is down fails first)."""
    profile_dir = tempfile.mkdtemp(prefix="galaxy-browser-tests-")
    browser = start_chromium(profile_dir)
    yield browser
    try:
        browser.quit()
    finally:
        shutil.rmtree(profile_dir, ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test leaves a screenshot and the page's HTML in the results folder."""
    outcome = yield
    report = outcome.get_result()
    if report.when not in ("setup", "call") or not report.failed:
        return
    browser = getattr(item, "funcargs", {}).get("driver")
    if browser is None:
        return
    try:
        if not browser.current_url.startswith("http"):
            return  # no Galaxy page in the browser yet: nothing to show
        RESULTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(RESULTS / f"FAILED-{item.name}.png"))
        (RESULTS / f"FAILED-{item.name}.html").write_text(browser.page_source)
        console = "\n".join(f"{entry.get('level')} {entry.get('message')}" for entry in browser.get_log("browser"))
        (RESULTS / f"FAILED-{item.name}.console.txt").write_text(console + "\n")
        report.sections.append(("browser", f"URL {browser.current_url}; screenshot "
                                           f"{RESULTS / f'FAILED-{item.name}.png'}"))
    except Exception as error:  # the browser itself may be what failed
        report.sections.append(("browser", f"no failure screenshot: {error}"))
