"""The layers a user can pick in "Create a deep learning model architecture".

A layer of Galaxy-ML is one ``_galaxy_ml(...)`` line: its Keras class name, its group (shown as
"Group -- Name" in the form), exactly the fields of Galaxy-ML 1.0.11's ``layer_<Name>`` macro, and
the typical arguments of its kwargs text where Galaxy-ML has one. A layer Galaxy-ML did not have is
one ``_add(...)`` line with its own main and advanced fields. The form (tools/form_macros.xml,
generated) and the model builder both read this table. Only classes listed here can ever be
instantiated, and no field takes free text that would be evaluated, so a config cannot name code.

Galaxy-ML compatibility: the form keeps Galaxy-ML's layer names, parameter names, types and their
nesting (``layer_selection|kwargs``, ``layer_selection|inbound_nodes``,
``layer_selection|merging_layers``), so that its workflows import with their values and without
tool-state corrections; where Keras 3 renamed an argument, the field keeps Galaxy-ML's name and
``keras_name`` gives Keras' (docs/galaxy-ml-compatibility.md lists them all).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .fields import Bool, Choices, Field, Float, Indices, Int, Ints, Kwargs, L1L2, Select, Text

ACTIVATIONS = ("linear", "relu", "sigmoid", "softmax", "tanh", "elu", "selu", "gelu", "silu",
               "softplus", "softsign", "exponential", "hard_sigmoid", "hard_silu", "leaky_relu",
               "relu6", "mish", "log_softmax")
INITIALIZERS = ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform",
                "lecun_normal", "orthogonal", "zeros", "ones", "random_uniform", "random_normal",
                "truncated_normal")
REGULARIZERS = ("None", "l1", "l2", "l1_l2")
PADDINGS = ("valid", "same")
DATA_FORMATS = ("channels_last", "channels_first")
INPUT_DTYPES = ("float32", "float64", "int32", "int64", "float16", "bfloat16", "bool")
# A layer or input name: what Keras accepts and Galaxy's default sanitizer lets through.
NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$"
# Upper bounds of the size fields: far beyond any model trainable in a Galaxy job, so the form
# refuses absurd values (units=300,000,000) at once; what does not fit the job's memory is
# refused from the parameter count.
MAX_UNITS = 100_000  # units, filters, key_dim, output_dim, RepeatVector's n
MAX_VOCABULARY = 10_000_000  # Embedding's input_dim
MAX_FACTOR = 10_000  # num_heads, groups, depth_multiplier


def size(name: str, default: int | None, top: int = MAX_UNITS, **kw: Any) -> Field:
    return Int(name, default, min=1, max=top, **kw)


def activation(default: str = "linear") -> Field:
    return Select("activation", ACTIVATIONS, default, label="Activation function",
                  help="Keras argument 'activation'; 'linear' means no activation.")


def initializer(name: str, default: str) -> Field:
    return Select(name, INITIALIZERS, default)


def regularizer(name: str) -> Field:
    return Select(name, REGULARIZERS, "None", help=f"Keras argument '{name}' (default factors: 0.01).")


def weights_options(kernel: bool = True) -> tuple[Field, ...]:
    fields = [Bool("use_bias", True)]
    if kernel:
        fields += [initializer("kernel_initializer", "glorot_uniform"), regularizer("kernel_regularizer")]
    fields += [initializer("bias_initializer", "zeros"), regularizer("bias_regularizer"),
               regularizer("activity_regularizer")]
    return tuple(fields)


def rate(default: float = 0.5, name: str = "rate") -> Field:
    return Float(name, default, min=0.0, max=1.0)


def data_format() -> Field:
    return Select("data_format", DATA_FORMATS, "channels_last")


KWARGS = Kwargs()
# Where a functional layer takes its input from: Galaxy-ML's names and place, inside layer_selection.
INBOUND_NODES = Indices("inbound_nodes", label="Inputs of this layer",
                        help="inbound_nodes: the number of the layer this one takes its input from, e.g. 1 (or 2,3 "
                             "for attention layers: query, value); empty: the layer just before.")
MERGING_LAYERS = Indices("merging_layers", label="Layers to merge",
                         help="merging_layers: the numbers of the layers to merge, e.g. 2,3 or [2, 3].")
_AXIS = Ints("axis", "0", nested=True, help="Keras argument 'axis': an axis or a list of axes, e.g. 0 or [0, 1].")
# Galaxy-ML's constraint choice (PReLU's alpha_constraint): its names; MinMaxNorm's rate_max_value is Keras' rate.
CONSTRAINTS = {"None": (), "MaxNorm": (Float("max_value", 2.0, min=0.0), _AXIS), "NonNeg": (),
               "UnitNorm": (_AXIS,),
               "MinMaxNorm": (Float("min_value", 0.0, min=0.0), Float("max_value", 1.0, min=0.0),
                              Float("rate_max_value", 1.0, min=0.0, max=1.0, keras_name="rate", label="rate",
                                    help="Keras argument 'rate' (Galaxy-ML: rate_max_value)."), _AXIS)}


@dataclass(frozen=True)
class LayerSpec:
    """One entry of the catalogue.

    call: how the layer is applied to its inbound layers in a functional model:
    "single" (one tensor), "list" (a list, as merge layers take), "args"
    (separate tensors: query, value[, key] for attention).
    """

    name: str
    group: str
    main: tuple[Field, ...] = ()
    advanced: tuple[Field, ...] = ()
    call: str = "single"
    functional_only: bool = False
    keras_class: str | None = None  # when the form's value differs from the Keras class name
    galaxy_ml: bool = False  # a layer of Galaxy-ML 1.0.11: its form is exactly Galaxy-ML's
    connects: bool = True  # whether a functional entry names its inputs (inbound_nodes / merging_layers)

    @property
    def label(self) -> str:
        alias = f" (runs as {self.keras_class})" if self.keras_class else ""
        return f"{self.group} -- {self.name}{alias}"

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.main + self.advanced

    @property
    def typed_fields(self) -> tuple[Field, ...]:
        """The fields with a value of their own (all but the kwargs text)."""
        return tuple(item for item in self.fields if item.kind != "kwargs")

    @property
    def connection_fields(self) -> tuple[Field, ...]:
        """What a functional model's entry of this layer says about its inputs."""
        if self.name == "Input" or not self.connects:
            return ()
        return (MERGING_LAYERS,) if self.group == "Merge" else (INBOUND_NODES,)


LAYERS: dict[str, LayerSpec] = {}


def _galaxy_ml(name: str, group: str, main: tuple[Field, ...] = (), kwargs: str | None = None,
               connects: bool = True, **kw: Any) -> None:
    """A layer of Galaxy-ML 1.0.11, with exactly its parameters (names, types, nesting).

    ``kwargs``: the typical arguments named in the help of the layer's kwargs text, where Galaxy-ML
    has one (its ``simple_kwargs``); None where it has none. ``connects``: whether Galaxy-ML's
    functional form gives the layer ``inbound_nodes`` (its macros without a ``yield`` do not; in a
    functional model such a layer takes the layer just before it).
    """
    fields = tuple(main) + ((Kwargs(kwargs),) if kwargs is not None else ())
    LAYERS[name] = LayerSpec(name, group, fields, galaxy_ml=True, connects=connects, **kw)


def _add(name: str, group: str, main: tuple[Field, ...] = (), advanced: tuple[Field, ...] = (), **kw: Any) -> None:
    """A layer Galaxy-ML did not have: its own main fields, the kwargs text, and advanced fields."""
    LAYERS[name] = LayerSpec(name, group, tuple(main) + (KWARGS,), tuple(advanced), **kw)


# Typical arguments of the kwargs texts (Keras 3's names and defaults; Galaxy-ML's helps list the same ones).
_WEIGHTS = ("use_bias=True, kernel_initializer='glorot_uniform', bias_initializer='zeros', kernel_regularizer=None, "
            "bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None")
_SEPARABLE = ("depth_multiplier=1, use_bias=True, depthwise_initializer='glorot_uniform', "
              "pointwise_initializer='glorot_uniform', bias_initializer='zeros', depthwise_regularizer=None, "
              "pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None, "
              "depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None")
_RECURRENT = ("use_bias=True, kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal', "
              "bias_initializer='zeros', kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, "
              "activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, "
              "dropout=0.0, recurrent_dropout=0.0, return_sequences=False (True: output every time step, needed "
              "before another recurrent layer), go_backwards=False, unroll=False")


def _tuple(dims: int, value: int) -> str:
    return str(value) if dims == 1 else "(" + ", ".join([str(value)] * dims) + ")"


def _data_format(dims: int) -> str:
    return "data_format='channels_last'" if dims == 1 else "data_format=None"


# --- Core -------------------------------------------------------------------
_galaxy_ml("Dense", "Core", (size("units", 1), activation()), _WEIGHTS)
_galaxy_ml("Input", "Core", (Ints("shape", "(10,)", allow_none=True, always_tuple=True,
                                  help="Shape of one sample without the batch axis, e.g. (500,) or (28, 28, 1)."),
                             Text("name", NAME_PATTERN, label="Name of this input",
                                  help="Keras argument 'name'; empty: input_N, N being the layer's number."),
                             Select("dtype", INPUT_DTYPES, "float32"), Bool("sparse", False)),
           functional_only=True)
_galaxy_ml("Activation", "Core", (activation("relu"),), connects=False)
_galaxy_ml("Dropout", "Core", (rate(),), "noise_shape=None, seed=None")
_galaxy_ml("SpatialDropout1D", "Core", (rate(),))
_galaxy_ml("SpatialDropout2D", "Core", (rate(),), "data_format=None, seed=None")
_galaxy_ml("SpatialDropout3D", "Core", (rate(),), "data_format=None, seed=None")
_galaxy_ml("Flatten", "Core", (data_format(),))
_galaxy_ml("Reshape", "Core", (Ints("target_shape", "(1,)", always_tuple=True),))
_galaxy_ml("Permute", "Core", (Ints("dims", "(2, 1)", always_tuple=True),))
_galaxy_ml("RepeatVector", "Core", (size("n", 1),), connects=False)
_galaxy_ml("Masking", "Core", (Float("mask_value", 0.0),))
_galaxy_ml("ActivityRegularization", "Core", (Float("l1", 0.0, min=0.0), Float("l2", 0.0, min=0.0)))
_add("Identity", "Core")

# --- Convolutional ------------------------------------------------------------
for _dims in (1, 2, 3):
    _strides = f"strides={_tuple(_dims, 1)}, padding='valid' (or 'same'{', causal' if _dims == 1 else ''})"
    _galaxy_ml(f"Conv{_dims}D", "Convolutional", (size("filters", 32), Ints("kernel_size", "3"), activation()),
               f"{_strides}, {_data_format(_dims)}, dilation_rate={_tuple(_dims, 1)}, groups=1, {_WEIGHTS}")
    if _dims == 1:  # Galaxy-ML had no Conv1DTranspose: its own fields
        _add("Conv1DTranspose", "Convolutional",
             (size("filters", 32), Ints("kernel_size", "3"), Ints("strides", "1"), Select("padding", PADDINGS),
              activation()),
             (Ints("dilation_rate", "1"),) + weights_options())
    else:
        _galaxy_ml(f"Conv{_dims}DTranspose", "Convolutional",
                   (size("filters", 32), Ints("kernel_size", "3"), activation()),
                   f"strides={_tuple(_dims, 1)}, padding='valid' (or 'same'), output_padding=None, data_format=None, "
                   f"dilation_rate={_tuple(_dims, 1)}, {_WEIGHTS}")
    # 2D and 3D take a pair for each side too, e.g. ((0, 0), (1, 1)) (Galaxy-ML's defaults are of that form).
    _galaxy_ml(f"Cropping{_dims}D", "Convolutional", (Ints("cropping", "1", nested=_dims > 1),),
               None if _dims == 1 else "data_format=None")
    if _dims == 1:
        _galaxy_ml("UpSampling1D", "Convolutional", (Int("size", 2, min=1, max=MAX_UNITS),))
    else:
        _galaxy_ml(f"UpSampling{_dims}D", "Convolutional", (Ints("size", "2"),),
                   "data_format=None" + (", interpolation='nearest'" if _dims == 2 else ""))
    _galaxy_ml(f"ZeroPadding{_dims}D", "Convolutional", (Ints("padding", "1", nested=_dims > 1),),
               None if _dims == 1 else "data_format=None")
for _dims in (1, 2):
    _galaxy_ml(f"SeparableConv{_dims}D", "Convolutional",
               (size("filters", 32), Ints("kernel_size", "3"), activation()),
               f"strides={_tuple(_dims, 1)}, padding='valid' (or 'same'), {_data_format(_dims)}, "
               f"dilation_rate={_tuple(_dims, 1)}, {_SEPARABLE}")
    if _dims == 1:  # Galaxy-ML had no DepthwiseConv1D: its own fields
        _add("DepthwiseConv1D", "Convolutional",
             (Ints("kernel_size", "3"), Ints("strides", "1"), Select("padding", PADDINGS), activation()),
             (size("depth_multiplier", 1, MAX_FACTOR), Ints("dilation_rate", "1"), Bool("use_bias", True)))
    else:
        _galaxy_ml("DepthwiseConv2D", "Convolutional", (Ints("kernel_size", "3"), activation()),
                   "strides=(1, 1), padding='valid' (or 'same'), depth_multiplier=1, data_format=None, "
                   "dilation_rate=(1, 1), use_bias=True, depthwise_initializer='glorot_uniform', "
                   "bias_initializer='zeros', depthwise_regularizer=None, bias_regularizer=None, "
                   "activity_regularizer=None, depthwise_constraint=None, bias_constraint=None")

# --- Pooling ------------------------------------------------------------------
_POOLING = "padding='valid' (or 'same'), data_format=None"
for _dims in (1, 2, 3):
    for _kind in ("Max", "Average"):
        if _dims == 1:  # Galaxy-ML: integers
            _pooling = (Int("pool_size", 2, min=1, max=MAX_UNITS),
                        Int("strides", None, min=1, max=MAX_UNITS, optional=True,
                            help="Keras argument 'strides'; empty: pool_size."))
        else:
            _pooling = (Ints("pool_size", "2"),
                        Ints("strides", None, optional=True, help="Keras argument 'strides'; empty: pool_size."))
        _galaxy_ml(f"{_kind}Pooling{_dims}D", "Pooling", _pooling, _POOLING)
        _galaxy_ml(f"Global{_kind}Pooling{_dims}D", "Pooling", (data_format(),))

# --- Recurrent ----------------------------------------------------------------
_galaxy_ml("LSTM", "Recurrent", (size("units", 32),),
           f"activation='tanh', recurrent_activation='sigmoid', unit_forget_bias=True, {_RECURRENT}")
_galaxy_ml("GRU", "Recurrent", (size("units", 32),),
           f"activation='tanh', recurrent_activation='sigmoid', reset_after=True, {_RECURRENT}")
_galaxy_ml("SimpleRNN", "Recurrent", (size("units", 32),), f"activation='tanh', {_RECURRENT}")
# Galaxy-ML's cuDNN layers: Keras 3's GRU and LSTM run cuDNN on a GPU by themselves (with their defaults).
_galaxy_ml("CuDNNGRU", "Recurrent", (size("units", 32),),
           "return_sequences=False, kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal', "
           "bias_initializer='zeros', kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, "
           "go_backwards=False", keras_class="GRU")
_galaxy_ml("CuDNNLSTM", "Recurrent", (size("units", 32),),
           "return_sequences=False, kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal', "
           "bias_initializer='zeros', unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, "
           "bias_regularizer=None, go_backwards=False", keras_class="LSTM")
# Layers Galaxy-ML did not have: their own fields.
_RNN_ADV = (Float("dropout", 0.0, min=0.0, max=1.0), Float("recurrent_dropout", 0.0, min=0.0, max=1.0),
            Bool("go_backwards", False), Bool("unroll", False), Bool("use_bias", True),
            initializer("kernel_initializer", "glorot_uniform"),
            initializer("recurrent_initializer", "orthogonal"), regularizer("kernel_regularizer"),
            regularizer("recurrent_regularizer"))
_RETURN_SEQUENCES = Bool("return_sequences", False, help="Keras argument 'return_sequences': output every time step "
                                                         "(needed before another recurrent layer).")
_add("Bidirectional", "Recurrent",
     (Select("layer", ("LSTM", "GRU", "SimpleRNN"), "LSTM", label="Recurrent layer to run in both directions"),
      size("units", 32), activation("tanh"), _RETURN_SEQUENCES,
      Select("merge_mode", ("concat", "sum", "mul", "ave"), "concat")),
     (Select("recurrent_activation", ACTIVATIONS, "sigmoid",
             help="Keras argument 'recurrent_activation' (LSTM and GRU only)."),) + _RNN_ADV)
_add("ConvLSTM1D", "Recurrent",
     (size("filters", 32), Ints("kernel_size", "3"), Ints("strides", "1"),
      Select("padding", PADDINGS), activation("tanh"), Bool("return_sequences", False)),
     (Select("recurrent_activation", ACTIVATIONS, "sigmoid"), Ints("dilation_rate", "1"),
      Float("dropout", 0.0, min=0.0, max=1.0), Float("recurrent_dropout", 0.0, min=0.0, max=1.0)))

_galaxy_ml("ConvLSTM2D", "Recurrent", (size("filters", 32), Ints("kernel_size", "3")),
           "strides=(1, 1), padding='valid' (or 'same'), data_format=None, dilation_rate=(1, 1), activation='tanh', "
           "recurrent_activation='sigmoid', use_bias=True, kernel_initializer='glorot_uniform', "
           "recurrent_initializer='orthogonal', bias_initializer='zeros', unit_forget_bias=True, "
           "return_sequences=False, go_backwards=False, dropout=0.0, recurrent_dropout=0.0")

# --- Embedding ----------------------------------------------------------------
_galaxy_ml("Embedding", "Embedding",
           (size("input_dim", 1000, MAX_VOCABULARY,
                 help="Keras argument 'input_dim': size of the vocabulary (largest integer + 1)."),
            size("output_dim", 32, help="Keras argument 'output_dim': length of each word vector.")),
           "mask_zero=False (True: 0 is padding, which the recurrent layers after it skip), "
           "embeddings_initializer='uniform', embeddings_regularizer=None, activity_regularizer=None, "
           "embeddings_constraint=None")

# --- Advanced activations -------------------------------------------------------
# Galaxy-ML's names: ReLU's threshold_max_value is Keras' threshold, LeakyReLU's alpha is negative_slope.
_galaxy_ml("ReLU", "Advanced activations",
           (Float("max_value", None, min=0.0, optional=True), Float("negative_slope", 0.0, min=0.0),
            Float("threshold_max_value", 0.0, min=0.0, keras_name="threshold", label="threshold",
                  help="Keras argument 'threshold' (Galaxy-ML: threshold_max_value).")))
_galaxy_ml("LeakyReLU", "Advanced activations",
           (Float("alpha", 0.3, min=0.0, keras_name="negative_slope", label="negative_slope",
                  help="Keras argument 'negative_slope' (Galaxy-ML and Keras 2: alpha)."),))
_galaxy_ml("PReLU", "Advanced activations",
           (Select("alpha_initializer", INITIALIZERS + ("constant", "identity"), "zeros"), L1L2("alpha_regularizer"),
            Choices("alpha_constraint", CONSTRAINTS, "constraint_options"),
            Ints("shared_axes", None, nested=True, optional=True,
                 help="Keras argument 'shared_axes': axes that share one alpha, e.g. [1, 2]; empty: none.")))
_galaxy_ml("ELU", "Advanced activations", (Float("alpha", 1.0),))
# Keras 3 has no ThresholdedReLU: ReLU with a threshold gives x for x >= theta and 0 below.
_galaxy_ml("ThresholdedReLU", "Advanced activations",
           (Float("theta", 1.0, min=0.0, keras_name="threshold", help="Keras argument 'threshold' (Keras 2: theta)."),),
           keras_class="ReLU")
_galaxy_ml("Softmax", "Advanced activations", (Int("axis", -1),))

# --- Normalization --------------------------------------------------------------
_galaxy_ml("BatchNormalization", "Normalization", (),
           "axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True, beta_initializer='zeros', "
           "gamma_initializer='ones', moving_mean_initializer='zeros', moving_variance_initializer='ones', "
           "beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None",
           connects=False)
_add("LayerNormalization", "Normalization", (),
     (Int("axis", -1), Float("epsilon", 0.001, min=0.0), Bool("center", True), Bool("scale", True)))
_add("GroupNormalization", "Normalization", (size("groups", 32, MAX_FACTOR),),
     (Int("axis", -1), Float("epsilon", 0.001, min=0.0)))
_add("UnitNormalization", "Normalization", (), (Int("axis", -1),))

# --- Noise ----------------------------------------------------------------------
_galaxy_ml("GaussianNoise", "Noise", (Float("stddev", 0.1, min=0.0),), connects=False)
_galaxy_ml("GaussianDropout", "Noise", (rate(),), connects=False)
_galaxy_ml("AlphaDropout", "Noise", (rate(),), "noise_shape=None, seed=None", connects=False)

# --- Attention (functional models: they take several inputs) ----------------------
_add("MultiHeadAttention", "Attention",
     (size("num_heads", 2, MAX_FACTOR), size("key_dim", 16)),
     (size("value_dim", None, optional=True), Float("dropout", 0.0, min=0.0, max=1.0), Bool("use_bias", True)),
     call="args", functional_only=True)
_add("Attention", "Attention", (), (Bool("use_scale", False), Float("dropout", 0.0, min=0.0, max=1.0)),
     call="list", functional_only=True)
_add("AdditiveAttention", "Attention", (), (Bool("use_scale", True), Float("dropout", 0.0, min=0.0, max=1.0)),
     call="list", functional_only=True)

# --- Merge (functional models) ------------------------------------------------------
for _merge in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"):
    _galaxy_ml(_merge, "Merge", call="list", functional_only=True)
_galaxy_ml("Concatenate", "Merge", (Int("axis", -1),), call="list", functional_only=True)
_galaxy_ml("Dot", "Merge", (Ints("axis", "1", keras_name="axes", label="axes",
                                 help="Keras argument 'axes' (Galaxy-ML: axis): the axis, or a pair of axes, "
                                      "of the dot product."), Bool("normalize", False)),
           call="list", functional_only=True)

SEQUENTIAL_LAYERS = [spec for spec in LAYERS.values() if not spec.functional_only]
FUNCTIONAL_LAYERS = list(LAYERS.values())

# Galaxy-ML's layer types that Keras 3 has no layer for: refused by name, with what to use instead.
GALAXY_ML_REFUSED = {
    "LocallyConnected1D": "Keras 3 removed locally connected layers; Conv1D is the nearest layer",
    "LocallyConnected2D": "Keras 3 removed locally connected layers; Conv2D is the nearest layer",
    "SimpleRNNCell": "a recurrent cell is no layer of its own; SimpleRNN runs it over the sequence",
    "GRUCell": "a recurrent cell is no layer of its own; GRU runs it over the sequence",
    "LSTMCell": "a recurrent cell is no layer of its own; LSTM runs it over the sequence",
    "ConvLSTM2DCell": "a recurrent cell is no layer of its own; ConvLSTM2D runs it over the sequence",
}
