"""Parameter access and typed fields."""

import pytest

from galaxy_keras.errors import UserError
from galaxy_keras.fields import (Bool, Choices, Float, Indices, Int, Ints, Kwargs, L1L2, Regularization, Select, Text,
                                 parse_fields, parse_indices, parse_ints)
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
    params = Params({"layers": [{"layer_selection": {"layer_type": "Dense", "units": 3, "bias": "x=1"}}]})
    entry = params.repeat("layers")[0].section("layer_selection")
    entry.str("layer_type"), entry.int("units")
    with pytest.raises(UserError, match=r"unknown parameter 'layers_0\|layer_selection\|bias'"):
        params.refuse_unread()


def test_looking_is_not_reading():
    params = Params({"layer_options": {"x": 1}})
    assert params.has("layer_options")
    with pytest.raises(UserError, match="unknown parameter 'layer_options'"):
        params.refuse_unread()


@pytest.mark.parametrize("text, expected", [("", ()), ("2", (2,)), ("2,3", (2, 3)), ("[4, 10]", (4, 10)),
                                            ("[ ]", ()), (" [1, 5,] ", (1, 5))])
def test_layer_numbers_in_galaxy_mls_list_form_and_this_tools(text, expected):
    assert parse_indices(text, "output_layers") == expected


@pytest.mark.parametrize("text", ["one", "[1, [2]]", "-1", "1.5", "(1, 2)"])
def test_layer_numbers_refuse_anything_else(text):
    with pytest.raises(UserError, match="must be layer numbers"):
        parse_indices(text, "output_layers")


def test_nested_ints_read_galaxy_mls_padding_and_refuse_other_values():
    cropping = Ints("cropping", "1", nested=True)
    assert cropping.parse(Params({"cropping": "((0, 0), (0, 0))"})) == ((0, 0), (0, 0))
    assert cropping.parse(Params({"cropping": "[1, 2]"})) == (1, 2)
    assert cropping.parse(Params({})) == 1
    for bad in ("('a', 1)", "(1.5, 1)", "(True, 1)"):
        with pytest.raises(UserError, match="must be whole numbers"):
            cropping.parse(Params({"cropping": bad}))


def test_fields_with_galaxy_mls_name_set_the_keras_argument():
    alpha = Float("alpha", 0.3, keras_name="negative_slope")
    assert parse_fields((alpha,), Params({"alpha": 0.1})) == {"negative_slope": 0.1}
    assert alpha.default_value == 0.3


def test_l1l2_text_and_constraint_choice():
    reg = L1L2("alpha_regularizer")
    assert reg.parse(Params({})) is None and reg.parse(Params({"alpha_regularizer": "(0. , 0.)"})) is None
    assert reg.parse(Params({"alpha_regularizer": "(0.01, 0)"})) == Regularization(0.01, 0.0)
    with pytest.raises(UserError, match="two numbers"):
        reg.parse(Params({"alpha_regularizer": "0.01"}))
    choice = Choices("alpha_constraint", {"None": (), "MaxNorm": (Float("max_value", 2.0),)}, "constraint_options")
    assert choice.parse(Params({"alpha_constraint": {"constraint_type": "None"}})) is None
    picked = choice.parse(Params({"alpha_constraint": {"constraint_type": "MaxNorm",
                                                       "constraint_options": {"max_value": 3}}}))
    assert (picked.case, picked.options) == ("MaxNorm", {"max_value": 3.0})


def test_text_fields_match_their_pattern():
    name = Text("name", r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
    assert name.parse(Params({"name": "main_input"})) == "main_input" and name.parse(Params({"name": ""})) is None
    with pytest.raises(UserError, match="must be letters"):
        name.parse(Params({"name": "../x"}))


def test_new_field_kinds_give_well_formed_xml_with_their_checks():
    import xml.etree.ElementTree as ET

    for item in (Kwargs(), Indices("inbound_nodes"), Ints("cropping", "1", nested=True), L1L2("alpha_regularizer"),
                 Text("name", "^[a-z]+$"), Bool("sparse", False),
                 Choices("alpha_constraint", {"None": (), "UnitNorm": (Ints("axis", "0", nested=True),)},
                         "constraint_options")):
        element = ET.fromstring(item.to_xml())
        assert element.get("name") == item.name
    kwargs = ET.fromstring(Kwargs().to_xml())
    assert kwargs.get("optional") == "true" and kwargs.find("validator[@type='length']").get("max") == "1000"
    assert {add.get("value") for add in kwargs.findall("sanitizer/valid/add")} == {"'", '"', "[", "]"}
