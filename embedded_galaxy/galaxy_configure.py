"""Write the embedded Galaxy's configuration into .galaxy/: galaxy.yml, tool_conf.xml, deps/ and server.json.

Standard library only (it runs with the system ``python3``).  Running it again keeps the
secrets, so the database made with them stays usable.
"""

import json
import os
import secrets
import xml.etree.ElementTree as ET
from pathlib import Path

import celery_worker
import dependency_envs
import job_conf
import pulsar_server
from galaxy_paths import (ADMIN_EMAIL, DEPS, GALAXY_YML, INTEGRATED_PANEL, ROOT, SECTION_ID, SETTINGS, STATE,
                          TOOL_CONF, TOOLS_VENV, default_port, load_settings, write_config)

SANITIZE_ALLOWLIST = STATE / "sanitize_allowlist.txt"
# Galaxy matches these as prefixes of a job's tool id. The training report holds no script, style sheet
# or link (tools/galaxy_keras/training_report.py), so it is shown as the page it is.
TRUSTED_HTML_TOOLS = ("keras_train_and_eval",)


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
    """One galaxy_packages dependency per requirement (macros.xml's and `extra_pairs`)."""
    pairs = sorted(set(package_requirements()) | set(extra_pairs))
    return dependency_envs.write_env_files(DEPS, pairs, "Galaxy")


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
        # Offline: no conda, no containers.
        "conda_auto_init": False,
        "conda_auto_install": False,
        "enable_mulled_containers": False,
        "container_resolvers": [],
        # Uploads and metadata run in Galaxy's warm Celery worker (celery_worker.py), not a process per job.
        "enable_celery_tasks": True,
        "celery_conf": celery_worker.celery_conf(),
        "metadata_strategy": "directory_celery",
        "galaxy_infrastructure_url": settings["url"],
        "allow_local_account_creation": True,
        # The tutorial runner uploads the IMDB tables by server path (admin only), not over HTTP.
        "allow_path_paste": True,
        "admin_users": ADMIN_EMAIL,
        "bootstrap_admin_api_key": settings["bootstrap_key"],
        "id_secret": settings["id_secret"],
        # Keep failed jobs' working directories for inspection.
        "cleanup_job": "onsuccess",
        # Tools whose HTML outputs Galaxy shows as pages (others as source text): the training report.
        "sanitize_allowlist_file": str(SANITIZE_ALLOWLIST),
        "job_config": job_conf.job_config(settings),
    }}


def configure(port=None, tools_dir=None):
    """Write .galaxy/ for the server on 127.0.0.1:`port` with the tools of `tools_dir`.

    Returns the settings and the tool XMLs in the panel. None: $GALAXY_PORT or 8080, tools/.
    """
    previous = load_settings(required=False) or {}
    port = port or default_port()
    tools_dir = Path(tools_dir or ROOT / "tools").resolve()
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
    write_config(GALAXY_YML, galaxy_config(settings), "embedded_galaxy/galaxy_ctl.py configure")
    job_conf.write_tpv_destinations(settings)
    SANITIZE_ALLOWLIST.write_text("\n".join(TRUSTED_HTML_TOOLS) + "\n")
    tools, pairs = write_tools_config(tools_dir)
    pulsar_server.configure(settings, pairs)
    print(f"configured {STATE.relative_to(ROOT)}/ for {settings['url']}: {len(tools)} tool(s) from "
          f"{tools_dir}, {len(pairs)} package requirement(s) -> {TOOLS_VENV.relative_to(ROOT)}")
    return settings, tools
