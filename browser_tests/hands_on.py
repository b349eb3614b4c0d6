"""The hands-on boxes of the GTN tutorial "Deep Learning (Part 2) - Recurrent neural networks"
(galaxyproject/training-material, topics/statistics/tutorials/RNN), as steps in Galaxy's web UI.

Each step opens its tool from the tool panel's search, fills in the fields the hands-on box names,
by their labels and option texts, and leaves every other field at the form's default; runs it;
then reads the result the way a person does without a download: the dataset expanded in the
history (its information: Galaxy keeps the first 255 characters of the job's stdout), tables and
images opened with the eye button. Each step saves numbered screenshots through `walk.steps`.
"""

from selenium.webdriver.common.by import By

import ui
from conftest import ROOT

DATA = ROOT / "test-data"
# The hands-on "Model config": (option text of "Choose the type of layer", its value,
# [(label = parameter name, value to type or (option text, option value) to choose)]).
TUTORIAL_LAYERS = [
    ("Embedding -- Embedding", "Embedding", [("input_dim", "10000"), ("output_dim", "32")]),
    ("Recurrent -- LSTM", "LSTM", [("units", "100")]),
    ("Core -- Dense", "Dense", [("units", "1"), ("activation", ("sigmoid", "sigmoid"))]),
]
# Embedding 10000 x 32 + LSTM 4 x (100 x (32 + 100) + 100) + Dense 100 + 1, written as the tool does.
TUTORIAL_PARAMS = "373,301"


def assert_mentions(text, what, *needles):
    """Every needle (case-insensitive) is in `text`, the words a person reads about a dataset."""
    missing = [needle for needle in needles if needle.lower() not in text.lower()]
    assert not missing, f"{what} does not say {missing}: {text[:1500]!r}"


def check_table(walk, hid, columns, ordered=True):
    """Open a table with its eye button: Galaxy names its columns `columns` (the column_names
    metadata the tool gave it), in the centre panel as in the dataset's metadata."""
    ui.view_dataset(walk.driver, hid)
    shown = ui.shown_table_header(walk.driver)
    if not ordered:  # the order of the scores follows the primary metric chosen: not pinned here
        shown, columns = sorted(shown), sorted(columns)
    assert shown == columns, f"dataset {hid}: the table's columns are named {shown}, not {columns}"
    metadata = ui.dataset_by_hid(walk.client, walk.history_id, hid).get("metadata_column_names")
    assert (metadata if ordered else sorted(metadata or [])) == columns, \
        f"dataset {hid}: column_names metadata {metadata}"


def upload_tables(driver, client, history_id, tables, steps):
    """Hands-on "Data upload": the files from disk through the Upload dialog, each renamed
    through its attributes form, and made tabular through the Datatypes tab where Galaxy guessed
    another type. `tables`: [(file in test-data, name)]. Returns {name: hid}."""
    ui.upload_from_disk(driver, [DATA / file for file, _ in tables], steps)
    hids = {}
    for hid in range(1, len(tables) + 1):
        ui.visible(driver, ui.item_css(hid), f"uploaded dataset {hid} in the history")
        hids[ui.wait_ok(driver, client, history_id, hid, "the upload")] = hid
    assert sorted(hids) == sorted(file for file, _ in tables), hids
    steps.shot("uploaded")
    renamed = {}
    for index, (file, name) in enumerate(tables):
        # One screenshot of the filled-in form: the others look the same.
        ui.rename(driver, hids[file], name,
                  before_save=(lambda: steps.shot("rename_attributes")) if index == 0 else None)
        renamed[name] = hids[file]
    changed = []
    for name, hid in renamed.items():
        ui.expand_item(driver, hid)
        if ui.item_datatype(driver, hid) != "tabular":
            ui.change_datatype(driver, hid, "tabular",
                               before_save=None if changed else (lambda: steps.shot("datatype_tabular")))
            changed.append(name)
        ui.collapse_item(driver, hid)
    # Galaxy sets the metadata of the changed datasets anew, in jobs of their own: wait for all at once.
    for name in changed:
        ui.wait_datatype(driver, renamed[name], "tabular")
    for name, hid in renamed.items():
        ui.expand_item(driver, hid)
        assert ui.item_datatype(driver, hid) == "tabular", (name, ui.item_datatype(driver, hid))
        ui.collapse_item(driver, hid)
    steps.shot("tables_ready")
    return renamed


def layer_blocks(driver):
    return driver.find_elements(
        By.CSS_SELECTOR, 'div.ui-form-element[id^="form-element-model_selection|layers_"]'
                         '[id$="|layer_selection|layer_type"]')


def fill_model_config(driver, input_shape, layers):
    """The model-config form: sequential, the input shape, then one LAYER per entry of `layers`
    (Insert LAYER for each), filled in by the labels of the hands-on box."""
    ui.choose(driver, "model_selection|model_type", "Sequential", "sequential", label="Select keras model type")
    ui.type_value(driver, "model_selection|input_shape", input_shape, label="input_shape")
    insert = driver.find_element(By.XPATH, "//button[.//*[@data-description='repeat insert']]")
    assert "Insert LAYER" in " ".join(insert.text.split()), insert.text
    while len(layer_blocks(driver)) < len(layers):
        count = len(layer_blocks(driver))
        ui.wait_form_idle(driver, f"LAYER {count}")
        ui.click(driver, insert, "Insert LAYER")
        ui.until(driver, lambda d: len(layer_blocks(d)) > count, f"LAYER {count + 1} to appear")
    assert len(layer_blocks(driver)) == len(layers)
    expected = {"model_selection|model_type": "sequential", "model_selection|input_shape": input_shape}
    for index, (text, value, fields) in enumerate(layers):
        prefix = f"model_selection|layers_{index}|layer_selection"
        ui.choose(driver, f"{prefix}|layer_type", text, value, label="Choose the type of layer")
        expected[f"{prefix}|layer_type"] = value
        for name, setting in fields:
            label = "Activation function" if name == "activation" else name
            ui.visible(driver, ui.form_element(f"{prefix}|{name}"), f"the field {name} of a {value} layer")
            if isinstance(setting, tuple):
                ui.choose(driver, f"{prefix}|{name}", *setting, label=label)
            else:
                ui.type_value(driver, f"{prefix}|{name}", setting, label=label)
            expected[f"{prefix}|{name}"] = setting[1] if isinstance(setting, tuple) else setting
    # Every value still as chosen (a form rebuild could have reset one).
    ui.wait_form_idle(driver, "filling in the model config")
    shown = {param: ui.selected_value(driver, param) or ui.field_value(driver, param) for param in expected}
    assert shown == expected, f"the form does not show the hands-on values: {shown}"


def check_tutorial_model(model):
    """The Keras model JSON of the tutorial: Sequential, (500,), Embedding 10000/32, LSTM 100, Dense 1 sigmoid."""
    assert model.get("class_name") == "Sequential", model.get("class_name")
    config = model["config"]
    layers = {layer["class_name"]: layer["config"] for layer in config["layers"]}
    assert [layer["class_name"] for layer in config["layers"] if layer["class_name"] != "InputLayer"] == \
        ["Embedding", "LSTM", "Dense"], [layer["class_name"] for layer in config["layers"]]
    shapes = [layers.get("InputLayer", {}).get("batch_shape"), config.get("build_input_shape")]
    assert [None, 500] in shapes, shapes
    assert layers["Embedding"]["input_dim"] == 10000, layers["Embedding"]
    assert layers["Embedding"]["output_dim"] == 32, layers["Embedding"]
    assert layers["LSTM"]["units"] == 100, layers["LSTM"]
    assert layers["Dense"]["units"] == 1, layers["Dense"]
    assert layers["Dense"]["activation"] == "sigmoid", layers["Dense"]


def start_walk(driver, galaxy, results_dir, folder, history_name, tables):
    """Logged in, a new history named `history_name`, `tables` uploaded as the tutorial says
    (upload_tables), screenshots into results_dir/folder: the Walk that goes on from there."""
    client = galaxy["client"]
    steps = ui.Steps(driver, results_dir / folder)
    ui.ensure_logged_in(driver, galaxy)
    history_id = ui.create_history(driver, client, history_name)
    hids = upload_tables(driver, client, history_id, tables, steps)
    return Walk(driver, client, history_id, steps, hids)


class Walk:
    """One walk through the hands-on boxes: the browser, the API client (to find a dataset by
    its hid, and the job's message when it fails), the history, the screenshots, and the
    datasets so far by name ({name: hid})."""

    def __init__(self, driver, client, history_id, steps, hids):
        self.driver, self.client, self.history_id, self.steps = driver, client, history_id, steps
        self.names = {hid: name for name, hid in hids.items()}  # {hid: name in the history}

    def hid(self, name):
        return {name: hid for hid, name in self.names.items()}[name]

    def run(self, outputs, what):
        made = ui.run_tool(self.driver, self.history_id, self.client, outputs, what)
        self.names.update(made)
        return [hid for hid, _ in made]

    def choose_dataset(self, param, hid, label):
        ui.choose_dataset(self.driver, param, hid, self.names[hid], label=label)

    def output(self, hids, suffix):
        """The hid among `hids` whose name ends with the output label `suffix`."""
        found = [hid for hid in hids if self.names[hid].endswith(suffix)]
        assert len(found) == 1, f"no single output named ...{suffix} among {[self.names[h] for h in hids]}"
        return found[0]


def model_config(walk, input_shape, layers, total_params):
    """Hands-on "Model config". Returns the model JSON's hid."""
    driver = walk.driver
    ui.open_tool(driver, "Create a deep learning model architecture", "keras_model_config")
    fill_model_config(driver, input_shape, layers)
    walk.steps.shot("model_config_form", tall_css="#tool-card-body")
    [hid] = walk.run(1, "the model config")
    about = ui.expand_item(driver, hid)
    # Without a download: the architecture's info is Keras' layer summary with the parameter count.
    assert_mentions(about, "the model architecture", " -> ".join(value for _, value, _ in layers),
                    f"{len(layers)} layers, {total_params} parameters")
    walk.steps.shot("model_config_history")
    ui.collapse_item(driver, hid)
    return hid


def model_builder(walk, config_hid):
    """Hands-on "Model builder (Optimizer, loss function, and fit parameters)". Returns its hid."""
    driver = walk.driver
    ui.open_tool(driver, "Create deep learning model", "keras_model_builder")
    ui.choose(driver, "mode_selection|mode_type", "Build a training model", "train_model",
              label="Choose a building mode")
    walk.choose_dataset("mode_selection|infile_json", config_hid, "Select the dataset containing model configuration")
    ui.choose(driver, "mode_selection|learning_type", "KerasGClassifier - classification", "KerasGClassifier",
              label="Do classification or regression?")
    compile_params = "mode_selection|compile_params"
    ui.choose(driver, f"{compile_params}|loss", "binary_crossentropy", "binary_crossentropy",
              label="Select a loss function")
    ui.choose(driver, f"{compile_params}|optimizer_selection|optimizer_type", "Adam - Adam optimizer", "Adam",
              label="Select an optimizer")
    # "Select metrics: acc/accuracy" is what the form has chosen already: read it, as a person would.
    ui.check_label(driver, f"{compile_params}|metrics", "Select metrics")
    metrics = driver.find_element(By.CSS_SELECTOR, ui.form_element(f"{compile_params}|metrics")).text
    assert "acc/accuracy" in metrics, metrics
    ui.type_value(driver, "mode_selection|fit_params|epochs", "2", label="epochs")
    ui.type_value(driver, "mode_selection|fit_params|batch_size", "128", label="batch_size")
    walk.steps.shot("model_builder_form", tall_css="#tool-card-body")
    [hid] = walk.run(1, "the model builder")
    about = ui.expand_item(driver, hid)
    # The built model says its loss, optimizer and fit settings.
    assert_mentions(about, "the built model", "classifier: loss binary_crossentropy", "optimizer Adam",
                    "metrics acc", "epochs 2", "batch size 128")
    walk.steps.shot("model_builder_history")
    ui.collapse_item(driver, hid)
    return hid


def training(walk, builder_hid, x_name, y_name, label_column=None):
    """Hands-on "Training the model": X and y with all their columns, or (label_column) y's
    column of that header name. Returns the hids of the trained model and the metrics table."""
    driver = walk.driver
    ui.open_tool(driver, "Deep learning training and evaluation", "keras_train_and_eval")
    ui.choose(driver, "experiment_schemes|selected_exp_scheme", "Train and Validate", "train_val",
              label="Select a scheme")
    walk.choose_dataset("experiment_schemes|infile_estimator", builder_hid,
                        "Choose the dataset containing pipeline/estimator object")
    ui.choose(driver, "input_options|selected_input", "tabular data", "tabular", label="Select input type:")
    walk.choose_dataset("input_options|infile1", walk.hid(x_name), "Training samples dataset")
    ui.choose(driver, "input_options|column_selector_options_1|selected_column_selector_option", "All columns",
              "all_columns", label="Choose how to select data by column:")
    walk.choose_dataset("input_options|infile2", walk.hid(y_name), "Dataset containing class labels or target values")
    selector = "input_options|column_selector_options_2"
    if label_column:
        ui.set_boolean(driver, "input_options|header2", True, label="Does the dataset contain header:")
        ui.choose(driver, f"{selector}|selected_column_selector_option2", "Select columns by column header name(s)",
                  "by_header_name", label="Choose how to select data by column:")
        ui.type_value(driver, f"{selector}|col2", label_column, label="Type header name(s):")
    else:
        ui.choose(driver, f"{selector}|selected_column_selector_option2", "All columns", "all_columns",
                  label="Choose how to select data by column:")
    walk.steps.shot("training_form", tall_css="#tool-card-body")
    made = walk.run(3, "the training")
    trained, metrics = walk.output(made, "trained model (.keras)"), walk.output(made, ": metrics")
    history = walk.output(made, "training history")
    about = ui.expand_item(driver, trained)
    # The trained model: its loss, optimizer, fit settings and the last epoch's metrics.
    assert_mentions(about, "the trained model", "final epoch 2/2: loss ", ", acc ",
                    "trained: binary_crossentropy, Adam, 2 epochs, batch 128")
    walk.steps.shot("training_history")
    ui.collapse_item(driver, trained)
    check_table(walk, metrics, ["dataset", "n_samples", "loss", "accuracy", "precision", "recall", "f1", "roc_auc"],
                ordered=False)
    walk.steps.shot("metrics_table")
    # One row an epoch: the loss and the metric the builder chose ("Select metrics: acc/accuracy").
    check_table(walk, history, ["epoch", "acc", "loss"], ordered=False)
    return trained, metrics


def prediction(walk, trained_hid, x_name, rows):
    """Hands-on "Testing the model": predict with the trained model for the rows of `x_name`."""
    driver = walk.driver
    ui.open_tool(driver, "Model Prediction", "model_prediction")
    walk.choose_dataset("infile_estimator", trained_hid, "Choose the dataset containing pipeline/estimator object")
    ui.choose(driver, "method", "predict - class labels (or values for a regressor)", "predict",
              label="Select invocation method")
    ui.choose(driver, "input_options|selected_input", "tabular data", "tabular",
              label="Select input data type for prediction")
    walk.choose_dataset("input_options|infile1", walk.hid(x_name), "Training samples dataset")
    ui.choose(driver, "input_options|column_selector_options_1|selected_column_selector_option", "All columns",
              "all_columns", label="Choose how to select data by column:")
    walk.steps.shot("prediction_form", tall_css="#tool-card-body")
    [hid] = walk.run(1, "the prediction")
    about = ui.expand_item(driver, hid)
    # How many rows fall in each class of the model (0 and 1), read without opening the table.
    assert_mentions(about, "the predictions", f"{rows} predictions (predict), rows per class: 0: ", ", 1: ")
    check_table(walk, hid, ["predicted"])
    shown = ui.shown_table_rows(walk.driver, limit=rows + 1)
    # The file's header row, then one predicted class a test review.
    assert shown[0] == ["predicted"] and len(shown) == rows + 1, shown[:3]
    assert all(row in (["0"], ["1"]) for row in shown[1:]), shown
    walk.steps.shot("predictions_table")
    return hid


def confusion_matrix(walk, y_name, predicted_hid):
    """Hands-on "Creating the confusion matrix"; the image opened with the eye button."""
    driver = walk.driver
    ui.open_tool(driver, "Machine Learning Visualization Extension", "ml_visualization_ex")
    selection = "plotting_selection"
    ui.choose(driver, f"{selection}|plot_type", "Confusion matrix for classes", "classification_confusion_matrix",
              label="Select a plotting type")
    walk.choose_dataset(f"{selection}|infile_true", walk.hid(y_name), "Select dataset containing the true labels")
    ui.choose(driver, f"{selection}|column_selector_options_true|selected_column_selector_option", "All columns",
              "all_columns", label="Choose how to select data by column:")
    walk.choose_dataset(f"{selection}|infile_predicted", predicted_hid,
                        "Select dataset containing the predicted labels")
    # "Does the dataset contain header: Yes" (of the predictions) is the form's own setting: read it.
    ui.check_boolean(driver, f"{selection}|header_predicted", True, label="Does the dataset contain header:")
    walk.steps.shot("confusion_matrix_form", tall_css="#tool-card-body")
    made = walk.run(2, "the confusion matrix")
    plot, report = walk.output(made, "classification_confusion_matrix"), walk.output(made, "F1 per class")
    check_table(walk, report, ["class", "precision", "recall", "f1", "support"])
    ui.view_dataset(driver, plot)
    width, height, src = ui.shown_image(driver)
    assert width >= 300 and height >= 300, (width, height, src)
    # The bytes behind the image, fetched with the browser's session: a PNG.
    fetched = ui.browser_fetch(driver, src, as_json=False)
    assert fetched["status"] == 200 and fetched["magic"].startswith("89504e47"), fetched
    walk.steps.shot("confusion_matrix")
    return plot
