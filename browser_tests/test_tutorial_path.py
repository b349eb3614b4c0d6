"""The GTN tutorial "Deep Learning (Part 2) - Recurrent neural networks", clicked through Galaxy's
web UI as its readers do, on a small sample of the tutorial's IMDB tables (test-data/imdb_*_sample.tsv:
120 training and 40 test reviews, 500 word indices each).

Every hands-on box of the tutorial (hands_on.py): upload the four tables from disk, rename them and
make them tabular through "Edit dataset attributes"; the five tools, each opened from the tool
panel's search and filled in by the tutorial's labels and option texts; after each step the
dataset read in the history panel, the tables and the confusion matrix opened in the centre panel.

Screenshots: results/browser/tutorial/NN_<step>.png.
"""

import json

import hands_on
import ui

HISTORY_NAME = "Browser test: GTN RNN tutorial"
# The tutorial's four tables: the sample file uploaded from disk, the name the tutorial gives it.
TABLES = [("imdb_X_train_sample.tsv", "X_train"), ("imdb_X_test_sample.tsv", "X_test"),
          ("imdb_y_train_sample.tsv", "y_train"), ("imdb_y_test_sample.tsv", "y_test")]


def test_gtn_rnn_tutorial(driver, galaxy, results_dir):
    """The whole hands-on path of the tutorial, from the upload to the confusion matrix."""
    walk = hands_on.start_walk(driver, galaxy, results_dir, "tutorial", HISTORY_NAME, TABLES)
    client, history_id = walk.client, walk.history_id

    config = hands_on.model_config(walk, "(500,)", hands_on.TUTORIAL_LAYERS, hands_on.TUTORIAL_PARAMS)
    shown = ui.dataset_by_hid(client, history_id, config)
    assert shown["extension"] == "json", shown["extension"]
    hands_on.check_tutorial_model(json.loads(client.datasets.download_dataset(shown["id"])))
    builder = hands_on.model_builder(walk, config)
    trained, _ = hands_on.training(walk, builder, "X_train", "y_train")
    predicted = hands_on.prediction(walk, trained, "X_test", rows=40)
    hands_on.confusion_matrix(walk, "y_test", predicted)
