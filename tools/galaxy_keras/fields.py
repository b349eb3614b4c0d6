"""Typed form fields: one definition gives both the Galaxy <param> and the parser.

The layer, optimizer and callback catalogues describe their arguments with
these fields. ``scripts/dev/generate_form_macros.py`` turns them into the XML macros
the tool forms use, and the scripts parse the submitted values with the very
same objects, so the form and the code cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import quoteattr

from .errors import UserError
from .params import Params

# "3", "3,3", "(500,)", "(500, )", "(None, 64)": a tuple of positive ints (None allowed where said).
_INTS_RE = re.compile(r"^\s*\(?\s*(?:(?:\d+|None)\s*,\s*)*(?:\d+|None)?\s*,?\s*\)?\s*$")
INTS_VALIDATOR = r"^\s*\(?\s*((\d+|None)\s*,\s*)*(\d+|None)?\s*,?\s*\)?\s*$"


def parse_ints(text: str, what: str, allow_none: bool = False) -> tuple[int | None, ...]:
    """Parse a shape or size written as "3", "3,3" or "(500, )" into a tuple."""
    if not _INTS_RE.match(text or ""):
        raise UserError(f"{what} must be whole numbers separated by commas, like (500,) or 3,3; got {text!r}")
    items = [item.strip() for item in text.strip().strip("()").split(",") if item.strip()]
    if not items:
        raise UserError(f"{what} must contain at least one number; got {text!r}")
    values: list[int | None] = []
    for item in items:
        if item == "None":
            if not allow_none:
                raise UserError(f"{what} must not contain None; got {text!r}")
            values.append(None)
        else:
            number = int(item)
            if number < 1:
                raise UserError(f"{what} must contain positive numbers; got {text!r}")
            values.append(number)
    return tuple(values)


@dataclass(frozen=True)
class Field:
    """One argument of a Keras object, shown as one Galaxy parameter.

    kind: "int", "float", "bool", "select" or "ints" (a tuple such as a kernel size).
    A field with ``optional=True`` may be left empty, meaning "Keras' default".
    """

    name: str
    kind: str
    default: Any = None
    label: str | None = None
    help: str = ""
    min: float | None = None
    max: float | None = None
    options: tuple[str, ...] = ()
    optional: bool = False
    allow_none: bool = False  # for "ints": entries may be None (unknown length)
    always_tuple: bool = False  # for "ints": a shape stays a tuple even with one entry

    # -- Galaxy side -------------------------------------------------------
    def to_xml(self, indent: str = "") -> str:
        label = quoteattr(self.label or self.name)
        help_text = quoteattr(self.help or f"Keras argument '{self.name}'.")
        attrs = f"name={quoteattr(self.name)}"
        if self.kind in ("int", "float"):
            gtype = "integer" if self.kind == "int" else "float"
            value = "" if self.default is None else repr(self.default)
            bounds = ""
            if self.min is not None:
                bounds += f" min={quoteattr(str(self.min))}"
            if self.max is not None:
                bounds += f" max={quoteattr(str(self.max))}"
            optional = ' optional="true"' if self.optional or self.default is None else ""
            return (f'{indent}<param {attrs} type="{gtype}" value={quoteattr(value)}{bounds}{optional} '
                    f'label={label} help={help_text}/>')
        if self.kind == "bool":
            checked = "true" if self.default else "false"
            return f'{indent}<param {attrs} type="boolean" checked="{checked}" label={label} help={help_text}/>'
        if self.kind == "select":
            lines = [f'{indent}<param {attrs} type="select" label={label} help={help_text}>']
            for option in self.options:
                selected = ' selected="true"' if option == self.default else ""
                lines.append(f'{indent}    <option value={quoteattr(option)}{selected}>{option}</option>')
            lines.append(f"{indent}</param>")
            return "\n".join(lines)
        if self.kind == "ints":
            value = "" if self.default is None else self.default
            optional = ' optional="true"' if self.optional or self.default is None else ""
            return "\n".join([
                f'{indent}<param {attrs} type="text" value={quoteattr(str(value))}{optional} label={label} help={help_text}>',
                f'{indent}    <validator type="regex" message="Whole numbers separated by commas, like 3 or 3,3">{INTS_VALIDATOR}</validator>',
                f"{indent}</param>",
            ])
        raise ValueError(f"unknown field kind {self.kind}")

    # -- script side -------------------------------------------------------
    def parse(self, params: Params) -> Any:
        """Read this field's value; ``None`` means "leave Keras' default"."""
        # A value absent from the parameters (a workflow made for an older form) takes the default.
        if self.kind == "int":
            value = params.int(self.name, self.default)
            self._check_bounds(value)
            return value
        if self.kind == "float":
            value = params.float(self.name, self.default)
            self._check_bounds(value)
            return value
        if self.kind == "bool":
            return params.bool(self.name, bool(self.default))
        if self.kind == "select":
            value = params.raw(self.name, self.default)
            if value in (None, "", "None") and "None" in self.options:
                return None
            return params.choice(self.name, self.options, self.default)
        if self.kind == "ints":
            text = params.str(self.name, self.default)
            if text is None or not text.strip():
                if self.optional or self.default is None:
                    return None
                raise UserError(f"parameter '{self.name}' must not be empty")
            values = parse_ints(text, f"parameter '{self.name}'", self.allow_none)
            return values[0] if len(values) == 1 and not self.always_tuple else values
        raise ValueError(f"unknown field kind {self.kind}")

    def _check_bounds(self, value: float | None) -> None:
        if value is None:
            return
        if self.min is not None and value < self.min:
            raise UserError(f"parameter '{self.name}' must be at least {self.min}, got {value}")
        if self.max is not None and value > self.max:
            raise UserError(f"parameter '{self.name}' must be at most {self.max}, got {value}")


def Int(name: str, default: int | None = None, **kw: Any) -> Field:
    return Field(name, "int", default, **kw)


def Float(name: str, default: float | None = None, **kw: Any) -> Field:
    return Field(name, "float", default, **kw)


def Bool(name: str, default: bool = False, **kw: Any) -> Field:
    return Field(name, "bool", default, **kw)


def Select(name: str, options: tuple[str, ...] | list[str], default: str | None = None, **kw: Any) -> Field:
    options = tuple(options)
    return Field(name, "select", default if default is not None else options[0], options=options, **kw)


def Ints(name: str, default: str | None = None, **kw: Any) -> Field:
    return Field(name, "ints", default, **kw)


def parse_fields(fields: "tuple[Field, ...] | list[Field]", params: Params) -> dict[str, Any]:
    """Values of all fields that were set (a ``None`` means Keras' default and is left out)."""
    values = {}
    for item in fields:
        value = item.parse(params)
        if value is not None:
            values[item.name] = value
    return values


@dataclass(frozen=True)
class Group:
    """Fields shown directly plus advanced ones in a collapsed section."""

    main: tuple[Field, ...] = ()
    advanced: tuple[Field, ...] = field(default=())
