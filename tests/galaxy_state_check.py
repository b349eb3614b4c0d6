"""Import workflow tool states into a tool the way Galaxy does, and report what Galaxy would change.

Run with Galaxy's own Python (it needs the ``galaxy`` package; no server is started), with one or
more pairs of a tool XML and a states file:

    .venv/galaxy/bin/python tests/galaxy_state_check.py TOOL.xml STATES.json [TOOL.xml STATES.json ...]
    (for example tools/keras_model_config.xml test-data/config_galaxy_ml_states.json)

Importing Galaxy and making its mock app takes most of the time (about 12 CPU seconds), so one process
checks every pair (tests/galaxy_state_reports.py runs it once for the whole test session). It prints a
JSON list, one report a pair in the order given; a report has, for each state:
- ``dropped``: keys of the stored state that the tool has no parameter for. Galaxy's decoding
  (``DefaultToolState.decode``) leaves them out without a word: their values are lost.
- ``unknown``: the same keys, as Galaxy's typed workflow-step state model (``create_workflow_step_model``,
  which forbids extra keys) reports them.
- ``corrections``: what the workflow editor and an invocation report as tool-state corrections
  (``Tool.check_and_update_param_values``): parameters with no value in the state (filled with
  their default) and values the tool refuses.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _dropped(raw: Any, decoded: Any, path: str = "") -> list[str]:
    """Keys of the stored state (below the top level) that decoding left out."""
    lost: list[str] = []
    if isinstance(raw, dict) and isinstance(decoded, dict):
        for key, value in raw.items():
            if key.startswith("__"):
                continue
            where = f"{path}|{key}" if path else key
            if key not in decoded:
                lost.append(where)
            else:
                lost += _dropped(value, decoded[key], where)
    elif isinstance(raw, list) and isinstance(decoded, list):
        for index, (item, kept) in enumerate(zip(raw, decoded)):
            lost += _dropped(item, kept, f"{path}_{index}")
    return lost


def _typed_unknown(bundle: Any, state: dict[str, Any]) -> list[str]:
    from galaxy.tool_util_models.parameters import create_workflow_step_model
    from pydantic import ValidationError

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: strip(value) for key, value in node.items() if not key.startswith("__")}
        if isinstance(node, list):
            return [strip(item) for item in node]
        return node

    state = {key: value for key, value in strip(state).items() if key != "chromInfo"}
    try:
        create_workflow_step_model(bundle)(**state)
    except ValidationError as err:
        # Stored states keep numbers as text; only keys the tool does not have matter here.
        return [".".join(map(str, error["loc"])) for error in err.errors() if error["type"] == "extra_forbidden"]
    return []


def check_states(app: Any, tool_path: str, states_path: str) -> dict[str, Any]:
    """The report of one tool and one states file."""
    from galaxy.app_unittest_utils.galaxy_mock import MockTrans
    from galaxy.tool_util.parameters import input_models_for_tool_source
    from galaxy.tool_util.parser import get_tool_source
    from galaxy.tools import DefaultToolState, create_tool_from_source

    bundle = input_models_for_tool_source(get_tool_source(tool_path))
    tool = create_tool_from_source(app, get_tool_source(tool_path))
    trans = MockTrans(app=app)
    report = {}
    for name, entry in json.loads(open(states_path, encoding="utf-8").read()).items():
        if name.startswith("_"):
            continue
        raw = entry["tool_state"]
        state = DefaultToolState()
        state.decode(json.dumps(raw), tool, app)
        dropped = _dropped(raw, state.inputs)
        corrections = tool.check_and_update_param_values(state.inputs, trans, workflow_building_mode=True)
        report[name] = {"dropped": dropped, "unknown": _typed_unknown(bundle, raw),
                        "corrections": {key: str(value) for key, value in sorted(corrections.items())}}
    return report


def main(argv: list[str]) -> None:
    from galaxy.app_unittest_utils.galaxy_mock import MockApp

    if not argv or len(argv) % 2:
        sys.exit("usage: galaxy_state_check.py TOOL.xml STATES.json [TOOL.xml STATES.json ...]")
    app = MockApp()
    pairs = list(zip(argv[::2], argv[1::2]))
    print(json.dumps([check_states(app, tool_path, states_path) for tool_path, states_path in pairs], indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
