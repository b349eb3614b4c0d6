"""The GTN RNN tutorial's tool settings as the scripts' parameter JSON, written once.

Used by make_test_data.py (small fixtures) and cli_tutorial.py (the pipeline
through the scripts' command lines).
"""

from __future__ import annotations

import gzip
from pathlib import Path

# The tutorial's tables (not in git: see ../shared/data/imdb/README.md).
IMDB_TABLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "imdb" / "tutorial"
ALL_COLUMNS = {"selected_column_selector_option": "all_columns"}
# The tutorial workflow's random seed: of seeds 0-9, the best on the 5,000 held-out
# training reviews (benchmarks/accuracy_across_seeds.py; the test reviews played no part).
TUTORIAL_SEED = 6


def layer(layer_type: str, **values) -> dict:
    return {"layer_selection": {"layer_type": layer_type, **values}}


def sequential(shape: str, *layers: dict) -> dict:
    return {"model_selection": {"model_type": "sequential", "input_shape": shape, "layers": list(layers)}}


def model_config(vocabulary: int = 10000, embedding: int = 32, units: int = 100, length: int = 500) -> dict:
    """Embedding(10000, 32) -> LSTM(100) -> Dense(1, sigmoid) on rows of 500 word indices."""
    return sequential(f"({length}, )", layer("Embedding", input_dim=vocabulary, output_dim=embedding),
                      layer("LSTM", units=units), layer("Dense", units=1, activation="sigmoid"))


def builder(epochs: int = 2, batch_size: int = 128, validation_split: float = 0.1,
            seed: int | None = TUTORIAL_SEED) -> dict:
    """KerasGClassifier, binary cross-entropy, Adam, acc."""
    return {"mode_selection": {
        "mode_type": "train_model", "learning_type": "KerasGClassifier",
        "compile_params": {"loss": "binary_crossentropy",
                           "optimizer_selection": {"optimizer_type": "Adam",
                                                   "optimizer_options": {"learning_rate": 0.001, "beta_1": 0.9,
                                                                         "beta_2": 0.999, "epsilon": 1e-07,
                                                                         "amsgrad": False}},
                           "metrics": ["acc"]},
        "fit_params": {"epochs": epochs, "batch_size": batch_size, "validation_split": validation_split,
                       "callbacks": [{"callback_selection": {"callback_type": "None"}}]},
        "random_seed": seed}}


def train(test_size: float = 0.2, save: tuple[str, ...] = ("save_estimator",)) -> dict:
    """Train and Validate, seeded shuffle split, f1 first, tables without headers."""
    return {"experiment_schemes": {"selected_exp_scheme": "train_val",
                                   "test_split": {"split_algos": {"shuffle": "simple", "test_size": test_size,
                                                                  "random_state": None}},
                                   "metrics": {"scoring": {"primary_scoring": "f1"}}},
            "input_options": {"selected_input": "tabular", "header1": False, "column_selector_options_1": ALL_COLUMNS,
                              "header2": False,
                              "column_selector_options_2": {"selected_column_selector_option2": "all_columns"}},
            "save": list(save)}


def predict(method: str = "predict") -> dict:
    return {"method": method, "input_options": {"selected_input": "tabular", "header1": False,
                                                "column_selector_options_1": ALL_COLUMNS}}


def confusion_matrix(plot_format: str = "png") -> dict:
    return {"plotting_selection": {"plot_type": "classification_confusion_matrix", "header_true": False,
                                   "column_selector_options_true": ALL_COLUMNS, "header_predicted": True,
                                   "title": "Confusion matrix between true and predicted labels",
                                   "plot_format": plot_format, "plot_color": "Greens"}}


def sample_table(name: str, rows: int, folder: Path) -> Path:
    """The first ``rows`` lines (0: all) of a tutorial table such as X_train.tsv.gz, decompressed into folder."""
    target = folder / name.replace(".gz", "")
    with gzip.open(IMDB_TABLES / name, "rt") as source, open(target, "w") as sink:
        for i, line in enumerate(source):
            if rows and i >= rows:
                break
            sink.write(line)
    return target
