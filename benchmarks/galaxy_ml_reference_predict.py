"""Galaxy-ML's own predictions for test-data/galaxy_ml_train_test_eval_model02, the reference of the suite's test.

Run by benchmarks/galaxy_ml_reference.sh under galaxy-ml 0.10.0 (Python 3.9, TensorFlow/Keras 2.10,
numpy 1.22.4), the version that wrote the model file. It does what Galaxy-ML's "Model Prediction" tool
does for a regressor: galaxy_ml.model_persist.load_model_from_h5 (which rebuilds the KerasGRegressor
and its Keras 2 model from the file), the features table read with its header row, all columns as a
float matrix, and ``estimator.predict``.

Provenance of the output, test-data/galaxy_ml_train_test_eval_model02_predictions.tsv: one row per
line of test-data/galaxy_ml_regression_X.tabular (after its header), columns ``row`` (1-based) and
``predicted``, each float32 prediction written with 9 significant digits (enough to give the float32
back exactly). The model and table are copies of Galaxy-ML's own test data
(bgruening/galaxytools tools/sklearn/test-data/train_test_eval_model02 and regression_X.tabular,
tools version 1.0.11.2; see test-data/galaxy_ml_README.md). tests/test_galaxy_ml_model_files.py
loads the same model through the suite and compares.

Python 3.9 syntax on purpose: it runs in the galaxy-ml 0.10 environment, not the suite's.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "test-data" / "galaxy_ml_train_test_eval_model02"
FEATURES = ROOT / "test-data" / "galaxy_ml_regression_X.tabular"
OUTPUT = ROOT / "test-data" / "galaxy_ml_train_test_eval_model02_predictions.tsv"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", default=str(OUTPUT), help="where to write the predictions table")
    args = parser.parse_args(argv)

    import numpy as np
    import pandas as pd
    import tensorflow as tf
    from galaxy_ml import __version__ as galaxy_ml_version
    from galaxy_ml.model_persist import load_model_from_h5

    estimator = load_model_from_h5(str(MODEL))
    features = pd.read_csv(FEATURES, sep="\t", header=0)
    predictions = np.asarray(estimator.predict(features.values), dtype=np.float32).reshape(-1)
    with open(args.output, "w") as handle:
        handle.write("row\tpredicted\n")
        for row, value in enumerate(predictions, 1):
            handle.write("%d\t%.9g\n" % (row, value))
    print("%s: %d predictions by galaxy-ml %s, TensorFlow %s, Python %s"
          % (args.output, len(predictions), galaxy_ml_version, tf.__version__, sys.version.split()[0]))


if __name__ == "__main__":
    main()
