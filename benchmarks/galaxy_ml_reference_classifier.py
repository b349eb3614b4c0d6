"""A trained Galaxy-ML classifier and Galaxy-ML's predictions of it.

The Galaxy-ML test data has no trained KerasGClassifier, so this makes one with galaxy-ml 0.10.0 itself
(run by benchmarks/galaxy_ml_reference.sh in .venv/galaxy-ml-0.10: Python 3.9, TensorFlow/Keras 2.10):
a KerasGClassifier of a Sequential model (Dense 6 relu, Dense 3 softmax) with the categorical
cross-entropy loss, Adam (learning_rate 0.01), the metric acc, 5 epochs of batch 8, seed 0, no
validation split and an EarlyStopping callback on the loss, as Galaxy-ML's builder form writes them;
fitted on 36 seeded random rows of 4 numbers labelled 3, 5 or 7; saved with
galaxy_ml.model_persist.dump_model_to_h5 as Galaxy-ML's tools save a model. (Text labels cannot be
used: galaxy-ml 0.10 fails to save a classifier whose ``classes_`` are text, as h5py stores no numpy
unicode array and its fallback, ``warnings.warn(exception)``, raises a TypeError.) It writes, into
test-data/:

* galaxy_ml_classifier_X.tsv: 6 rows of 4 numbers (no header), the samples predicted.
* galaxy_ml_classifier_trained: the h5mlm model file.
* galaxy_ml_classifier_predictions.tsv: columns ``row``, ``predicted`` (``estimator.predict``: the class
  label) and ``probability_<label>`` for each label in the estimator's ``classes_`` order
  (``estimator.predict_proba``, 9 significant digits).

Python 3.9 syntax on purpose: it runs in the galaxy-ml 0.10 environment, not the suite's.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "test-data"


def main():
    import numpy as np
    import tensorflow as tf
    from galaxy_ml.keras_galaxy_models import KerasGClassifier
    from galaxy_ml.model_persist import dump_model_to_h5
    from tensorflow import keras

    rng = np.random.default_rng(0)
    x_train = rng.normal(size=(36, 4)).astype("float32")
    labels = np.array([3, 5, 7])[np.digitize(x_train[:, 0] + x_train[:, 1], [-0.5, 0.5])]
    x = rng.normal(size=(6, 4)).astype("float32")

    model = keras.Sequential([keras.layers.InputLayer(input_shape=(4,)), keras.layers.Dense(6, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    early = {"callback_selection": {"callback_type": "EarlyStopping", "monitor": "loss", "mode": "auto",
                                    "min_delta": 0.0, "patience": 2, "baseline": None,
                                    "restore_best_weights": False}}
    estimator = KerasGClassifier(config=model.get_config(), model_type="sequential", optimizer="adam",
                                 loss="categorical_crossentropy", metrics=["acc"], learning_rate=0.01, epochs=5,
                                 batch_size=8, validation_split=0.0, seed=0, callbacks=[early], verbose=0)
    estimator.fit(x_train, labels)
    dump_model_to_h5(estimator, str(OUT / "galaxy_ml_classifier_trained"))

    with open(OUT / "galaxy_ml_classifier_X.tsv", "w") as handle:
        for row in x:
            handle.write("\t".join("%.6f" % value for value in row) + "\n")
    x = np.loadtxt(OUT / "galaxy_ml_classifier_X.tsv", delimiter="\t", dtype="float32")  # as written
    predicted = estimator.predict(x)
    probabilities = estimator.predict_proba(x)
    classes = [str(label) for label in estimator.classes_]
    with open(OUT / "galaxy_ml_classifier_predictions.tsv", "w") as handle:
        handle.write("\t".join(["row", "predicted"] + ["probability_%s" % label for label in classes]) + "\n")
        for row, (label, probs) in enumerate(zip(predicted, probabilities), 1):
            handle.write("\t".join(["%d" % row, str(label)] + ["%.9g" % p for p in probs]) + "\n")
    print("test-data/galaxy_ml_classifier_*: written by galaxy-ml with TensorFlow %s; classes %s"
          % (tf.__version__, classes))


if __name__ == "__main__":
    main()
