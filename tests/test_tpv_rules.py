"""The TPV rules an admin installs (deploy/tpv/keras_tools.yml) and the embedded Galaxy's routing.

TPV matches a tool by `re.match` of each key on the tool id: a key must match the id of
a local tool_conf.xml and the long id of a Tool Shed install, and nothing longer. The
live routing (jobs landing on Pulsar) is checked by `make pulsar-test`; `tpv lint` runs
in the lint stage.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "deploy" / "tpv" / "keras_tools.yml"
sys.path.insert(0, str(ROOT / "embedded_galaxy"))

import job_conf  # noqa: E402


def tool_ids() -> list[str]:
    return sorted(ET.parse(path).getroot().get("id") for path in (ROOT / "tools").glob("*.xml")
                  if ET.parse(path).getroot().tag == "tool")


def rule_blocks() -> dict[str, str]:
    """Tool key -> the indented lines under it, from the `tools:` section (no YAML parser in the tools' venv)."""
    blocks, key = {}, None
    for line in RULES.read_text().splitlines():
        if re.match(r"^  \S.*:$", line) and not line.lstrip().startswith("#"):
            key = line.strip()[:-1]
            blocks[key] = ""
        elif key and line.startswith("    "):
            blocks[key] += line + "\n"
    return blocks


@pytest.mark.parametrize("tool", tool_ids())
def test_every_tool_has_one_rule_that_matches_its_ids_only(tool):
    matching = [key for key in rule_blocks() if re.match(key, tool)]
    assert len(matching) == 1, f"{tool}: rules {matching}"
    key = matching[0]
    assert re.match(key, f"toolshed.g2.bx.psu.edu/repos/owner/keras_deep_learning/{tool}/3.15.0+galaxy0")
    assert not re.match(key, f"{tool}_other"), f"{key} also matches longer ids"
    block = rule_blocks()[key]
    assert re.search(r"cores: \d+", block) and re.search(r"mem: \d+", block), f"{tool}: no cores or mem"


def test_only_training_and_prediction_accept_a_gpu_and_none_requires_one():
    for key, block in rule_blocks().items():
        accepts_gpu = "accept:\n        - gpu" in block
        assert accepts_gpu == any(tool in key for tool in ("keras_train_and_eval", "model_prediction")), key
        assert "require" not in block and "prefer" not in block and "gpus:" not in block, key


def test_the_embedded_routing_sends_only_training_and_prediction_of_the_pulsar_user_to_pulsar():
    config = job_conf.tpv_destinations({"port": 8080, "id_secret": "0" * 32})
    routed = {key: entity for key, entity in config["tools"].items() if "rules" in entity}
    assert sorted(routed) == sorted(f"(.*/)?{tool}(/.*)?$" for tool in job_conf.REMOTE_TOOLS)
    for entity in routed.values():
        (rule,) = entity["rules"]
        assert job_conf.PULSAR_TEST_USER in rule["if"] and rule["scheduling"] == {"require": ["pulsar"]}
    pulsar = config["destinations"]["pulsar"]
    assert pulsar["scheduling"] == {"require": ["pulsar"]}
    assert pulsar["params"]["default_file_action"] == "transfer"  # staged over HTTP: no shared disk
    assert pulsar["params"]["dependency_resolution"] == "remote"
    for destination in config["destinations"].values():
        assert {"name": "GALAXY_MEMORY_MB", "value": "{int(mem * 1024)}"} in destination["env"]
