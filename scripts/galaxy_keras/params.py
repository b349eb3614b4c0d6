"""Reading the tool's parameters: the JSON file Galaxy writes from the tool form.

Every tool XML declares ``<configfiles><inputs name="inputs" .../></configfiles>``,
so the scripts get the form's values as one nested JSON object whose keys are
the XML parameter names (conditionals and sections are nested objects, repeats
are lists). ``Params`` walks it with paths like ``"compile_params|loss"`` and
reports a missing or mistyped value by that path, which is also the name a
workflow uses.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .errors import UserError

_MISSING = object()


class Params:
    """Typed, path-addressed access to a nested parameter dictionary."""

    def __init__(self, data: dict[str, Any], prefix: str = "") -> None:
        if not isinstance(data, dict):
            raise UserError(f"parameters{' at ' + prefix if prefix else ''} must be a JSON object")
        self._data = data
        self._prefix = prefix

    @classmethod
    def from_file(cls, path: str | Path) -> "Params":
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            raise UserError(f"parameter file not found: {path}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise UserError(f"parameter file {path} is not valid JSON: {err}") from None
        return cls(data)

    def _full(self, path: str) -> str:
        return f"{self._prefix}|{path}" if self._prefix else path

    def raw(self, path: str, default: Any = _MISSING) -> Any:
        node: Any = self._data
        for key in path.split("|"):
            if not isinstance(node, dict) or key not in node:
                if default is _MISSING:
                    raise UserError(f"missing parameter '{self._full(path)}'")
                return default
            node = node[key]
        return node

    def has(self, path: str) -> bool:
        return self.raw(path, None) is not None

    def section(self, path: str) -> "Params":
        return Params(self.raw(path), self._full(path))

    def repeat(self, path: str) -> list["Params"]:
        items = self.raw(path, [])
        if items is None:
            return []
        if not isinstance(items, list):
            raise UserError(f"parameter '{self._full(path)}' must be a list")
        return [Params(item, f"{self._full(path)}_{i}") for i, item in enumerate(items)]

    def str(self, path: str, default: Any = _MISSING) -> str | None:
        value = self.raw(path, default)
        if value is None:
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise UserError(f"parameter '{self._full(path)}' must be text, got {value!r}")
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
            raise UserError(f"parameter '{self._full(path)}' must be a whole number, got {value!r}") from None
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
            raise UserError(f"parameter '{self._full(path)}' must be a number, got {value!r}") from None
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
        raise UserError(f"parameter '{self._full(path)}' must be true or false, got {value!r}")

    def choice(self, path: str, options: "list[str] | tuple[str, ...] | set[str] | dict", default: Any = _MISSING) -> str:
        value = self.raw(path, default)
        if value not in options:
            shown = ", ".join(sorted(map(str, options)))
            raise UserError(f"parameter '{self._full(path)}' must be one of {shown}; got {value!r}")
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
                raise UserError(f"parameter '{self._full(path)}' must be among {shown}; got {item!r}")
        return list(items)
