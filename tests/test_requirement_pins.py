"""Every <requirement> the tools declare must be a version conda-forge has.

Galaxy servers install the tools' requirements through conda (or a mulled container
built from conda packages). A pin that exists on PyPI but not on conda-forge installs
here and fails there, so the pins are checked against deploy/conda-forge-versions.txt,
where each version is listed with the feedstock it was read from.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
VERIFIED = ROOT / "deploy" / "conda-forge-versions.txt"
# The packages a Tool Shed install needs for the tools' code; python and h5py are named
# on purpose: without them a conda solve may pick an interpreter or HDF5 library TensorFlow lacks.
REQUIRED_NAMES = {"python", "tensorflow", "keras", "h5py", "scikit-learn", "pandas", "matplotlib"}


def verified_versions() -> dict[str, str]:
    versions = {}
    for line in VERIFIED.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, version = line.split()
            versions[name] = version
    return versions


def macro_tokens() -> dict[str, str]:
    root = ET.parse(TOOLS / "macros.xml").getroot()
    return {token.get("name"): (token.text or "").strip() for token in root.iter("token")}


def expand(text: str, tokens: dict[str, str]) -> str:
    return re.sub(r"@[A-Z_]+@", lambda match: tokens.get(match.group(0), match.group(0)), text).strip()


def macro_requirements() -> list[tuple[str, str]]:
    tokens = macro_tokens()
    root = ET.parse(TOOLS / "macros.xml").getroot()
    macro = next(xml for xml in root.iter("xml") if xml.get("name") == "requirements")
    return [(element.text.strip(), expand(element.get("version", ""), tokens))
            for element in macro.iter("requirement")]


def tool_xmls() -> list[Path]:
    return sorted(path for path in TOOLS.glob("*.xml") if ET.parse(path).getroot().tag == "tool")


def test_the_verified_list_names_its_evidence():
    text = VERIFIED.read_text()
    for name in verified_versions():
        block = text.split(f"\n{name} ")[0].rsplit("\n\n", 1)[-1]
        assert "#" in block, f"{name}: no comment saying where the version was seen"


def test_every_requirement_is_a_version_conda_forge_has():
    verified = verified_versions()
    requirements = macro_requirements()
    assert {name for name, _ in requirements} >= REQUIRED_NAMES
    for name, version in requirements:
        assert version, f"<requirement> {name} has no version"
        assert name in verified, f"{name} is not in {VERIFIED.name}: check its conda-forge feedstock first"
        assert version == verified[name], f"{name} {version}: {VERIFIED.name} has {verified[name]}"


@pytest.mark.parametrize("path", tool_xmls(), ids=lambda path: path.stem)
def test_every_tool_uses_the_shared_requirements(path):
    root = ET.parse(path).getroot()
    requirements = root.find("requirements")
    expands = [element.get("macro") for element in root.iter("expand")]
    assert requirements is None, f"{path.name} lists its own <requirements>: use the shared macro"
    assert "requirements" in expands, f"{path.name} does not expand the requirements macro"
    # Each tool says the memory it needs at the least (MB), for admins and their job rules.
    (requirements_expand,) = [element for element in root.iter("expand") if element.get("macro") == "requirements"]
    ram_min = requirements_expand.get("ram_min", "")
    assert ram_min.isdigit() and int(ram_min) >= 256, f"{path.name}: ram_min {ram_min!r}"
    # Pulsar stages only the files a tool names: its own script and the shared package.
    staged = [element for element in root.iter("expand") if element.get("macro") == "required_files"]
    assert len(staged) == 1 and staged[0].get("script") == f"{root.get('id')}.py", path.name


def test_requirements_txt_pins_the_same_versions():
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name] = version
    expected = {name: version for name, version in macro_requirements() if name != "python"}
    assert pins == expected


def test_the_environment_running_the_tests_has_the_pins():
    for name, version in macro_requirements():
        if name == "python":
            assert "%d.%d" % sys.version_info[:2] == version
        else:
            assert importlib.metadata.version(name) == version, f"installed {name} differs from the pin"
