#!/usr/bin/env bash
# Print the path of a working Python X.Y interpreter (usage: find_python.sh 3.12), or fail with a reason.
# Looks at $PYTHON<XY> (e.g. PYTHON312), then pythonX.Y on PATH, then pyenv's installed versions
# (pyenv shims on PATH do not run unless that version is selected, so each candidate is tried).
set -uo pipefail
version="$1"
variable="PYTHON${version//./}"
candidates=("${!variable:-}" "$(command -v "python$version" || true)")
if command -v pyenv >/dev/null; then
    for installed in $(pyenv versions --bare 2>/dev/null | grep -E "^${version//./\\.}(\.[0-9]+)?$" | sort -V -r); do
        candidates+=("$(pyenv root)/versions/$installed/bin/python")
    done
fi
for candidate in "${candidates[@]}"; do
    if [ -n "$candidate" ] && "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$version'.split('.'))))" 2>/dev/null; then
        echo "$candidate"; exit 0
    fi
done
echo "no Python $version here (set $variable=/path/to/python$version)" >&2
exit 3
