"""Parameters and inputs shared by the case modules."""

from conftest import TEST_DATA, builder_params, layer, sequential, train_params  # noqa: F401

D = TEST_DATA
ALL = {"selected_column_selector_option": "all_columns"}
PREDICT = {"method": "predict", "input_options": {"selected_input": "tabular", "header1": False,
                                                  "column_selector_options_1": ALL}}
CONFUSION = {"plotting_selection": {"plot_type": "classification_confusion_matrix", "header_true": False,
                                    "header_predicted": True, "plot_format": "png"}}
TRAIN_OUTPUTS = ["--outfile-result", "--outfile-history", "--outfile-object"]


def train_inputs(estimator=D / "tiny_lstm_built.keras", x=D / "imdb_X_train_sample.tsv",
                 y=D / "imdb_y_train_sample.tsv") -> list:
    return ["--estimator", estimator, "--infile1", x, "--infile2", y]


def predict_inputs(estimator=D / "tiny_lstm_trained.keras", x=D / "imdb_X_test_sample.tsv") -> list:
    return ["--estimator", estimator, "--infile1", x]
