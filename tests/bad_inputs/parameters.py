"""Parameter keys that no part of a tool reads: a misspelling would silently fall back to a default.

Galaxy writes exactly the form's parameters, so a key the tool does not read
comes from a hand-written JSON or an API call, or is a form parameter the
script forgot; either way it is refused by name, with the likely spelling.
"""

import copy

from bad_inputs import Case
from bad_inputs.common import (CONFUSION, D, PREDICT, TRAIN_OUTPUTS, builder_params, layer, predict_inputs,
                               sequential, train_inputs, train_params)


def with_key(params: dict, path: str, value) -> dict:
    """``params`` with one more key at ``path`` ("a|b|name"; a number picks a list item)."""
    params = copy.deepcopy(params)
    *parents, name = path.split("|")
    node = params
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node[name] = value
    return params


TRAIN = train_params()
CASES = {
    "config: a misspelled layer argument": Case(
        "keras_model_config", sequential("(10,)", layer("Dense", units=1, activaton="relu")), [], ["--outfile"],
        "unknown parameter 'model_selection|layers_0|layer_selection|activaton': the tool does not have it, so its "
        "value would be ignored; did you mean 'activation'?"),
    "builder: 'epoch' for 'epochs'": Case(
        "keras_model_builder", with_key(builder_params(), "mode_selection|fit_params|epoch", 5),
        ["--model-json", D / "tiny_lstm_model.json"], ["--outfile"],
        "unknown parameter 'mode_selection|fit_params|epoch'"),
    "train: a misspelled split seed": Case(
        "keras_train_and_eval", with_key(TRAIN, "experiment_schemes|test_split|split_algos|random_stat", 3),
        train_inputs(), TRAIN_OUTPUTS, "did you mean 'random_state'?"),
    "predict: a parameter the tool does not have": Case(
        "model_prediction", with_key(PREDICT, "batch_size", 10), predict_inputs(), ["--outfile-predict"],
        "unknown parameter 'batch_size'"),
    "visualization: a misspelled colour map": Case(
        "ml_visualization_ex", with_key(CONFUSION, "plotting_selection|plot_colour", "Reds"),
        ["--infile-true", D / "imdb_y_test_sample.tsv", "--infile-predicted", D / "tiny_lstm_predictions.tsv"],
        ["--output", "--output-report"], "did you mean 'plot_color'?"),
    "text: 'max_len' for 'maxlen'": Case(
        "keras_text_to_sequences",
        {"header1": False, "vocabulary": {"source": "learn", "maxlen": 500, "max_len": 10, "advanced": {}},
         "column_selector_options_1": {"selected_column_selector_option": "by_index_number", "col1": "2"}},
        ["--infile1", D / "text_small.tsv"], ["--outfile-sequences", "--outfile-vocabulary"],
        "unknown parameter 'vocabulary|max_len'"),
}
