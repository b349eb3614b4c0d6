"""Model Prediction gives Galaxy the column names of its table (galaxy.json), as its header row has them."""

from __future__ import annotations

import json

import pytest

from conftest import ALL_COLUMNS, TEST_DATA


@pytest.mark.parametrize("method, header", [("predict", ["predicted"]),
                                            ("predict_proba", ["probability_0", "probability_1"])])
def test_prediction_column_names(tool, tmp_path, method, header):
    predictions, metadata = tmp_path / "predictions.tsv", tmp_path / "galaxy.json"
    tool("model_prediction", {"method": method, "input_options": {
        "selected_input": "tabular", "header1": False, "column_selector_options_1": ALL_COLUMNS}},
         "--estimator", TEST_DATA / "tiny_lstm_trained.keras", "--infile1", TEST_DATA / "imdb_X_test_sample.tsv",
         "--outfile-predict", predictions, "--galaxy-metadata", metadata)
    assert predictions.read_text().splitlines()[0].split("\t") == header
    assert json.loads(metadata.read_text()) == {"outfile_predict": {"metadata": {"column_names": header}}}


def test_no_column_names_file_unless_asked(tool, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tool("model_prediction", {"method": "predict", "input_options": {
        "selected_input": "tabular", "header1": False, "column_selector_options_1": ALL_COLUMNS}},
         "--estimator", TEST_DATA / "tiny_lstm_trained.keras", "--infile1", TEST_DATA / "imdb_X_test_sample.tsv",
         "--outfile-predict", tmp_path / "predictions.tsv")
    assert not (tmp_path / "galaxy.json").exists()
