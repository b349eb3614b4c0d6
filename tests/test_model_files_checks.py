"""Model files as data: the allowlist, the suite's settings, archive and weights checks, parameter counts."""

import json
import zipfile

import h5py
import pytest
from conftest import TEST_DATA
from keras.src.utils.naming import to_snake_case

from galaxy_keras import safety
from galaxy_keras.compile_catalog import LOSS_CLASSES, LOSSES, METRIC_CLASS_NAMES, METRICS, make_callback
from galaxy_keras.errors import UserError
from galaxy_keras.fields import parse_fields
from galaxy_keras.keras_env import keras
from galaxy_keras.architecture import make_layer
from galaxy_keras.layer_catalog import LAYERS
from galaxy_keras.model_io import ModelMeta, check_parameter_count, check_weights_file, load_model
from galaxy_keras.params import Params

TRAINED = TEST_DATA / "tiny_lstm_trained.keras"


def sequential_with(*layers):
    return {"class_name": "Sequential", "module": "keras", "config": {"layers": list(layers)}}


# -- the allowlist -------------------------------------------------------------------

def test_allowlisted_names_are_keras_classes():
    for names, module in ((safety.INITIALIZER_CLASSES, keras.initializers),
                          (safety.REGULARIZER_CLASSES, keras.regularizers),
                          (safety.CONSTRAINT_CLASSES, keras.constraints), (METRIC_CLASS_NAMES, keras.metrics)):
        for name in names:
            assert isinstance(getattr(module, name), type), name
    assert set(LOSS_CLASSES) == set(LOSSES)
    for loss, name in LOSS_CLASSES.items():
        assert issubclass(getattr(keras.losses, name), keras.losses.Loss) and to_snake_case(name) == loss
    for metric in set(METRICS) - {"acc"}:
        assert type(keras.metrics.get(metric)).__name__ in METRIC_CLASS_NAMES, metric


@pytest.mark.parametrize("spec", [spec for spec in LAYERS.values() if spec.name != "Input"], ids=lambda s: s.name)
def test_every_catalogue_layer_passes_the_allowlist(spec):
    layer = make_layer(spec, parse_fields(spec.fields, Params({})), 1)
    safety.check_config(sequential_with(keras.saving.serialize_keras_object(layer)))


def test_a_compiled_functional_model_with_class_losses_and_metrics_passes():
    inputs = keras.Input((12,))
    vectors = keras.layers.Embedding(30, 8)(inputs)
    attended = keras.layers.MultiHeadAttention(2, 4)(vectors, vectors)
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.GlobalAveragePooling1D()(attended)))
    model.compile(loss=keras.losses.BinaryCrossentropy(), optimizer=keras.optimizers.Adam(),
                  metrics=[keras.metrics.AUC(name="auc"), "acc", keras.metrics.binary_accuracy])
    config = json.loads(model.to_json())
    config["compile_config"] = keras.saving.serialize_keras_object(model.get_compile_config())
    safety.check_config(config)


@pytest.mark.parametrize("node, message", [
    ({"module": "keras.utils", "class_name": "get_file", "config": {"origin": "file:///etc/passwd"}},
     "'get_file' object, which these tools do not build"),
    ({"module": "keras.layers", "class_name": "StringLookup", "config": {"vocabulary": "/etc/passwd"}},
     "'StringLookup' object, which these tools do not build"),
    ({"module": "keras.layers", "class_name": "Dense", "config": {"units": 1, "activation": {
        "module": "keras.utils", "class_name": "function", "config": "get_file"}}},
     "the function 'get_file' \\(module 'keras.utils'\\), which is not an activation"),
    ({"module": "keras.layers", "class_name": "Dense", "config": {"units": 1, "vocabulary": "/etc/passwd"}},
     "gives the argument 'vocabulary' \\(a path, a URL or code\\)"),
    ({"module": "keras.utils", "class_name": "Dense", "config": {}}, "names 'Dense' from module 'keras.utils'"),
    ({"module": "keras.layers", "class_name": "Dense", "registered_name": "keras.utils>get_file"},
     "custom object 'keras.utils>get_file' for 'Dense'"),
    ({"module": "keras.activations", "class_name": "function", "config": "relu", "registered_name": "get_file"},
     "registers the function 'relu' under the name 'get_file'"),
    ({"module": "keras.layers", "class_name": "Dense", "config": {"kernel_initializer": {
        "module": "keras.initializers", "class_name": "FileInitializer", "config": {}}}},
     "'FileInitializer' object"),
])
def test_anything_outside_the_allowlist_is_refused_by_name(node, message):
    with pytest.raises(UserError, match=message):
        safety.check_config(sequential_with(node), "the model file")


def test_keras_functions_by_known_name_pass():
    safety.check_config(sequential_with({"module": "keras.layers", "class_name": "Dense", "config": {
        "activation": {"module": "builtins", "class_name": "function", "config": "relu",
                       "registered_name": "function"}}}))


def test_keras2_model_json_is_named():
    keras2 = {"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {
        "batch_input_shape": [None, 4]}}]}}
    with pytest.raises(UserError, match="Keras 2 \\(Galaxy-ML\\) model \\(it has 'batch_input_shape'\\)"):
        safety.check_config(keras2, "the model configuration")


def test_deep_json_is_an_error_not_a_crash():
    with pytest.raises(UserError, match="the model file's config.json is nested too deeply"):
        safety.load_json("[" * 100_000 + "]" * 100_000, "the model file's config.json")
    with pytest.raises(UserError, match=r"model is nested too deeply to be a Keras model or its settings \(more "
                                        r"than 64 levels\)"):
        safety.check_config(json.loads("[" * 300 + "]" * 300))


# -- the suite's settings (galaxy_keras.json) ------------------------------------------

def meta_json(fit: dict | None = None, **changes) -> str:
    data = {"format_version": 1, "learning_type": "classifier", "trained": False, "classes": None,
            "fit": {"epochs": 2, "batch_size": 32, "validation_split": 0.1, "random_seed": 1, "callbacks": [],
                    **(fit or {})}}
    return json.dumps({**data, **changes})


def test_settings_are_typed_and_callbacks_rebuilt_from_fields():
    early = {"type": "EarlyStopping", "monitor": "loss", "patience": "3"}
    meta = ModelMeta.from_json(meta_json({"callbacks": [early]}), "the model file")
    assert meta.fit["callbacks"] == [{"type": "EarlyStopping", "monitor": "loss", "min_delta": 0.0, "patience": 3,
                                      "mode": "auto", "restore_best_weights": False, "start_from_epoch": 0}]
    callback = make_callback(keras, meta.fit["callbacks"][0])
    assert isinstance(callback, keras.callbacks.EarlyStopping) and callback.patience == 3


@pytest.mark.parametrize("changes, message", [
    ({"exec": "x"}, "has the key 'exec', which these tools do not write"),
    ({"fit": {"shuffle": True}}, "the fit setting 'shuffle' is not one these tools use"),
    ({"fit": {"batch_size": 0}}, "parameter 'batch_size' must be at least 1, got 0"),
    ({"fit": {"epochs": 10**9}}, "parameter 'epochs' must be at most 100000"),
    ({"fit": {"validation_split": 0.95}}, "parameter 'validation_split' must be at most 0.9"),
    ({"fit": {"random_seed": -1}}, "parameter 'random_seed' must be at least 0"),
    ({"learning_type": "clusterer"}, "learning_type must be 'classifier' or 'regressor'"),
    ({"format_version": 2}, "has format_version 2"),
    ({"trained": "yes"}, "trained must be true or false"),
    ({"classes": [[0], 1]}, "'classes' must be a list of labels"),
    ({"fit": {"callbacks": [{"type": "CSVLogger", "filename": "/tmp/x"}]}},
     "callback 1 is a 'CSVLogger' callback, which these tools never run from a model file \\(it writes a file"),
    ({"fit": {"callbacks": [{"type": "RemoteMonitor"}]}},
     "'RemoteMonitor' callback.*sends the training log to a web address"),
    ({"fit": {"callbacks": [{"type": "Unheard"}]}},
     "'Unheard' callback.*it is not one of the callbacks these tools offer"),
    ({"fit": {"callbacks": [{"type": "EarlyStopping", "patience": -1}]}},
     "\\(EarlyStopping\\): parameter 'patience' must"),
    ({"fit": {"callbacks": [{"type": "ReduceLROnPlateau", "log_dir": "/tmp"}]}}, "has the argument 'log_dir'"),
])
def test_bad_settings_are_refused_by_name(changes, message):
    with pytest.raises(UserError, match=message):
        ModelMeta.from_json(meta_json(**changes), "the model file")


def test_make_callback_never_builds_a_file_writing_callback():
    with pytest.raises(UserError, match="'BackupAndRestore' callback"):
        make_callback(keras, {"type": "BackupAndRestore", "backup_dir": "/tmp"})


# -- archives, weights files and sizes ----------------------------------------------------

def archive_with(tmp_path, **replace) -> str:
    path = tmp_path / "model.dat"
    with zipfile.ZipFile(TRAINED) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            kept = name not in replace
            target.writestr(name, replace.pop(name, source.read(name)),
                            compress_type=zipfile.ZIP_STORED if kept else zipfile.ZIP_DEFLATED)
        for name, data in replace.items():
            target.writestr(name, data)
    return path


def test_a_member_that_unpacks_far_beyond_its_stored_size_is_refused(tmp_path):
    path = archive_with(tmp_path, **{"model.weights.h5": bytes(64 * 1024**2)})
    with pytest.raises(UserError, match="member 'model.weights.h5' unpacks to 64.0 MB from .* more than 100 times"):
        load_model(path)


def test_json_members_are_capped(tmp_path):
    with pytest.raises(UserError, match="member 'metadata.json' unpacks to 2.0 MB, more than the 1.0 MB"):
        load_model(archive_with(tmp_path, **{"metadata.json": b" " * (2 * 1024**2)}))


def test_class_labels_must_fit_the_output(tmp_path):
    path = archive_with(tmp_path, **{"galaxy_keras.json": meta_json(classes=["a", "b", "c"])})
    with pytest.raises(UserError, match="lists 3 class labels, but the model's output has 1 unit, which means 2"):
        load_model(path)


def test_hdf5_and_truncated_files_are_named(tmp_path):
    h5 = tmp_path / "old.h5"
    with h5py.File(h5, "w") as handle:
        handle["x"] = [1.0]
    with pytest.raises(UserError, match="an HDF5 \\(.h5 / Galaxy-ML\\) model"):
        load_model(h5)
    cut = tmp_path / "cut.dat"
    cut.write_bytes(TRAINED.read_bytes()[:1000])
    with pytest.raises(UserError, match="truncated or damaged .*; upload it again"):
        load_model(cut)


def test_weights_with_external_storage_are_refused(tmp_path):
    outside = tmp_path / "outside.bin"
    outside.write_bytes(bytes(8))
    path = tmp_path / "model.weights.h5"
    with h5py.File(path, "w") as handle:
        handle.create_dataset("layers/dense/vars/0", shape=(8,), dtype="uint8", external=[(str(outside), 0, 8)])
    with pytest.raises(UserError, match="dataset '/layers/dense/vars/0' stored in another file"):
        check_weights_file(path)
    with h5py.File(path, "w") as handle:
        handle["elsewhere"] = h5py.ExternalLink(str(outside), "/data")
    with pytest.raises(UserError, match="has a link '/elsewhere' to another file"):
        check_weights_file(path)


def test_weights_sizes_come_from_declared_shapes(tmp_path, monkeypatch):
    monkeypatch.setenv("GALAXY_MEMORY_MB", "2048")
    path = tmp_path / "model.weights.h5"
    with h5py.File(path, "w") as handle:
        handle.create_dataset("big", shape=(2 * 1024**3,), dtype="float32", chunks=(1024,))
    assert path.stat().st_size < 1024**2
    with pytest.raises(UserError, match="would need 8.0 GB of memory, more than half of the job's memory "
                                        "\\(GALAXY_MEMORY_MB=2048\\)"):
        check_weights_file(path)


def test_parameters_are_counted_without_allocating_them():
    def build():
        return keras.Sequential([keras.Input((500,)), keras.layers.Embedding(10000, 32), keras.layers.LSTM(100),
                                 keras.layers.Dense(300_000_000)])
    with pytest.raises(UserError, match="the model has 30,300,373,200 parameters; training them .* would need "
                                        "451.5 GB of memory.*use fewer units or filters"):
        check_parameter_count(build, "the model")
    check_parameter_count(lambda: keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]), "the model")


def test_keras_extracts_nothing_outside_the_temp_folder(tmp_path, monkeypatch):
    import tempfile

    private = tmp_path / "private"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    source = tmp_path / "given" / "model.dat"
    source.parent.mkdir()
    source.write_bytes(TRAINED.read_bytes())
    model, meta = load_model(source)
    assert meta.classes == [0, 1] and model.optimizer.iterations.numpy() > 0
    assert sorted(p.name for p in source.parent.iterdir()) == ["model.dat"]
    assert list(private.iterdir()) == []
