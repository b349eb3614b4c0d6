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


def test_unread_keys_are_refused_by_name_with_the_likely_spelling():
    params = Params({"fit_params": {"epoch": 5, "batch_size": 32}, "seed": 1})
    fit = params.section("fit_params")
    assert fit.int("epochs", 1) == 1 and fit.int("batch_size") == 32 and params.int("seed") == 1
    with pytest.raises(UserError, match=r"unknown parameter 'fit_params\|epoch': .*did you mean 'epochs'\?"):
        params.refuse_unread()


def test_every_read_counts_including_repeats_sections_and_defaults():
    params = Params({"layers": [{"layer_selection": {"layer_type": "Dense", "units": 3}}],
                     "options": {"a": 1}, "empty": None, "__current_case__": 0, "choices": ["x", "y"]})
    entry = params.repeat("layers")[0].section("layer_selection")
    assert entry.str("layer_type") == "Dense" and entry.int("units") == 3
    assert params.section("options").raw("a") == 1
    assert params.choices("choices", ["x", "y"]) == ["x", "y"]
    params.refuse_unread()  # nothing left: null values and Galaxy's __keys__ carry nothing to lose
    assert Params({"a": None}).has("a") is False


def test_a_parameter_the_tool_forgot_is_named_with_its_repeat_position():
    params = Params({"layers": [{"layer_selection": {"layer_type": "Dense", "units": 3, "kwargs": "x=1"}}]})
    entry = params.repeat("layers")[0].section("layer_selection")
    entry.str("layer_type"), entry.int("units")
    with pytest.raises(UserError, match=r"unknown parameter 'layers_0\|layer_selection\|kwargs'"):
        params.refuse_unread()


def test_looking_is_not_reading():
    params = Params({"layer_options": {"x": 1}})
    assert params.has("layer_options")
    with pytest.raises(UserError, match="unknown parameter 'layer_options'"):
        params.refuse_unread()
