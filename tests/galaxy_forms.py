"""A tool's form (its <inputs>, macros expanded) and the check Galaxy makes of a workflow step's tool state.

Galaxy-ML workflows must import without tool-state corrections: every key of a
step's tool_state must be a parameter of the form at the same place, every
select value one of its options, every conditional's value one of its cases.
The expansion covers what these tools' macros use: imported macro files,
``token_*`` defaults, ``@TOKEN@`` arguments, nested ``expand`` and ``yield``.
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1] / "tools"


def _macros(root: ET.Element, folder: Path) -> dict[str, ET.Element]:
    macros: dict[str, ET.Element] = {}
    block = root if root.tag == "macros" else root.find("macros")
    for item in block if block is not None else ():
        if item.tag == "import":
            macros.update(_macros(ET.parse(folder / item.text.strip()).getroot(), folder))
        elif item.tag == "xml":
            macros[item.get("name")] = item
    return macros


def _substitute(element: ET.Element, tokens: dict[str, str]) -> None:
    def replace(text: str) -> str:
        return re.sub(r"@([A-Z_0-9]+)@", lambda match: tokens.get(match.group(1), match.group(0)), text)

    for key, value in list(element.attrib.items()):
        element.set(key, replace(value))
    if element.text:
        element.text = replace(element.text)
    for child in element:
        _substitute(child, tokens)


def _expand(parent: ET.Element, macros: dict[str, ET.Element]) -> None:
    index = 0
    while index < len(parent):
        child = parent[index]
        if child.tag != "expand":
            _expand(child, macros)
            index += 1
            continue
        macro = macros[child.get("macro")]
        tokens = {key[len("token_"):].upper(): value for key, value in macro.attrib.items() if key.startswith("token_")}
        tokens.update({key.upper(): value for key, value in child.attrib.items() if key != "macro"})
        body = [copy.deepcopy(item) for item in macro]
        yielded = list(child)
        expanded: list[ET.Element] = []
        for item in body:
            if item.tag == "yield":
                expanded.extend(copy.deepcopy(y) for y in yielded)
                continue
            for holder in list(item.iter()):
                for position, grandchild in enumerate(list(holder)):
                    if grandchild.tag == "yield":
                        holder.remove(grandchild)
                        for offset, y in enumerate(yielded):
                            holder.insert(position + offset, copy.deepcopy(y))
            _substitute(item, tokens)
            expanded.append(item)
        parent.remove(child)
        for offset, item in enumerate(expanded):
            parent.insert(index + offset, item)
        # the inserted items may expand further: look at them again


def inputs(tool_id: str) -> ET.Element:
    """The tool's <inputs>, every macro expanded."""
    root = ET.parse(TOOLS / f"{tool_id}.xml").getroot()
    macros = _macros(root, TOOLS)
    block = copy.deepcopy(root.find("inputs"))
    _expand(block, macros)
    return block


def problems(form: ET.Element, state: dict, path: str = "") -> list[str]:
    """What Galaxy would correct in ``state`` (a workflow step's tool_state) for this form."""
    found: list[str] = []
    children = {item.get("name") or item.get("argument", "").lstrip("-"): item for item in form
                if item.tag in ("param", "conditional", "section", "repeat")}
    for key, value in state.items():
        if key.startswith("__") or key in ("chromInfo",):
            continue
        where = f"{path}{key}"
        element = children.get(key)
        if element is None:
            found.append(f"{where}: no such parameter")
            continue
        if element.tag == "section":
            found += problems(element, value, f"{where}|")
        elif element.tag == "repeat":
            for i, item in enumerate(value):
                found += problems(element, item, f"{where}_{i}|")
        elif element.tag == "conditional":
            test = next(item for item in element if item.tag == "param")
            chosen = value.get(test.get("name"))
            cases = {when.get("value"): when for when in element.findall("when")}
            if chosen not in cases:
                found.append(f"{where}|{test.get('name')}: {chosen!r} is not one of {sorted(cases)}")
                continue
            body = ET.Element("inputs")
            body.append(test)
            body.extend(list(cases[chosen]))
            found += problems(body, value, f"{where}|")
        else:
            found += _param_problem(element, value, where)
    return found


def _param_problem(param: ET.Element, value, where: str) -> list[str]:
    kind = param.get("type")
    if kind == "data":
        ok = value is None or isinstance(value, dict) and value.get("__class__") in ("ConnectedValue", "RuntimeValue")
        return [] if ok else [f"{where}: a dataset parameter given {value!r}"]
    if kind == "select":
        options = [option.get("value") for option in param.iter("option")]
        values = value if isinstance(value, list) else [value]
        if param.get("multiple") == "true" and value is None:
            return []
        bad = [item for item in values if item not in options]
        return [f"{where}: {item!r} is not one of {options}" for item in bad]
    if kind == "boolean":
        return [] if value in (True, False, "true", "false", "True", "False") else [f"{where}: {value!r} not a boolean"]
    if kind in ("integer", "float"):
        if value in (None, "") and param.get("optional") == "true":
            return []
        try:
            number = float(value)
        except (TypeError, ValueError):
            return [f"{where}: {value!r} is not a number"]
        low, high = param.get("min"), param.get("max")
        if low is not None and number < float(low) or high is not None and number > float(high):
            return [f"{where}: {value!r} is outside {low}..{high}"]
        return []
    return []
