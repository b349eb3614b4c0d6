"""model_prediction takes every input Galaxy-ML 1.0.11's form offers: tables, sparse matrices, and refuses the rest."""

from __future__ import annotations

import json

import pytest
from conftest import TEST_DATA
from galaxy_forms import inputs, problems

CONNECTED = {"__class__": "ConnectedValue"}
ALL = {"selected_column_selector_option": "all_columns", "__current_case__": 4}
# Model Prediction 1.0.11.0 in the GTN CNN (Intro_To_CNN_v1_0_11_0.ga) and FNN (Intro_To_FNN_latest.ga) workflows.
GTN_CNN = json.loads('{"__input_ext": "input", "chromInfo": "/opt/galaxy/tool-data/shared/ucsc/chrom/?.len", '
                     '"infile_estimator": {"__class__": "ConnectedValue"}, "input_options": {"selected_input": '
                     '"tabular", "__current_case__": 0, "infile1": {"__class__": "ConnectedValue"}, "header1": false, '
                     '"column_selector_options_1": {"selected_column_selector_option": "all_columns", '
                     '"__current_case__": 4}}, "method": "predict", "__page__": null, "__rerun_remap_job_id__": null}')
GTN_FNN = json.loads('{"infile_estimator": {"__class__": "RuntimeValue"}, "input_options": {"selected_input": '
                     '"tabular", "__current_case__": 0, "infile1": {"__class__": "RuntimeValue"}, "header1": true, '
                     '"column_selector_options_1": {"selected_column_selector_option": "all_columns", '
                     '"__current_case__": 4}}, "method": "predict", "__page__": 0, "__rerun_remap_job_id__": null}')
GALAXY_ML_INPUTS = {
    "sparse": {"selected_input": "sparse", "__current_case__": 1, "infile1": CONNECTED},
    "seq_fasta": {"selected_input": "seq_fasta", "__current_case__": 2, "fasta_path": CONNECTED,
                  "seq_type": "FastaRNABatchGenerator"},
    "variant_effect": {"selected_input": "variant_effect", "__current_case__": 3, "ref_genome_file": CONNECTED,
                       "blacklist_regions": "hg38", "vcf_file": CONNECTED, "seq_length": "1000",
                       "output_reference": False},
    "by_index": {"selected_input": "tabular", "__current_case__": 0, "infile1": CONNECTED, "header1": True,
                 "column_selector_options_1": {"selected_column_selector_option": "by_index_number",
                                               "__current_case__": 0, "col1": ["1", "2"]}},
}


@pytest.mark.parametrize("state", [GTN_CNN, GTN_FNN], ids=["gtn_cnn", "gtn_fnn"])
def test_gtn_tool_states_import_without_corrections(state):
    assert problems(inputs("model_prediction"), state) == []


@pytest.mark.parametrize("name", GALAXY_ML_INPUTS)
def test_every_galaxy_ml_input_imports_without_corrections(name):
    state = {"infile_estimator": CONNECTED, "method": "predict_proba", "input_options": GALAXY_ML_INPUTS[name]}
    assert problems(inputs("model_prediction"), state) == []


def galaxy_params(name: str) -> dict:
    options = {key: value for key, value in GALAXY_ML_INPUTS[name].items()
               if value is not CONNECTED and not key.startswith("__")}
    return {"method": "predict", "input_options": options}


def test_a_sparse_matrix_predicts_as_its_table(tool, tmp_path):
    sparse, table = tmp_path / "sparse.tsv", tmp_path / "table.tsv"
    tool("model_prediction", galaxy_params("sparse"), "--estimator", TEST_DATA / "tiny_lstm_trained.keras",
         "--sparse", TEST_DATA / "viz_sparse_X_test_sample.mtx", "--outfile-predict", sparse)
    tabular = {"method": "predict", "input_options": {"selected_input": "tabular", "header1": False,
                                                      "column_selector_options_1": {
                                                          "selected_column_selector_option": "all_columns"}}}
    tool("model_prediction", tabular, "--estimator", TEST_DATA / "tiny_lstm_trained.keras", "--infile1",
         TEST_DATA / "imdb_X_test_sample.tsv", "--outfile-predict", table)
    assert sparse.read_text() == table.read_text() and len(sparse.read_text().splitlines()) == 41


@pytest.mark.parametrize("name, why", [
    ("seq_fasta", "sequences in a FASTA file, for Galaxy-ML's sequence models"),
    ("variant_effect", "a reference genome and variant calls, for Galaxy-ML's variant effect models"),
])
def test_galaxy_ml_sequence_inputs_are_refused_naming_the_parameter(tool, tmp_path, name, why):
    out = tmp_path / "p.tsv"
    out.write_text("")
    err = tool.fails("model_prediction", galaxy_params(name), "--estimator", TEST_DATA / "tiny_lstm_trained.keras",
                     "--outfile-predict", out)
    assert err.startswith(f"Error: parameter 'input_options|selected_input' is '{name}': {why}")
    assert not out.exists()


@pytest.mark.parametrize("content, message", [
    ("1\t2\n3\t4\n", "the sparse matrix is not a Matrix Market file"),
    ("%%MatrixMarket matrix coordinate complex general\n2 2 1\n1 1 1.0 2.0\n", "holds complex values"),
    ("%%MatrixMarket matrix coordinate real general\n2 500 1\n1 1 inf\n", "row 1, column 1 is inf, not a finite"),
    ("%%MatrixMarket matrix coordinate real general\n300000 500000 1\n1 1 1\n",
     "(300,000 x 500,000 values, made dense) would need 558.8 GB"),
    ("%%MatrixMarket matrix coordinate real general\nnot numbers\n", "its Matrix Market header cannot be read"),
])
def test_bad_sparse_matrices(tool, tmp_path, content, message):
    path = tmp_path / "m.mtx"
    path.write_text(content)
    err = tool.fails("model_prediction", galaxy_params("sparse"), "--estimator", TEST_DATA / "tiny_lstm_trained.keras",
                     "--sparse", path, "--outfile-predict", tmp_path / "p.tsv")
    assert message in err


def test_a_sparse_matrix_of_the_wrong_width(tool, tmp_path):
    path = tmp_path / "m.mtx"
    path.write_text("%%MatrixMarket matrix coordinate integer general\n2 499 1\n1 1 5\n")
    err = tool.fails("model_prediction", galaxy_params("sparse"), "--estimator", TEST_DATA / "tiny_lstm_trained.keras",
                     "--sparse", path, "--outfile-predict", tmp_path / "p.tsv")
    assert "the sparse matrix has 499 columns, but the model expects 500 per sample" in err


def test_galaxy_imports_galaxy_ml_states_without_a_correction(galaxy_import_reports):
    """Galaxy's own check (no server): nothing dropped, nothing filled in, nothing refused."""
    report = galaxy_import_reports["model_prediction"]  # test-data/viz_prediction_galaxy_ml_states.json
    assert len(report) == 6
    assert {name: entry for name, entry in report.items() if any(entry.values())} == {}
