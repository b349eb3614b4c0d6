"""Reading the tool's parameters: the JSON file Galaxy writes from the tool form.

Every tool XML declares ``<configfiles><inputs name="inputs" .../></configfiles>``,
so the scripts get the form's values as one nested JSON object whose keys are
the XML parameter names (conditionals and sections are nested objects, repeats
are lists). ``Params`` walks it with paths like ``"compile_params|loss"`` and
reports a missing or mistyped value by that path, which is also the name a
workflow uses.

Galaxy writes exactly the parameters of the form (the chosen branch of each
conditional, no data inputs). A key that a tool never reads is therefore a
misspelling (a hand-written JSON, an API call) or a form parameter the script
forgot: either way the value would be silently ignored. Every read is
recorded, and ``refuse_unread()`` names any key left over.
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from .errors import UserError, quoted, shown

_MISSING = object()
Key = tuple  # a position in the parameter tree: dictionary keys and list indices


@dataclass
class _Reads:
    """What a tool has read of one parameter tree, shared by all its ``Params`` views."""

    opened: set[Key] = field(default_factory=set)  # containers looked into
    taken: set[Key] = field(default_factory=set)  # values read whole
    asked: dict[Key, set[str]] = field(default_factory=dict)  # container -> every name asked for, found or not


class Params:
    """Typed, path-addressed access to a nested parameter dictionary."""

    def __init__(self, data: dict[str, Any], prefix: str = "", *, _key: Key = (), _reads: _Reads | None = None) -> None:
        if not isinstance(data, dict):
            raise UserError(f"parameters{' at ' + prefix if prefix else ''} must be a JSON object")
        self._data = data
        self._prefix = prefix
        self._key = _key
        self._reads = _reads if _reads is not None else _Reads()

    @classmethod
    def from_file(cls, path: str | Path) -> "Params":
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            raise UserError(f"parameter file not found: {path}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise UserError(f"parameter file {path} is not valid JSON: {err}") from None
        except RecursionError:
            raise UserError(f"parameter file {path} is nested too deeply to be a tool's parameters") from None
        except ValueError as err:  # e.g. a number of more than 4,300 digits
            raise UserError(f"parameter file {path} holds a value that cannot be read ({err})") from None
        return cls(data)

    def _full(self, path: str) -> str:
        return f"{self._prefix}|{path}" if self._prefix else path

    def _get(self, path: str, default: Any, whole: bool) -> tuple[Any, Key]:
        node: Any = self._data
        key = self._key
        for name in path.split("|"):
            self._reads.asked.setdefault(key, set()).add(name)
            if not isinstance(node, dict) or name not in node:
                if default is _MISSING:
                    raise UserError(f"missing parameter '{self._full(path)}'")
                return default, key
            self._reads.opened.add(key)
            node, key = node[name], key + (name,)
        (self._reads.taken if whole else self._reads.opened).add(key)
        return node, key

    def raw(self, path: str, default: Any = _MISSING) -> Any:
        return self._get(path, default, whole=True)[0]

    def has(self, path: str) -> bool:
        """Whether a value is set; looking does not count as reading it."""
        node: Any = self._data
        for name in path.split("|"):
            if not isinstance(node, dict) or node.get(name) is None:
                return False
            node = node[name]
        return True

    def section(self, path: str, default: Any = _MISSING) -> "Params":
        """A nested object (a section or conditional); ``default`` (e.g. {}) when it may be absent."""
        value, key = self._get(path, default, whole=False)
        return Params(value, self._full(path), _key=key, _reads=self._reads)

    def repeat(self, path: str) -> list["Params"]:
        items, key = self._get(path, [], whole=False)
        if items is None:
            return []
        if not isinstance(items, list):
            raise UserError(f"parameter '{self._full(path)}' must be a list")
        return [Params(item, f"{self._full(path)}_{i}", _key=key + (i,), _reads=self._reads)
                for i, item in enumerate(items)]

    def refuse_unread(self) -> None:
        """Raise UserError naming the first parameter that no part of the tool read."""
        for key in self._unread(self._data, self._key):
            name = self._name(key)
            known = sorted(self._reads.asked.get(key[:-1], set()) - {key[-1]})
            close = difflib.get_close_matches(str(key[-1]), known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else (f"; this level has {', '.join(known)}" if known else "")
            raise UserError(f"unknown parameter '{shown(name)}': the tool does not have it, so its value would be "
                            f"ignored{hint}")

    def _unread(self, node: Any, key: Key) -> Iterator[Key]:
        if key in self._reads.taken:
            return
        children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for name, value in children:
            child = key + (name,)
            if isinstance(name, str) and name.startswith("__"):
                continue  # Galaxy's own bookkeeping (e.g. __current_case__), never a tool parameter
            if value is None or child in self._reads.taken:  # an empty value loses nothing
                continue
            if child in self._reads.opened or isinstance(name, int):
                yield from self._unread(value, child)
            else:
                yield child

    @staticmethod
    def _name(key: Key) -> str:
        text = ""
        for name in key:
            text += f"_{name}" if isinstance(name, int) else (f"|{name}" if text else name)
        return text

    def str(self, path: str, default: Any = _MISSING) -> str | None:
        value = self.raw(path, default)
        if value is None:
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise UserError(f"parameter '{self._full(path)}' must be text, got {quoted(value)}")
        return str(value)

    def int(self, path: str, default: Any = _MISSING, minimum: int | None = None) -> int | None:
        value = self.raw(path, default)
        if value is None or value == "":
            return None if default is _MISSING else default
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
            if not number.is_integer():
                raise ValueError
            result = int(number)
        except (TypeError, ValueError):
            raise UserError(f"parameter '{self._full(path)}' must be a whole number, got {quoted(value)}") from None
        if minimum is not None and result < minimum:
            raise UserError(f"parameter '{self._full(path)}' must be at least {minimum}, got {result}")
        return result

    def float(self, path: str, default: Any = _MISSING, minimum: float | None = None,
              maximum: float | None = None) -> float | None:
        value = self.raw(path, default)
        if value is None or value == "":
            return None if default is _MISSING else default
        try:
            if isinstance(value, bool):
                raise ValueError
            result = float(value)
            if not math.isfinite(result):
                raise ValueError
        except (TypeError, ValueError):
            raise UserError(f"parameter '{self._full(path)}' must be a number, got {quoted(value)}") from None
        if minimum is not None and result < minimum:
            raise UserError(f"parameter '{self._full(path)}' must be at least {minimum}, got {result}")
        if maximum is not None and result > maximum:
            raise UserError(f"parameter '{self._full(path)}' must be at most {maximum}, got {result}")
        return result

    def bool(self, path: str, default: Any = _MISSING) -> bool:
        value = self.raw(path, default)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false"}:
            return value.lower() == "true"
        raise UserError(f"parameter '{self._full(path)}' must be true or false, got {quoted(value)}")

    def choice(self, path: str, options: "list[str] | tuple[str, ...] | set[str] | dict", default: Any = _MISSING) -> str:
        value = self.raw(path, default)
        if value not in options:
            shown = ", ".join(sorted(map(str, options)))
            raise UserError(f"parameter '{self._full(path)}' must be one of {shown}; got {quoted(value)}")
        return value

    def choices(self, path: str, options: "list[str] | tuple[str, ...] | set[str] | dict") -> list[str]:
        """A multiple select: Galaxy gives a list, a comma-joined string or null."""
        value = self.raw(path, None)
        if value is None or value == "":
            return []
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list):
            raise UserError(f"parameter '{self._full(path)}' must be a list of options")
        for item in items:
            if item not in options:
                shown = ", ".join(sorted(map(str, options)))
                raise UserError(f"parameter '{self._full(path)}' must be among {shown}; got {quoted(item)}")
        return list(items)
