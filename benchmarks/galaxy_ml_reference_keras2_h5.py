"""Keras 2 HDF5 models and their Keras 2 predictions, the reference of tests/test_hdf5_models.py.

Run under the galaxy-ml 0.10 environment (benchmarks/galaxy_ml_reference.sh makes it; TensorFlow and
Keras 2.10, Python 3.9), from the repository root:

    .venv/galaxy-ml-0.10/bin/python benchmarks/galaxy_ml_reference_keras2_h5.py

It writes, into test-data/:

* hdf5_keras2_X.tsv: 8 rows of 4 numbers (no header), the samples both models predict.
* hdf5_keras2_dense.h5: a Sequential classifier (Dense, BatchNormalization, Dropout, Dense with a
  sigmoid), compiled with Adam and binary cross-entropy, trained 3 epochs on 40 seeded random rows,
  saved by Keras 2's ``model.save(..., save_format="h5")``.
* hdf5_keras2_lstm.h5: a functional regressor (Embedding, LSTM, Dense) reading the same columns as
  word indices (the values are cast to whole numbers 0..9), compiled with RMSprop and mean squared
  error, trained 2 epochs, saved the same way.
* hdf5_keras2_predictions.tsv: columns ``row``, ``dense`` and ``lstm``: Keras 2.10's predictions of the
  two models for hdf5_keras2_X.tsv (9 significant digits, enough to give each float32 back).

Python 3.9 syntax on purpose: it runs in the galaxy-ml 0.10 environment, not the suite's.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "test-data"


def main():
    import numpy as np
    import tensorflow as tf
    from tensorflow import keras

    tf.random.set_seed(7)
    rng = np.random.default_rng(7)
    x_train = rng.integers(0, 10, size=(40, 4)).astype("float32")
    y_class = (x_train.sum(axis=1) > 18).astype("float32")
    y_value = x_train.mean(axis=1)
    x = rng.integers(0, 10, size=(8, 4)).astype("float32")

    dense = keras.Sequential([keras.layers.InputLayer(input_shape=(4,)), keras.layers.Dense(5, activation="relu"),
                              keras.layers.BatchNormalization(), keras.layers.Dropout(0.2),
                              keras.layers.Dense(1, activation="sigmoid")])
    dense.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy", metrics=["acc"])
    dense.fit(x_train, y_class, epochs=3, batch_size=8, verbose=0)
    dense.save(str(OUT / "hdf5_keras2_dense.h5"), save_format="h5")

    inputs = keras.Input(shape=(4,))
    hidden = keras.layers.LSTM(3)(keras.layers.Embedding(10, 2)(inputs))
    lstm = keras.Model(inputs, keras.layers.Dense(1)(hidden))
    lstm.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01), loss="mean_squared_error")
    lstm.fit(x_train, y_value, epochs=2, batch_size=8, verbose=0)
    lstm.save(str(OUT / "hdf5_keras2_lstm.h5"), save_format="h5")

    with open(OUT / "hdf5_keras2_X.tsv", "w") as handle:
        for row in x:
            handle.write("\t".join("%d" % value for value in row) + "\n")
    dense_scores = dense.predict(x, verbose=0)[:, 0]
    lstm_scores = lstm.predict(x, verbose=0)[:, 0]
    with open(OUT / "hdf5_keras2_predictions.tsv", "w") as handle:
        handle.write("row\tdense\tlstm\n")
        for row, (first, second) in enumerate(zip(dense_scores, lstm_scores), 1):
            handle.write("%d\t%.9g\t%.9g\n" % (row, first, second))
    print("test-data/hdf5_keras2_*: written by Keras %s (TensorFlow %s)" % (keras.__version__, tf.__version__))


if __name__ == "__main__":
    main()
