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
from xml.sax.saxutils import escape, quoteattr

from .errors import UserError, quoted
from .layer_kwargs import MAX_LENGTH, parse_literal
from .params import Params

# "3", "3,3", "(500,)", "(500, )", "(None, 64)": a tuple of positive ints (None allowed where said).
_INTS_RE = re.compile(r"^\s*\(?\s*(?:(?:\d+|None)\s*,\s*)*(?:\d+|None)?\s*,?\s*\)?\s*$")
INTS_VALIDATOR = r"^\s*\(?\s*((\d+|None)\s*,\s*)*(\d+|None)?\s*,?\s*\)?\s*$"
# Whole numbers in nested tuples or lists: "((0, 0), (1, 1))", "[1, 2]", "-1" (parsed as a literal).
NESTED_VALIDATOR = r"^[\s\d,()\[\]-]*$"
# Layer numbers: "1", "2,3", "[4, 5]" (Galaxy-ML writes lists), "" for the default.
INDICES_VALIDATOR = r"^\s*\[?\s*(\d+\s*,\s*)*\d*\s*,?\s*\]?\s*$"
_INDICES_RE = re.compile(INDICES_VALIDATOR)
# (l1, l2) regularization factors, Galaxy-ML's form: "(0. , 0.)", "(0.01, 0)".
_NUMBER = r"\s*(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*"
L1L2_VALIDATOR = rf"^\s*\(?{_NUMBER},{_NUMBER}\)?\s*$|^\s*$"
KWARGS_VALIDATOR = r"^\s*([A-Za-z_][A-Za-z0-9_]*\s*=.*)?$"
KWARGS_VALUES = ("Values: numbers, text in quotes, True, False, None, and tuples or lists of them; nothing is run "
                 "as code. A field of this form that is changed from its default wins over the same argument here.")
KWARGS_HELP = ("kwargs: more arguments of this layer's Keras class as name=value pairs separated by commas, e.g. "
               f"padding='same', strides=(2, 2). {KWARGS_VALUES}")


def parse_indices(text: str | None, what: str) -> tuple[int, ...]:
    """Layer numbers written as "2", "2,3" or "[2, 3]"; empty gives ()."""
    if not _INDICES_RE.match(text or ""):
        raise UserError(f"{what} must be layer numbers separated by commas, like 2 or 2,3 or [2, 3]; "
                        f"got {quoted(text)}")
    return tuple(int(item) for item in (text or "").strip().strip("[]").split(",") if item.strip())


def parse_nested_ints(text: str, what: str) -> Any:
    """An int or (nested) tuple of ints, like 1, (1, 2) or ((0, 0), (1, 1)); lists become tuples."""
    value = parse_literal(text, what)

    def check(item: Any) -> Any:
        if isinstance(item, (tuple, list)):
            return tuple(check(entry) for entry in item)
        if isinstance(item, int) and not isinstance(item, bool):
            return item
        raise UserError(f"{what} must be whole numbers, like 1 or (1, 2) or ((0, 0), (1, 1)); got {quoted(text)}")

    return check(value)


@dataclass(frozen=True)
class Regularization:
    """An L1L2 regularizer with given factors (Galaxy-ML's "(l1, l2)" text); Keras' object is made later."""

    l1: float
    l2: float


@dataclass(frozen=True)
class Choice:
    """The chosen case of a "choice" field and its options, e.g. MaxNorm(max_value=2, axis=0)."""

    case: str
    options: dict[str, Any]


def parse_ints(text: str, what: str, allow_none: bool = False) -> tuple[int | None, ...]:
    """Parse a shape or size written as "3", "3,3" or "(500, )" into a tuple."""
    if not _INTS_RE.match(text or ""):
        raise UserError(f"{what} must be whole numbers separated by commas, like (500,) or 3,3; got {quoted(text)}")
    items = [item.strip() for item in text.strip().strip("()").split(",") if item.strip()]
    if not items:
        raise UserError(f"{what} must contain at least one number; got {quoted(text)}")
    values: list[int | None] = []
    for item in items:
        if item == "None":
            if not allow_none:
                raise UserError(f"{what} must not contain None; got {quoted(text)}")
            values.append(None)
        else:
            number = int(item)
            if number < 1:
                raise UserError(f"{what} must contain positive numbers; got {quoted(text)}")
            values.append(number)
    return tuple(values)


@dataclass(frozen=True)
class Field:
    """One argument of a Keras object, shown as one Galaxy parameter.

    kind: "int", "float", "bool", "select", "ints" (a tuple such as a kernel size), "text" (checked
    against ``pattern``), "indices" (layer numbers), "l1l2" (Galaxy-ML's "(l1, l2)" regularizer text),
    "choice" (a conditional: ``options`` are its cases, ``cases`` their fields, in the section
    ``section``) or "kwargs" (the free-text arguments box, parsed by layer_kwargs).
    A field with ``optional=True`` may be left empty, meaning "Keras' default". ``keras_name`` is the
    Keras argument when the form keeps Galaxy-ML's name for it (LeakyReLU's alpha is negative_slope).
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
    nested: bool = False  # for "ints": whole numbers in nested tuples or lists, e.g. ((0, 0), (1, 1))
    keras_name: str | None = None
    pattern: str = ""  # for "text": the regular expression a value must match
    cases: tuple[tuple[Field, ...], ...] = ()  # for "choice": the fields of each option
    section: str = ""  # for "choice": the section that holds a case's fields

    @property
    def argument(self) -> str:
        """The Keras argument this field sets."""
        return self.keras_name or self.name

    @property
    def default_value(self) -> Any:
        """What the field gives when left as the form shows it first."""
        return self.parse(Params({}))

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
        if self.kind in ("ints", "text", "indices", "l1l2", "kwargs"):
            value = "" if self.default is None else self.default
            optional = ' optional="true"' if self.optional or self.default is None or self.kind == "kwargs" else ""
            lines = [f'{indent}<param {attrs} type="text" value={quoteattr(str(value))}{optional} label={label} '
                     f'help={help_text}>']
            lines += [f"{indent}    {line}" for line in self._checks_xml()]
            return "\n".join(lines + [f"{indent}</param>"])
        if self.kind == "choice":
            return self._choice_xml(indent, label, help_text)
        raise ValueError(f"unknown field kind {self.kind}")

    def _checks_xml(self) -> list[str]:
        """The validators (and the sanitizer, for values with brackets or quotes) of a text parameter."""
        brackets = ['<sanitizer>', '    <valid initial="default">', '        <add value="["/>',
                    '        <add value="]"/>', '    </valid>', '</sanitizer>']
        if self.kind == "ints" and not self.nested:
            return [f'<validator type="regex" message="Whole numbers separated by commas, like 3 or 3,3">'
                    f'{INTS_VALIDATOR}</validator>']
        if self.kind == "ints":
            return [f'<validator type="regex" message="Whole numbers in tuples, like 1 or (1, 2) or ((0, 0), (1, 1))">'
                    f'{NESTED_VALIDATOR}</validator>'] + brackets
        if self.kind == "indices":
            return [f'<validator type="regex" message="Layer numbers separated by commas, like 2 or 2,3 or [2, 3]">'
                    f'{INDICES_VALIDATOR}</validator>'] + brackets
        if self.kind == "l1l2":
            return [f'<validator type="regex" message="Two numbers: the l1 and l2 factors, like (0.01, 0)">'
                    f'{L1L2_VALIDATOR}</validator>']
        if self.kind == "text":
            return [f'<validator type="regex" message="Letters, digits, _ . - (starting with a letter)">'
                    f'{escape(self.pattern)}</validator>']
        return [f'<validator type="length" max="{MAX_LENGTH}" message="At most {MAX_LENGTH} characters"/>',
                f'<validator type="regex" message="name=value pairs separated by commas, like padding=&apos;same&apos;">'
                f'{KWARGS_VALIDATOR}</validator>',
                '<sanitizer>', '    <valid initial="default">', '        <add value="&apos;"/>',
                '        <add value="&quot;"/>', '        <add value="["/>', '        <add value="]"/>',
                '    </valid>', '</sanitizer>']

    def _choice_xml(self, indent: str, label: str, help_text: str) -> str:
        lines = [f'{indent}<conditional name={quoteattr(self.name)}>',
                 f'{indent}    <param name="constraint_type" type="select" label={label} help={help_text}>']
        for option in self.options:
            selected = ' selected="true"' if option == self.default else ""
            lines.append(f'{indent}        <option value={quoteattr(option)}{selected}>{option}</option>')
        lines.append(f"{indent}    </param>")
        for option, fields in zip(self.options, self.cases):
            if not fields:
                lines.append(f"{indent}    <when value={quoteattr(option)}/>")
                continue
            lines += [f"{indent}    <when value={quoteattr(option)}>",
                      f'{indent}        <section name={quoteattr(self.section)} title={quoteattr(option + " options")} '
                      f'expanded="true">']
            lines += [item.to_xml(indent + " " * 12) for item in fields]
            lines += [f"{indent}        </section>", f"{indent}    </when>"]
        return "\n".join(lines + [f"{indent}</conditional>"])

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
            if self.nested:
                return parse_nested_ints(text, f"parameter '{self.name}'")
            values = parse_ints(text, f"parameter '{self.name}'", self.allow_none)
            return values[0] if len(values) == 1 and not self.always_tuple else values
        if self.kind in ("text", "kwargs"):
            text = (params.str(self.name, self.default) or "").strip()
            if self.kind == "text" and text and not re.match(self.pattern, text):
                raise UserError(f"parameter '{self.name}' must be letters, digits, _ . or - starting with a letter "
                                f"(at most 64); got {quoted(text)}")
            return text or None
        if self.kind == "indices":
            return parse_indices(params.str(self.name, ""), f"parameter '{self.name}'") or None
        if self.kind == "l1l2":
            return self._parse_l1l2(params.str(self.name, self.default) or "")
        if self.kind == "choice":
            return self._parse_choice(params)
        raise ValueError(f"unknown field kind {self.kind}")

    def _parse_l1l2(self, text: str) -> Regularization | None:
        if not re.match(L1L2_VALIDATOR, text):
            raise UserError(f"parameter '{self.name}' must be two numbers, the l1 and l2 factors, like (0.01, 0); "
                            f"got {quoted(text)}")
        if not text.strip():
            return None
        l1, l2 = (float(item) for item in text.strip().strip("()").split(","))
        return Regularization(l1, l2) if l1 or l2 else None

    def _parse_choice(self, params: Params) -> Choice | None:
        if not params.has(self.name):
            return None
        selection = params.section(self.name)
        case = selection.choice("constraint_type", self.options, self.default)
        fields = self.cases[self.options.index(case)]
        if case == self.default:
            return None
        options = selection.section(self.section, {}) if fields else Params({})
        return Choice(case, parse_fields(fields, options))

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


def Text(name: str, pattern: str, **kw: Any) -> Field:
    return Field(name, "text", None, pattern=pattern, optional=True, **kw)


def Indices(name: str, **kw: Any) -> Field:
    return Field(name, "indices", None, optional=True, **kw)


def L1L2(name: str, **kw: Any) -> Field:
    return Field(name, "l1l2", "(0. , 0.)", help=kw.pop("help", f"Keras argument '{name}': the l1 and l2 factors, "
                                                                 f"like (0.01, 0); (0. , 0.) means none."), **kw)


def Choices(name: str, cases: dict[str, tuple[Field, ...]], section: str, **kw: Any) -> Field:
    """A conditional: the first case is the default (e.g. "None")."""
    return Field(name, "choice", next(iter(cases)), options=tuple(cases), cases=tuple(cases.values()),
                 section=section, **kw)


def Kwargs(typical: str | None = None) -> Field:
    """The kwargs text; ``typical`` lists the arguments a user most often sets there (Keras' defaults shown)."""
    if typical is None:
        return Field("kwargs", "kwargs", "", label="Other Keras arguments (kwargs)", help=KWARGS_HELP)
    return Field("kwargs", "kwargs", "", label="Other Keras arguments (kwargs)",
                 help=f"kwargs: further arguments of this layer's Keras class as name=value pairs separated by "
                      f"commas. Typical ones, with Keras' defaults: {typical}. {KWARGS_VALUES}")


def parse_fields(fields: "tuple[Field, ...] | list[Field]", params: Params) -> dict[str, Any]:
    """Values of all fields that were set (a ``None`` means Keras' default and is left out)."""
    values = {}
    for item in fields:
        value = item.parse(params)
        if value is not None:
            values[item.argument] = value
    return values


@dataclass(frozen=True)
class Group:
    """Fields shown directly plus advanced ones in a collapsed section."""

    main: tuple[Field, ...] = ()
    advanced: tuple[Field, ...] = field(default=())
