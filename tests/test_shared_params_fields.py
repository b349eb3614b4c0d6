"""Parameter access and typed fields."""

import pytest

from galaxy_keras.errors import UserError
from galaxy_keras.fields import Int, Ints, Select, parse_ints
from galaxy_keras.params import Params


@pytest.mark.parametrize("text, expected", [("(500, )", (500,)), ("(500,)", (500,)), ("3", (3,)),
                                            ("3,3", (3, 3)), (" (28, 28, 1) ", (28, 28, 1))])
def test_parse_ints_accepts_shapes(text, expected):
    assert parse_ints(text, "shape") == expected


@pytest.mark.parametrize("text", ["", "()", "(a,)", "1.5", "0", "-3", "import os"])
def test_parse_ints_rejects_non_shapes(text):
    with pytest.raises(UserError):
        parse_ints(text, "shape")


def test_parse_ints_none_only_where_allowed():
    assert parse_ints("(None, 8)", "shape", allow_none=True) == (None, 8)
    with pytest.raises(UserError, match="must not contain None"):
        parse_ints("(None, 8)", "shape")


def test_params_paths_and_types():
    params = Params({"a": {"b": "3", "c": True, "d": ["x", "y"], "e": "x,y"}})
    assert params.int("a|b") == 3
    assert params.bool("a|c") is True
    assert params.choices("a|d", ["x", "y"]) == ["x", "y"]
    assert params.choices("a|e", ["x", "y"]) == ["x", "y"]
    with pytest.raises(UserError, match="missing parameter 'a|zz'"):
        params.raw("a|zz")
    with pytest.raises(UserError, match="must be a whole number"):
        Params({"n": "2.5"}).int("n")
    with pytest.raises(UserError, match="must be one of"):
        Params({"s": "evil"}).choice("s", ["good"])
    with pytest.raises(UserError, match="must be a number"):
        Params({"f": "nan"}).float("f")


def test_field_parse_and_bounds():
    units = Int("units", 1, min=1)
    assert units.parse(Params({"units": 5})) == 5
    with pytest.raises(UserError, match="at least 1"):
        units.parse(Params({"units": 0}))
    size = Ints("kernel_size", "3")
    assert size.parse(Params({"kernel_size": "3"})) == 3
    assert size.parse(Params({"kernel_size": "3,5"})) == (3, 5)
    choice = Select("padding", ("valid", "same"))
    with pytest.raises(UserError):
        choice.parse(Params({"padding": "__import__('os')"}))


def test_field_xml_is_well_formed():
    import xml.etree.ElementTree as ET

    for field in (Int("units", 1, min=1), Ints("kernel_size", "3"), Select("padding", ("valid", "same"))):
        element = ET.fromstring(field.to_xml())
        assert element.get("name") == field.name
