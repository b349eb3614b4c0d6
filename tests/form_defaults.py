"""A form's default values, compared with the values a workflow step stores for it.

Walks a step's tool_state along the tool's form (tests/galaxy_forms.py expands
the macros) and lists every parameter whose stored value is not what the form
shows before anyone changes it. Paths are Galaxy's (``section|param``); a
repeat's items share one path (``layers|layer_selection|units``), as its items
share their defaults.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Difference:
    path: str
    stored: Any
    default: Any
    param: ET.Element


def default_of(param: ET.Element) -> Any:
    """What the form shows before anything is changed: Galaxy's own rules for each parameter type."""
    kind = param.get("type")
    if kind == "select":
        options = list(param.iter("option"))
        chosen = [option.get("value") for option in options if option.get("selected") == "true"]
        if param.get("multiple") == "true":
            return chosen
        return chosen[0] if chosen else (options[0].get("value") if options else None)
    if kind == "boolean":
        return param.get("checked", "false").lower() in ("true", "yes")
    return param.get("value")


def same(stored: Any, default: Any, param: ET.Element) -> bool:
    kind = param.get("type")
    if kind in ("integer", "float"):
        if stored in (None, "") or default in (None, ""):
            return stored in (None, "") and default in (None, "")
        return float(stored) == float(default)
    if kind == "boolean":
        return str(stored).lower() == str(default).lower()
    if kind == "select" and param.get("multiple") == "true":
        return sorted(stored or []) == sorted(default or [])
    if kind == "text":
        return (stored or "") == (default or "")
    return stored == default


def differences(form: ET.Element, state: dict, path: str = "", seen: set[str] | None = None) -> list[Difference]:
    """The parameters whose stored value is not the form's default; ``seen`` collects every path compared."""
    seen = set() if seen is None else seen
    found: list[Difference] = []
    children = {item.get("name"): item for item in form if item.tag in ("param", "conditional", "section", "repeat")}
    for key, value in state.items():
        element = children.get(key)
        if key.startswith("__") or element is None:  # Galaxy's bookkeeping; unknown keys are galaxy_forms' job
            continue
        where = f"{path}{key}"
        if element.tag == "section":
            found += differences(element, value, f"{where}|", seen)
        elif element.tag == "repeat":
            for item in value:
                found += differences(element, item, f"{where}|", seen)
        elif element.tag == "conditional":
            test = next(item for item in element if item.tag == "param")
            chosen = value.get(test.get("name"))
            seen.add(f"{where}|{test.get('name')}")
            if not same(chosen, default_of(test), test):
                found.append(Difference(f"{where}|{test.get('name')}", chosen, default_of(test), test))
            case = next((when for when in element.findall("when") if when.get("value") == chosen), None)
            if case is not None:
                found += differences(case, value, f"{where}|", seen)
        elif element.get("type") != "data":
            seen.add(where)
            if not same(value, default_of(element), element):
                found.append(Difference(where, value, default_of(element), element))
    return found
