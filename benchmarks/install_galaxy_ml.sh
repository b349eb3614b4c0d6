#!/usr/bin/env bash
# The benchmark's (c): galaxy-ml 0.11.0 in its own environment, .venv/galaxy-ml.
# galaxy-ml 0.11.0 declares Python >=3.12,<3.13; this finds a python3.12
# (PYTHON312, then PATH, then pyenv) and says so when there is none.
set -euo pipefail
cd "$(dirname "$0")/.."
target=.venv/galaxy-ml
if [ -x "$target/bin/python" ] && "$target/bin/python" -c "import galaxy_ml" 2>/dev/null; then
    echo "galaxy-ml: $target is ready"; exit 0
fi
python312="$(bash benchmarks/find_python.sh 3.12 2>&1)" || { echo "galaxy-ml: $python312" >&2; exit 3; }
"$python312" -m venv "$target"
"$target/bin/pip" install --quiet --upgrade pip
"$target/bin/pip" install --quiet galaxy-ml==0.11.0
echo "galaxy-ml: installed into $target with $("$target/bin/python" --version)"
