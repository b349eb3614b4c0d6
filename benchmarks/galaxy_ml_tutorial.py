#!/usr/bin/env python
"""(c) of the benchmark: the tutorial with galaxy-ml 0.11.0's KerasGClassifier (the Galaxy-ML tools' model class).

Runs under the Python 3.12 environment that ``benchmarks/install_galaxy_ml.sh``
makes. Same work as the training tool and bare_keras_tutorial.py: read X and y,
hold out 20% (seeded shuffle), fit the model config written by the model-config
tool with binary cross-entropy, Adam, 2 epochs, batch 128 and no validation split
(as the tutorial workflow; galaxy-ml's own default would take 10%), score the held-out rows, save the fitted estimator the
way galaxy-ml saves it (its HDF5 model file).
"""

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from galaxy_ml.keras_galaxy_models import KerasGClassifier  # noqa: E402
from galaxy_ml.model_persist import dump_model_to_h5  # noqa: E402
from sklearn.model_selection import ShuffleSplit  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True, help="model JSON from keras_model_config")
    parser.add_argument("--x", required=True)
    parser.add_argument("--y", required=True)
    parser.add_argument("--model", required=True, help="where to save the fitted estimator (HDF5)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    x = pd.read_csv(args.x, sep="\t", header=None).to_numpy(np.float32)
    y = pd.read_csv(args.y, sep="\t", header=None).to_numpy(np.float32)[:, 0]
    kept, held = next(ShuffleSplit(n_splits=1, test_size=0.2, random_state=args.seed).split(x))
    with open(args.config) as handle:
        config = json.load(handle)["config"]
    classifier = KerasGClassifier(config, model_type="sequential", optimizer="adam", loss="binary_crossentropy",
                                  metrics=["acc"], learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
                                  amsgrad=False, epochs=args.epochs, batch_size=128, validation_split=0.0,
                                  verbose=2, seed=args.seed)
    classifier.fit(x[kept], y[kept])
    accuracy = float(np.mean(np.ravel(classifier.predict(x[held])) == y[held]))  # predict gives a column
    print(f"held-out accuracy {accuracy:.4f}")
    dump_model_to_h5(classifier, args.model)


if __name__ == "__main__":
    main()
