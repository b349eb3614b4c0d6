"""Machine Learning Visualization Extension (ml_visualization_ex)."""

from bad_inputs import Case
from bad_inputs.common import CONFUSION, D

OUT = ["--output", "--output-report"]

CASES = {
    "label lengths differ": Case("ml_visualization_ex", CONFUSION,
                                 ["--infile-true", D / "imdb_y_train_sample.tsv", "--infile-predicted",
                                  D / "tiny_lstm_predictions.tsv"], OUT,
                                 "120 rows but the predicted labels have 40"),
    "unknown plot type": Case("ml_visualization_ex", {"plotting_selection": {"plot_type": "pie"}}, [],
                              ["--output"], "must be one of"),
    "two columns of labels": Case("ml_visualization_ex", CONFUSION,
                                  ["--infile-true", D / "non_numeric.tsv", "--infile-predicted",
                                   D / "tiny_lstm_predictions.tsv"], OUT, "expected one column"),
}
