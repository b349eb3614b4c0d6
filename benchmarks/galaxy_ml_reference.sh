#!/usr/bin/env bash
# Reference files of Galaxy-ML and Keras 2 for the suite's readers of their model files (unit tests
# tests/test_galaxy_ml_model_files.py and tests/test_hdf5_models.py): galaxy-ml 0.10.0 (the version that
# made ../shared/data/galaxy-ml/, on Keras/TensorFlow 2.10) in its own environment, .venv/galaxy-ml-0.10,
# then, run in it (each script's docstring says what it writes into test-data/):
#   galaxy_ml_reference_predict.py     Galaxy-ML's predictions of galaxy_ml_train_test_eval_model02
#   galaxy_ml_reference_classifier.py  a trained KerasGClassifier and Galaxy-ML's predictions of it
#   galaxy_ml_reference_keras2_h5.py   Keras 2 HDF5 models and Keras 2's predictions of them
#
# galaxy-ml 0.10.0 is an sdist whose setup.py imports numpy and Cython (it builds two Cython extensions)
# and runs "pip install Cython" through the shell when Cython is missing: numpy and Cython go in first,
# the package is built without build isolation, and the environment's bin/ leads PATH so that any pip
# its setup.py runs is the environment's own. numpy 1.22.4 is the version the sample files record.
# Its requirement skrebate>=0.60,<0.70 matches only 0.61 and 0.62, both yanked from PyPI (pip then
# skips them unless pinned exactly; conda, from which Galaxy installs it, still has them): pinned here.
set -euo pipefail
cd "$(dirname "$0")/.."
target=.venv/galaxy-ml-0.10
if ! { [ -x "$target/bin/python" ] && "$target/bin/python" -c "import galaxy_ml" 2>/dev/null; }; then
    python39="$(bash benchmarks/find_python.sh 3.9 2>&1)" || { echo "galaxy-ml 0.10: $python39" >&2; exit 3; }
    "$python39" -m venv "$target"
    export PATH="$PWD/$target/bin:$PATH"
    "$target/bin/pip" install --quiet --upgrade pip
    "$target/bin/pip" install --quiet "numpy==1.22.4" "Cython<3" wheel setuptools
    "$target/bin/pip" install --quiet "skrebate==0.62"
    "$target/bin/pip" install --quiet --no-build-isolation "galaxy-ml==0.10.0"
    echo "galaxy-ml 0.10: installed into $target with $("$target/bin/python" --version)"
fi
for script in galaxy_ml_reference_predict galaxy_ml_reference_classifier galaxy_ml_reference_keras2_h5; do
    TF_CPP_MIN_LOG_LEVEL=3 "$target/bin/python" "benchmarks/$script.py"
done
