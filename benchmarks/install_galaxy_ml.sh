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
python312="${PYTHON312:-$(command -v python3.12 || true)}"
if [ -z "$python312" ] && command -v pyenv >/dev/null; then
    python312="$(pyenv root)/versions/$(pyenv versions --bare | grep -E '^3\.12(\.|$)' | tail -1)/bin/python"
fi
if [ -z "$python312" ] || [ ! -x "$python312" ]; then
    echo "galaxy-ml: no Python 3.12 here (set PYTHON312=/path/to/python3.12)" >&2; exit 3
fi
"$python312" -m venv "$target"
"$target/bin/pip" install --quiet --upgrade pip
"$target/bin/pip" install --quiet galaxy-ml==0.11.0
echo "galaxy-ml: installed into $target with $("$target/bin/python" --version)"
