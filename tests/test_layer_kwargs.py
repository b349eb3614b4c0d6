"""The kwargs text of a layer: plain name=value pairs, checked against the Keras class, never run."""

import pytest
from conftest import layer, sequential

from galaxy_keras.architecture import _add_kwargs
from galaxy_keras.errors import UserError
from galaxy_keras.fields import Float, Kwargs
from galaxy_keras.keras_env import keras
from galaxy_keras.layer_catalog import LayerSpec
from galaxy_keras.layer_kwargs import MAX_LENGTH, check_names, keras_arguments, parse_kwargs, parse_literal


@pytest.mark.parametrize("text, expected", [
    ("padding='same'", {"padding": "same"}),
    ('padding="same", strides=(2, 2)', {"padding": "same", "strides": (2, 2)}),
    ("use_bias=False, seed=None, rate=0.25, axis=-1", {"use_bias": False, "seed": None, "rate": 0.25, "axis": -1}),
    ("cropping=((0, 0), [1, 1]),", {"cropping": ((0, 0), [1, 1])}),
    ("  ", {}),
    ("", {}),
])
def test_plain_values_are_read(text, expected):
    assert parse_kwargs(text, "layer 1 (Dense)") == expected


@pytest.mark.parametrize("text, message", [
    ("__import__('os').system('x')", "must be name=value pairs"),
    ("x=__import__('os').system('touch pwned')", "x=__import__\\('os'\\).system\\('touch pwned'\\) is not a plain value"),
    ("x=open('/etc/passwd')", "never code"),
    ("x=(lambda: 1)", "never code"),
    ("x=[i for i in range(9)]", "never code"),
    ("padding=same", "write text in quotes, like 'same'"),
    ("use_bias=true", "write True"),
    ("x={'a': 1}", "never code"),
    ("x=b'abc'", "never code"),
    ("x=1j", "never code"),
    ("x=1e999", "never code"),
    ("x=((((1,),),),)", "nested at most 3 deep"),
    ("**{'a': 1}", "must be name=value pairs"),
    ("a=1), print(1", "must be name=value pairs"),
    ("a=1, a=2", "kwargs gives 'a' twice; keep one"),
    ("padding='same'; import os", "cannot be read"),
    ("=1", "cannot be read"),
])
def test_anything_but_plain_values_is_refused(text, message):
    with pytest.raises(UserError, match=message):
        parse_kwargs(text, "layer 1 (Dense)")


def test_text_longer_than_the_bound_is_refused_before_parsing():
    with pytest.raises(UserError, match=f"at most {MAX_LENGTH:,} are accepted"):
        parse_kwargs("a=" + "(" * 600 + "1" + ")" * 600, "layer 1 (Dense)")
    assert parse_kwargs("units=" + "1" * 10, "layer 1 (Dense)") == {"units": 1111111111}


def test_literal_fields_use_the_same_reader():
    assert parse_literal("((0, 0), (1, 1))", "parameter 'cropping'") == ((0, 0), (1, 1))
    with pytest.raises(UserError, match="not a plain value"):
        parse_literal("os.system('x')", "parameter 'cropping'")


def test_names_are_checked_against_the_keras_class():
    allowed = keras_arguments(keras.layers.Conv2D)
    assert {"padding", "strides", "trainable", "dtype"} <= allowed and "kwargs" not in allowed
    assert check_names({"padding": "same"}, allowed, "layer 2 (Conv2D)", "Conv2D") == ({"padding": "same"}, [])
    with pytest.raises(UserError, match="'paddng' is not an argument of Keras 3's Conv2D; remove it or correct its "
                                        "name \\(did you mean 'padding'\\?\\)"):
        check_names({"paddng": "same"}, allowed, "layer 2 (Conv2D)", "Conv2D")
    with pytest.raises(UserError, match="layer 2 \\(Conv2D\\): kwargs argument 'name' is not accepted: the tool "
                                        "names every layer itself"):
        check_names({"name": "x"}, allowed | {"name"}, "layer 2 (Conv2D)", "Conv2D")
    with pytest.raises(UserError, match="'input_shape' is not accepted: the model's input_shape"):
        check_names({"input_shape": (3,)}, allowed, "layer 2 (Conv2D)", "Conv2D")
    accepted, notes = check_names({"implementation": 2}, keras_arguments(keras.layers.LSTM), "layer 2 (LSTM)", "LSTM")
    assert accepted == {} and "implementation=2 is a Keras 2 argument; it is left out" in notes[0]


def test_the_cnn_tutorials_padding_reaches_the_model(tool, tmp_path):
    out = tmp_path / "model.json"
    tool("keras_model_config", sequential("(28, 28, 1)", layer("Conv2D", filters=2, kernel_size="3",
                                                                kwargs="padding='same', strides=(1, 1)"),
                                          layer("Flatten")), "--outfile", out)
    model = keras.models.model_from_json(out.read_text())
    assert model.layers[0].padding == "same" and model.output_shape == (None, 28 * 28 * 2)


def test_a_field_changed_from_its_default_wins_and_the_job_says_so(tool, tmp_path, capsys):
    out = tmp_path / "model.json"
    tool("keras_model_config", sequential("(10,)", layer("Dense", units=2, activation="relu",
                                                         kwargs="activation='tanh', use_bias=False")), "--outfile", out)
    dense = keras.models.model_from_json(out.read_text()).layers[0]
    assert dense.activation.__name__ == "relu" and dense.use_bias is False
    assert "Note: layer 1 (Dense): kwargs activation='tanh' is not used: the field 'activation' is set to 'relu'" \
        in capsys.readouterr().out


def test_a_field_left_at_its_default_gives_way_to_kwargs(tool, tmp_path):
    out = tmp_path / "model.json"
    tool("keras_model_config", sequential("(10,)", layer("Dense", units=2, activation="linear",
                                                         kwargs="activation='tanh'")), "--outfile", out)
    assert keras.models.model_from_json(out.read_text()).layers[0].activation.__name__ == "tanh"


# A layer whose field keeps Galaxy-ML's name for a renamed Keras argument, with a kwargs text. (No layer of the
# catalogue has both now: Galaxy-ML's LeakyReLU has no kwargs text; the rule still holds for any that will.)
RENAMED = LayerSpec("LeakyReLU", "Advanced activations",
                    (Float("alpha", 0.3, keras_name="negative_slope"), Kwargs()))


def test_galaxy_ml_names_of_renamed_arguments_are_accepted_in_kwargs(tool, tmp_path):
    values: dict = {"negative_slope": 0.3}
    _add_kwargs(RENAMED, {RENAMED.main[0]: 0.3}, values, "alpha=0.2", "layer 1 (LeakyReLU)", [])
    assert values == {"negative_slope": 0.2}
    out = tmp_path / "model.json"
    tool("keras_model_config", sequential("(5, 4)", layer("Bidirectional", layer="GRU", units=2,
                                                          kwargs="merge_mode='sum', reset_after=False")),
         "--outfile", out)
    (both,) = keras.models.model_from_json(out.read_text()).layers
    assert both.merge_mode == "sum" and both.forward_layer.reset_after is False


def test_a_renamed_argument_given_twice_is_refused():
    with pytest.raises(UserError, match="layer 1 \\(LeakyReLU\\): kwargs sets the argument 'negative_slope' twice; "
                                        "keep one"):
        _add_kwargs(RENAMED, {RENAMED.main[0]: 0.3}, {}, "alpha=0.2, negative_slope=0.1", "layer 1 (LeakyReLU)", [])


@pytest.mark.parametrize("kwargs, message", [
    ("layer='Lambda'", "kwargs argument 'layer' is not accepted here: set it in this layer's field"),
    ("unitz=3", "'unitz' is not an argument of Keras 3's GRU; remove it or correct its name \\(did you mean 'units'"),
    ("units=3, units=4", "kwargs gives 'units' twice; keep one"),
])
def test_bidirectional_kwargs_go_to_the_inner_layer_only(tool, tmp_path, kwargs, message):
    params = sequential("(5, 4)", layer("Bidirectional", layer="GRU", units=2, kwargs=kwargs))
    err = tool.fails("keras_model_config", params, "--outfile", tmp_path / "model.json")
    assert pytest.importorskip("re").search(message, err), err


def test_bidirectional_simple_rnn_takes_no_recurrent_activation_from_kwargs(tool, tmp_path):
    params = sequential("(5, 4)", layer("Bidirectional", layer="SimpleRNN", units=2,
                                        kwargs="recurrent_activation='tanh'"))
    err = tool.fails("keras_model_config", params, "--outfile", tmp_path / "model.json")
    assert "kwargs argument 'recurrent_activation' is not an argument of Keras 3's SimpleRNN" in err
