"""The tutorial from raw review texts, clicked through Galaxy's web UI: the route of the workflows
imdb-raw-text-sentiment and imdb-new-text-prediction (workflows/), with their settings.

Upload 60 IMDB training reviews and 4 new reviews from disk (test-data/text_reviews_train_sample.tsv,
text_reviews_new.tsv); "Text to padded integer sequences" learns a vocabulary from the training
texts (10,000 values, rows of 500); the tutorial's model config, builder and training, with the
sentiment from the `label` column of the reviews table; the saved vocabulary turns the new reviews
into rows of the same form; Model Prediction gives their sentiment.

Screenshots: results/browser/text_route/NN_<step>.png.
"""

import hands_on
import ui

HISTORY_NAME = "Browser test: IMDB raw-text route"
TABLES = [("text_reviews_train_sample.tsv", "reviews_train"), ("text_reviews_new.tsv", "new_reviews")]
TRAINING_TEXTS, NEW_TEXTS, ROW_LENGTH = 60, 4, 500


def text_to_sequences(walk, texts_name, n_texts, vocabulary_hid=None):
    """The tool "Text to padded integer sequences" on the column `text` of a reviews table: a vocabulary
    learned from its texts (the workflow's 10,000 values, rows of 500: the form's default), or
    (vocabulary_hid) the saved one applied. Returns the hids of the sequences and the vocabulary."""
    driver = walk.driver
    ui.open_tool(driver, "Text to padded integer sequences", "keras_text_to_sequences")
    walk.choose_dataset("infile1", walk.hid(texts_name), "Dataset with a column of texts")
    ui.set_boolean(driver, "header1", True, label="Does the dataset contain header:")
    ui.choose(driver, "column_selector_options_1|selected_column_selector_option",
              "Select columns by column header name(s)", "by_header_name", label="Choose how to select data by column:")
    ui.type_value(driver, "column_selector_options_1|col1", "text", label="Type header name(s):")
    if vocabulary_hid is None:
        ui.choose(driver, "vocabulary|source", "Learn it from these texts", "learn", label="Vocabulary")
        ui.type_value(driver, "vocabulary|num_words", "10000",
                      label="Values from this number on become the out-of-vocabulary value")
        # "Length of every sequence": the form's default is the workflow's 500.
        maxlen = ui.field_value(driver, "vocabulary|maxlen")
        assert maxlen == str(ROW_LENGTH), maxlen
    else:
        ui.choose(driver, "vocabulary|source", "Apply a vocabulary saved by this tool, with its settings", "saved",
                  label="Vocabulary")
        walk.choose_dataset("vocabulary|vocabulary_file", vocabulary_hid, "Vocabulary saved by this tool")
    walk.steps.shot("text_form" if vocabulary_hid is None else "new_text_form", tall_css="#tool-card-body")
    made = walk.run(2, "the text tool")
    sequences, vocabulary = walk.output(made, ": sequences"), walk.output(made, ": vocabulary")
    # The sequences' information says how many texts became how many rows of how many values.
    hands_on.assert_mentions(ui.expand_item(driver, sequences), "the sequences",
                             f"{n_texts} texts, ", f" -> {n_texts} x {ROW_LENGTH} integers")
    walk.steps.shot("text_history" if vocabulary_hid is None else "new_text_history")
    ui.collapse_item(driver, sequences)
    return sequences, vocabulary


def test_raw_text_route(driver, galaxy, results_dir):
    """Raw texts -> sequences -> config -> builder -> training -> prediction for new reviews."""
    walk = hands_on.start_walk(driver, galaxy, results_dir, "text_route", HISTORY_NAME, TABLES)

    sequences, vocabulary = text_to_sequences(walk, "reviews_train", TRAINING_TEXTS)
    config = hands_on.model_config(walk, f"({ROW_LENGTH},)", hands_on.TUTORIAL_LAYERS, hands_on.TUTORIAL_PARAMS)
    builder = hands_on.model_builder(walk, config)
    trained, _ = hands_on.training(walk, builder, walk.names[sequences], "reviews_train", label_column="label")
    new_sequences, _ = text_to_sequences(walk, "new_reviews", NEW_TEXTS, vocabulary_hid=vocabulary)
    hands_on.prediction(walk, trained, walk.names[new_sequences], rows=NEW_TEXTS)
