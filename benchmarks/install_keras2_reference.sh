#!/usr/bin/env bash
# The 2021 software of the GTN tutorial, for accuracy comparisons: Keras 2.3.1 on TensorFlow 1.15.5
# (what Galaxy-ML 0.8.x pinned), in .venv/keras2. TensorFlow 1.15 needs Python 3.7: this finds one
# (PYTHON37, then PATH, then pyenv) and says so when there is none.
set -euo pipefail
cd "$(dirname "$0")/.."
target=.venv/keras2
if [ -x "$target/bin/python" ] && "$target/bin/python" -c "import keras" 2>/dev/null; then
    echo "keras2 reference: $target is ready"; exit 0
fi
python37="$(bash benchmarks/find_python.sh 3.7 2>&1)" || { echo "keras2 reference: $python37" >&2; exit 3; }
"$python37" -m venv "$target"
"$target/bin/pip" install --quiet --upgrade 'pip<24.1'
# protobuf 4 breaks TensorFlow 1.15's generated code; h5py 3 and numpy 1.19 are too new for Keras 2.3.1.
"$target/bin/pip" install --quiet tensorflow==1.15.5 keras==2.3.1 'h5py<3' 'numpy<1.19' 'protobuf<3.21' pandas
echo "keras2 reference: installed into $target: $("$target/bin/python" -c 'import keras, tensorflow as tf; print("Keras", keras.__version__, "TensorFlow", tf.__version__)' 2>/dev/null | tail -1)"
