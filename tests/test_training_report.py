"""The training tool's HTML report, its first stdout lines and the column names it gives Galaxy."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pandas as pd
import pytest

from galaxy_keras.galaxy_metadata import write_column_names
from galaxy_keras.run_summary import GALAXY_INFO_CHARS, prediction_line, summary_lines
from galaxy_keras.training_report import report_html

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def history(metrics=("acc",)) -> pd.DataFrame:
    columns = {"epoch": [1, 2, 3], "loss": [0.7, 0.6, 0.5]}
    for name in metrics:
        columns[name] = [0.5, 0.6, 0.7]
    columns["val_loss"] = [0.71, 0.65, 0.6]
    for name in metrics:
        columns[f"val_{name}"] = [0.45, 0.55, 0.6]
    return pd.DataFrame(columns)


def classifier_predictions(classes, n=30, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    probabilities = rng.dirichlet(np.ones(len(classes)), size=n)
    true = [classes[i % len(classes)] for i in range(n)]
    frame = pd.DataFrame({"row": np.arange(1, n + 1), "dataset": "test", "true": true,
                          "predicted": [classes[i] for i in probabilities.argmax(axis=1)]})
    for i, label in enumerate(classes):
        frame[f"probability_{label}"] = probabilities[:, i]
    return frame


def scores(names=("accuracy", "roc_auc")) -> pd.DataFrame:
    record = {"dataset": "test", "n_samples": 30, "loss": 0.512345}
    record.update({name: 0.75 + i / 100 for i, name in enumerate(names)})
    return pd.DataFrame([record])


def images(page: str) -> list[bytes]:
    return [base64.b64decode(data, validate=True) for data in re.findall(r'src="data:image/png;base64,([^"]+)"', page)]


def check_self_contained(page: str) -> None:
    """Nothing is fetched: every src is a PNG data URL; no link, script, style sheet or address anywhere else."""
    assert re.findall(r'src="(?!data:image/png;base64,)', page) == []
    text = re.sub(r"base64,[A-Za-z0-9+/=]+", "base64,", page)
    for fetching in ("href=", "<script", "<link", "<iframe", "url(", "@import", "http:", "https:", "//"):
        assert fetching not in text, fetching


def decodable_pngs(page: str, count: int) -> None:
    import matplotlib.image

    pictures = images(page)
    assert len(pictures) == count == page.count("<img ")
    for picture in pictures:
        assert picture.startswith(PNG_MAGIC)
        pixels = matplotlib.image.imread(io.BytesIO(picture), format="png")
        assert pixels.shape[0] > 100 and pixels.shape[1] > 100


def test_binary_classifier_report():
    page = report_html(history(), scores(), classifier_predictions(["neg", "pos"]), "classifier", ["neg", "pos"])
    for heading in ("Learning curves", "Held-out metrics", "Confusion matrix", "ROC curve"):
        assert f"<h2>{heading}</h2>" in page
    assert "<th>dataset</th><th>n_samples</th><th>loss</th><th>accuracy</th><th>roc_auc</th>" in page
    assert "<td>test</td><td>30</td><td>0.5123</td><td>0.75</td><td>0.76</td>" in page
    assert "The curve of class pos (positive) against class neg." in page
    assert "True vs predicted" not in page
    decodable_pngs(page, 3)
    check_self_contained(page)


def test_multiclass_report_says_one_vs_rest_and_skips_absent_classes():
    classes = ["a", "b", "c"]
    predictions = classifier_predictions(classes)
    predictions.loc[predictions["true"] == "c", "true"] = "a"  # no held-out row of class c
    page = report_html(history(), scores(), predictions, "classifier", classes)
    assert "One-vs-rest: a curve for each class" in page
    assert "No curve for c: the held-out rows hold no sample of it" in page
    decodable_pngs(page, 3)


def test_regressor_report_has_the_scatter_and_no_classifier_plots():
    rng = np.random.default_rng(1)
    true = rng.normal(size=20)
    predictions = pd.DataFrame({"row": np.arange(1, 21), "dataset": "validation", "true": true,
                                "predicted": true + rng.normal(scale=0.1, size=20)})
    page = report_html(history(("mae",)), scores(("r2", "mae")), predictions, "regressor", None)
    assert "<h2>True vs predicted values</h2>" in page and "<th>r2</th>" in page
    assert "The 20 rows of the held-out validation part." in page
    assert "Confusion matrix" not in page and "ROC curve" not in page
    decodable_pngs(page, 2)
    check_self_contained(page)


def test_the_drawn_part_is_the_last_held_out_one():
    validation = classifier_predictions([0, 1], n=10).assign(dataset="validation")
    test = classifier_predictions([0, 1], n=30, seed=2)
    page = report_html(history(), scores(), pd.concat([validation, test]), "classifier", [0, 1])
    assert "The 30 rows of the held-out test part." in page


def test_text_from_the_data_is_escaped():
    classes = ["<b>bad</b>", "x&y"]
    table = scores().rename(columns={"accuracy": "<i>accuracy</i>"})
    page = report_html(history(), table, classifier_predictions(classes), "classifier", classes,
                       title="<script>alert(1)</script>")
    assert "<b>bad</b>" not in page and "<script>" not in page and "<i>" not in page
    assert "&lt;b&gt;bad&lt;/b&gt;" in page and "x&amp;y" in page and "&lt;i&gt;accuracy&lt;/i&gt;" in page


def test_a_held_out_part_of_one_class_has_no_roc_curve_and_says_so():
    predictions = classifier_predictions(["neg", "pos"]).assign(true="neg")
    page = report_html(history(), scores(), predictions, "classifier", ["neg", "pos"])
    assert "No ROC curve: the held-out rows hold only one class." in page
    decodable_pngs(page, 2)


def test_summary_lines_loss_first_then_validation_and_each_held_out_part():
    table = pd.concat([scores().assign(dataset="validation", n_samples=9), scores()], ignore_index=True)
    lines = summary_lines(history(("acc",))[["epoch", "acc", "loss", "val_acc", "val_loss"]], table)
    assert lines == ["final epoch 3/3: loss 0.5, acc 0.7, val_loss 0.6, val_acc 0.6",
                     "held-out validation (9 rows): loss 0.5123, accuracy 0.75, roc_auc 0.76",
                     "held-out test (30 rows): loss 0.5123, accuracy 0.75, roc_auc 0.76"]
    assert len("\n".join(lines)) < GALAXY_INFO_CHARS


def test_summary_lines_say_what_the_model_trained_with_after_the_final_epoch():
    trained = "trained: binary_crossentropy, Adam, 2 epochs, batch 128, 86 rows"
    lines = summary_lines(history(), scores(), trained_with=trained)
    assert lines[1] == trained and lines[0].startswith("final epoch ") and lines[2].startswith("held-out ")
    assert len("\n".join(lines)) < GALAXY_INFO_CHARS


def test_summary_of_a_training_stopped_early_says_how_many_epochs_were_planned():
    assert summary_lines(history(), scores(), planned_epochs=10)[0].startswith("final epoch 3/10: loss 0.5, ")


def test_column_names_file(tmp_path):
    path = tmp_path / "galaxy.json"
    write_column_names(path, {"outfile_result": ["dataset", "n_samples", "loss"], "outfile_history": ["epoch", 1]})
    assert json.loads(path.read_text()) == {"outfile_result": {"metadata": {"column_names": ["dataset", "n_samples",
                                                                                             "loss"]}},
                                            "outfile_history": {"metadata": {"column_names": ["epoch", "1"]}}}


@pytest.mark.parametrize("report", [True, False])
def test_training_tool_report_stdout_and_column_names(tool, tmp_path, built_lstm, sequences, capsys, report):
    from conftest import train_params

    x, y, _, _ = sequences
    outputs = {"--outfile-result": tmp_path / "metrics.tsv", "--outfile-history": tmp_path / "history.tsv",
               "--outfile-y-preds": tmp_path / "preds.tsv", "--outfile-y-true": tmp_path / "true.tsv",
               "--galaxy-metadata": tmp_path / "galaxy.json"}
    outputs["--outfile-report"] = tmp_path / "report.html"  # as Galaxy gives it; written only when asked for
    capsys.readouterr()
    save = ("save_prediction", "save_report") if report else ("save_prediction",)
    tool("keras_train_and_eval", train_params(save=save), "--estimator", built_lstm,
         "--infile1", x, "--infile2", y, *[str(item) for pair in outputs.items() for item in pair])
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert re.fullmatch(r"final epoch 2/2: loss [0-9.e-]+, acc [0-9.e-]+", lines[0]), lines[0]
    assert re.fullmatch(r"trained: binary_crossentropy, Adam, 2 epochs, batch 16, [0-9]+ rows", lines[1]), lines[1]
    assert re.fullmatch(r"held-out validation \(15 rows\): loss [0-9.e-]+, accuracy [0-9.e-]+, precision [0-9.e-]+, "
                        r"recall [0-9.e-]+, f1 [0-9.e-]+, roc_auc [0-9.e-]+", lines[2]), lines[2]
    assert lines[3].startswith("device: ")
    # Keras' epoch lines follow the outcome on stdout; stderr is for errors only
    assert "Epoch 1/2" in captured.out and captured.out.index("Epoch 1/2") > captured.out.index("device: ")
    assert captured.err == ""
    names = json.loads((tmp_path / "galaxy.json").read_text())
    for option, output in (("--outfile-result", "outfile_result"), ("--outfile-history", "outfile_history"),
                           ("--outfile-y-preds", "outfile_y_preds"), ("--outfile-y-true", "outfile_y_true")):
        header = outputs[option].read_text().splitlines()[0].split("\t")
        assert names[output]["metadata"]["column_names"] == header
    assert (tmp_path / "report.html").exists() == report
    if report:
        page = (tmp_path / "report.html").read_text()
        decodable_pngs(page, 3)
        check_self_contained(page)


def test_too_many_points_for_one_scatter_are_said_not_drawn(monkeypatch):
    from galaxy_keras import regression_plots

    monkeypatch.setattr(regression_plots, "MAX_POINTS", 5)
    predictions = pd.DataFrame({"row": np.arange(1, 7), "dataset": "test", "true": np.arange(6.0),
                                "predicted": np.arange(6.0)})
    page = report_html(history(), scores(("r2",)), predictions, "regressor", None)
    assert "No scatter: 6 held-out rows are more than the 5 one picture shows" in page
    decodable_pngs(page, 1)


def test_prediction_line_counts_every_class_of_the_model_and_sums_values():
    # A model that gives every row one class shows it at once: the other class is counted as 0.
    assert prediction_line(pd.DataFrame({"predicted": [0] * 40}), "predict", "classifier", [0, 1]) == \
        "40 predictions (predict), rows per class: 0: 40, 1: 0"
    assert prediction_line(pd.DataFrame({"predicted": ["pos", "neg", "pos"]}), "predict", "classifier",
                           ["neg", "pos"]) == "3 predictions (predict), rows per class: neg: 1, pos: 2"
    assert prediction_line(pd.DataFrame({"predicted": [1.5, 2.25, 3.0]}), "predict", "regressor") == \
        "3 predictions (predict): values 1.5 to 3, mean 2.25"
    assert prediction_line(pd.DataFrame({"probability_0": [0.2], "probability_1": [0.8]}), "predict_proba",
                           "classifier", [0, 1]) == "1 prediction (predict_proba): a probability for each of 0, 1"
