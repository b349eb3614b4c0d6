"""Hostile and broken model files, given to training and prediction.

Each file is made at test time from a real tiny model (tiny_lstm_built.keras for
training, tiny_lstm_trained.keras for prediction): one member edited, added or
replaced with zipfile. Bombs are zeros written with ZIP_DEFLATED through a
streaming writer, so that they are a few MB on disk. HDF5 files (Galaxy-ML's
models, Keras HDF5 models) are copies of the test data's, edited with h5py.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any, Callable

from bad_inputs import Case
from bad_inputs.common import D, PREDICT, TRAIN_OUTPUTS, predict_inputs, train_inputs, train_params

BUILT, TRAINED = D / "tiny_lstm_built.keras", D / "tiny_lstm_trained.keras"
GALAXY_ML, KERAS2_H5 = D / "galaxy_ml_train_test_eval_model02", D / "hdf5_keras2_dense.h5"
PIPELINE = {"-object-": {"-reduce-": {"--func-": {"-global-": ["copyreg", "_reconstructor"]}, "-args-": {"-tuple-": [
    {"-global-": ["sklearn.pipeline", "Pipeline"]}, {"-global-": ["builtins", "object"]}, None]}}}}
META, CONFIG, WEIGHTS = "galaxy_keras.json", "config.json", "model.weights.h5"
GIB, MIB = 1024**3, 1024**2
Maker = Callable[[Path, Path], Path]


def members(base: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(base) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_archive(path: Path, contents: dict[str, bytes], zeros: dict[str, int] | None = None) -> Path:
    """A zip of ``contents`` plus members of ``zeros[name]`` zero bytes each (deflated, streamed)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in contents.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_STORED)  # as Keras writes them
        chunk = bytes(16 * MIB)
        for name, size in (zeros or {}).items():
            with archive.open(name, "w", force_zip64=True) as member:
                for _ in range(size // len(chunk)):
                    member.write(chunk)
    return path


def edited(base: Path, name: str, edit: Callable[[Any], Any]) -> Maker:
    """A copy of ``base`` whose JSON member ``name`` is ``edit(parsed member)``; the canary path may appear."""
    def make(folder: Path, canary: Path) -> Path:
        contents = members(base)
        contents[name] = json.dumps(edit(json.loads(contents[name]), canary)).encode()
        return write_archive(folder / "model.dat", contents)
    return make


def with_meta(base: Path, **changes: Any) -> Maker:
    return edited(base, META, lambda meta, canary: {**meta, **changes})


def with_callback(callback: Callable[[Path], dict]) -> Maker:
    return edited(BUILT, META, lambda meta, canary: {**meta, "fit": {**meta["fit"], "callbacks": [callback(canary)]}})


def with_layer(node: Callable[[Path], dict], position: int = 2) -> Maker:
    """The trained model with layer ``position`` of its config replaced by ``node``."""
    def edit(config: dict, canary: Path) -> dict:
        config["config"]["layers"][position] = node(canary)
        return config
    return edited(TRAINED, CONFIG, edit)


def with_dense(**changes: Any) -> Maker:
    def edit(config: dict, canary: Path) -> dict:
        dense = config["config"]["layers"][-1]
        for key, value in changes.items():
            if key == "config":
                dense["config"].update(value(canary) if callable(value) else value)
            else:
                dense[key] = value
        return config
    return edited(TRAINED, CONFIG, edit)


def replaced(base: Path, name: str, data: Callable[[Path], bytes]) -> Maker:
    def make(folder: Path, canary: Path) -> Path:
        return write_archive(folder / "model.dat", {**members(base), name: data(canary)})
    return make


def bombed(base: Path, zeros: dict[str, int]) -> Maker:
    def make(folder: Path, canary: Path) -> Path:
        contents = {name: data for name, data in members(base).items() if name not in zeros}
        return write_archive(folder / "model.dat", contents, zeros)
    return make


def truncated(folder: Path, canary: Path) -> Path:
    data = TRAINED.read_bytes()
    path = folder / "model.dat"
    path.write_bytes(data[:len(data) // 2])
    return path


def hdf5_model(folder: Path, canary: Path) -> Path:
    import h5py

    path = folder / "model.dat"
    with h5py.File(path, "w") as handle:
        handle.attrs["keras_version"] = "2.3.1"
        handle.create_dataset("model_weights/dense/kernel", data=[[0.0]])
    return path


def h5_edited(base: Path, edit: Callable[[Any], None]) -> Maker:
    """A copy of an HDF5 model file with ``edit(h5py.File)`` applied."""
    def make(folder: Path, canary: Path) -> Path:
        import h5py

        path = folder / "model.dat"
        path.write_bytes(base.read_bytes())
        with h5py.File(path, "a") as handle:
            edit(handle)
        return path
    return make


def h5_replaced(name: str, text: str) -> Callable[[Any], None]:
    def edit(handle: Any) -> None:
        del handle[name]
        handle[name] = text
    return edit


def h5_lambda_layer(handle: Any) -> None:
    config = json.loads(handle.attrs["model_config"])
    config["config"]["layers"].insert(2, {"class_name": "Lambda", "config": {
        "name": "lambda", "function": ["4wEAAA==", None, None], "function_type": "lambda", "module": "__main__"}})
    handle.attrs["model_config"] = json.dumps(config)


def h5_huge_kernel(handle: Any) -> None:
    # Declared 8 GiB; chunked and never written, so it takes no room in the file.
    del handle["model_weights/dense/dense/kernel:0"]
    handle.create_dataset("model_weights/dense/dense/kernel:0", shape=(1024**3, 2), dtype="float32", chunks=(1024, 2))


def h5_truncated(folder: Path, canary: Path) -> Path:
    path = folder / "model.dat"
    path.write_bytes(KERAS2_H5.read_bytes()[:10_000])
    return path


def weights_with(add: Callable[[Any, Path], None]) -> Callable[[Path], bytes]:
    """The trained model's weights file with a dataset added by ``add(h5 file, canary)``."""
    def data(canary: Path) -> bytes:
        import io

        import h5py

        buffer = io.BytesIO(members(TRAINED)[WEIGHTS])
        with h5py.File(buffer, "a") as handle:
            add(handle, canary)
        return buffer.getvalue()
    return data


def external_dataset(handle: Any, canary: Path) -> None:
    handle.create_dataset("hostile", shape=(8,), dtype="uint8", external=[(str(canary / "keep.txt"), 0, 8)])


def virtual_dataset(handle: Any, canary: Path) -> None:
    import h5py

    layout = h5py.VirtualLayout(shape=(8,), dtype="uint8")
    layout[:] = h5py.VirtualSource(str(canary / "keep.txt"), "data", shape=(8,))
    handle.create_virtual_dataset("hostile", layout)


def huge_dataset(handle: Any, canary: Path) -> None:
    # Declared 8 GiB; chunked and never written, so it takes no room in the file.
    handle.create_dataset("hostile", shape=(2 * GIB,), dtype="float32", chunks=(1024,))


def uncompiled(folder: Path, canary: Path) -> Path:
    """A plain Keras model, never compiled, without the suite's settings."""
    contents = members(BUILT)
    del contents[META]
    config = json.loads(contents[CONFIG])
    del config["compile_config"]
    contents[CONFIG] = json.dumps(config).encode()
    return write_archive(folder / "model.dat", contents)


def nested(base: Path, name: str) -> Maker:
    return replaced(base, name, lambda canary: b"[" * 100_000 + b"]" * 100_000)


def train(model: Maker, expected: str) -> Case:
    return Case("keras_train_and_eval", train_params(), train_inputs(model), TRAIN_OUTPUTS, expected)


def predict(model: Maker, expected: str) -> Case:
    return Case("model_prediction", PREDICT, predict_inputs(model), ["--outfile-predict"], expected)


def callback_case(callback: Callable[[Path], dict], name: str, reason: str) -> Case:
    return train(with_callback(callback), f"callback 1 is a '{name}' callback, which these tools never run from "
                                          f"a model file ({reason}")


GET_FILE = {"module": "keras.utils", "class_name": "get_file", "registered_name": None}
REFUSED = "which these tools do not build; refusing to load it"

CASES = {
    # Callbacks in galaxy_keras.json: only the catalogue's, rebuilt from typed fields.
    "CSVLogger callback writing into the canary": callback_case(
        lambda canary: {"type": "CSVLogger", "filename": str(canary / "keep.txt")}, "CSVLogger", "it writes a file"),
    "ModelCheckpoint callback": callback_case(
        lambda canary: {"type": "ModelCheckpoint", "filepath": str(canary / "inner" / "model.keras")},
        "ModelCheckpoint", "it writes files"),
    "BackupAndRestore callback deleting the canary": callback_case(
        lambda canary: {"type": "BackupAndRestore", "backup_dir": str(canary)}, "BackupAndRestore",
        "it writes and deletes a folder"),
    "TensorBoard callback": callback_case(lambda canary: {"type": "TensorBoard", "log_dir": str(canary)},
                                          "TensorBoard", "it writes log files"),
    "RemoteMonitor callback": callback_case(lambda canary: {"type": "RemoteMonitor", "root": "http://127.0.0.1:9"},
                                            "RemoteMonitor", "it sends the training log to a web address"),
    "LambdaCallback": callback_case(lambda canary: {"type": "LambdaCallback", "on_epoch_end": "print"},
                                    "LambdaCallback", "it runs code"),
    "EarlyStopping with an unknown argument": train(
        with_callback(lambda canary: {"type": "EarlyStopping", "monitor": "loss", "baseline_file": "x"}),
        "(EarlyStopping) has the argument 'baseline_file', which these tools do not set"),
    # The suite's settings, as data.
    "settings with an unknown key": predict(with_meta(TRAINED, run="import os"),
                                            "galaxy_keras.json has the key 'run', which these tools do not write"),
    "batch_size 0 in the settings": train(edited(BUILT, META, lambda meta, canary: {
        **meta, "fit": {**meta["fit"], "batch_size": 0}}), "parameter 'batch_size' must be at least 1, got 0"),
    "class list shorter than the output": predict(with_meta(TRAINED, classes=[0]),
                                                  "lists 1 class labels, but the model's output has 1 unit, "
                                                  "which means 2 classes"),
    "unknown learning_type": predict(with_meta(TRAINED, learning_type="clusterer"),
                                     "learning_type must be 'classifier' or 'regressor', got 'clusterer'"),
    "settings nested 100,000 levels deep": predict(nested(TRAINED, META), "galaxy_keras.json is nested too deeply"),
    # The archive: known members only, sizes and ratios checked before anything is read.
    "settings member bomb (2.5 GiB)": predict(bombed(TRAINED, {META: 5 * GIB // 2}),
                                              "member 'galaxy_keras.json' unpacks to 2.5 GB"),
    "weights member bomb (2.5 GiB)": predict(bombed(TRAINED, {WEIGHTS: 5 * GIB // 2}),
                                             "member 'model.weights.h5' unpacks to 2.5 GB from"),
    "six extra 250 MiB members": predict(bombed(TRAINED, {f"assets/extra_{i}.bin": 250 * MIB for i in range(6)}),
                                         "has a member 'assets/extra_0.bin', which a model file of these tools "
                                         "does not have"),
    "unknown member name": predict(replaced(TRAINED, "../../keep.txt", lambda canary: b"x"),
                                   "has a member '../../keep.txt'"),
    "truncated zip": predict(truncated, "is a zip archive that is truncated or damaged (it has no central "
                                        "directory); upload it again"),
    "HDF5 model": predict(hdf5_model, "is an HDF5 (.h5 / Galaxy-ML) model; these tools read Keras 3 .keras archives"),
    "uncompiled plain Keras model given to training": train(uncompiled, "the model is not compiled"),
    # The configuration: an allowlist of the classes the suite builds.
    "get_file as a class": predict(with_layer(lambda canary: {**GET_FILE, "config": {
        "fname": "x", "origin": f"file://{canary}/keep.txt"}}), f"'get_file' object, {REFUSED}"),
    "get_file as a function": predict(with_dense(config={"activation": {
        "module": "keras.utils", "class_name": "function", "config": "get_file", "registered_name": "function"}}),
        "the function 'get_file' (module 'keras.utils'), which is not an activation, loss or metric"),
    "StringLookup with a vocabulary path": predict(with_layer(lambda canary: {
        "module": "keras.layers", "class_name": "StringLookup", "registered_name": None,
        "config": {"vocabulary": str(canary / "keep.txt")}}), f"'StringLookup' object, {REFUSED}"),
    "path argument on a built-in layer": predict(with_dense(config=lambda canary: {"filepath": str(canary)}),
                                                 "gives the argument 'filepath' (a path, a URL or code)"),
    "registered_name trick": predict(with_dense(registered_name="keras.utils>get_file"),
                                     "uses the custom object 'keras.utils>get_file' for 'Dense'"),
    "config nested 100,000 levels deep": predict(nested(TRAINED, CONFIG), "config.json is nested too deeply"),
    "300,000,000 units in the config": predict(with_dense(config={"units": 300_000_000}),
                                               "has units=300000000, outside the form's bounds"),
    "Embedding of 10,000,000 x 100,000 in the config": predict(
        with_layer(lambda canary: {"module": "keras.layers", "class_name": "Embedding", "registered_name": None,
                                   "config": {"name": "embedding", "input_dim": 10_000_000, "output_dim": 100_000}},
                   1), "parameters; training them (the weights, their gradients"),
    # The weights file: no storage outside it, sizes from declarations.
    "external HDF5 dataset": predict(replaced(TRAINED, WEIGHTS, weights_with(external_dataset)),
                                     "the dataset '/hostile' stored in another file (external storage)"),
    "virtual HDF5 dataset": predict(replaced(TRAINED, WEIGHTS, weights_with(virtual_dataset)),
                                    "the dataset '/hostile' a virtual dataset"),
    "weights declaring 8 GiB": predict(replaced(TRAINED, WEIGHTS, weights_with(huge_dataset)),
                                       "weights (the datasets model.weights.h5 declares) would need 8.0 GB"),
    # Galaxy-ML models and Keras HDF5 models, recognised by their content.
    "Galaxy-ML model of the class os.system": predict(
        h5_edited(GALAXY_ML, h5_replaced("-keras_models-/0/class_name", "os.system")),
        "holds a 'os.system' object; these tools read only Galaxy-ML's Keras models"),
    "Galaxy-ML pickled Pipeline": train(h5_edited(GALAXY_ML, h5_replaced("-model_config-", json.dumps(PIPELINE))),
                                        "holds a 'sklearn.pipeline.Pipeline' object"),
    "HDF5 model with a Lambda layer": predict(h5_edited(KERAS2_H5, h5_lambda_layer),
                                              "contains a 'Lambda' object, which can run code"),
    "truncated HDF5 model": predict(h5_truncated, "is not a readable HDF5 file (truncated or damaged?)"),
    "HDF5 model weights declaring 8 GiB": train(h5_edited(KERAS2_H5, h5_huge_kernel),
                                                "the model file's weights (the datasets it declares) would need "
                                                "8.0 GB"),
}
