#!/usr/bin/env bash
# Run the suite with every dependency at its floor (the oldest version pyproject.toml allows).
#   scripts/test-floors.sh [pytest arguments]     default: the whole suite, two workers
# The environment lives in .venv-floors/ and is rebuilt whenever the floors change.
# The Debian packages and npm checkers come from `scripts/setup.sh test` (run it first).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${FLOORS_VENV:-.venv-floors}"
PY="$(scripts/python.sh)"

wanted="$(mktemp)"
trap 'rm -f "$wanted"' EXIT
# Read with the main venv's Python (scripts/setup.sh makes it): floors.py needs `packaging`.
MAIN="${MAIN_VENV:-.venv}/bin/python"
if [ ! -x "$MAIN" ]; then
  echo "floors: no $MAIN: run scripts/setup.sh test first" >&2
  exit 2
fi
"$MAIN" scripts/floors.py -o "$wanted"

if ! cmp -s "$wanted" "$VENV/floors.txt" 2>/dev/null; then
  echo "floors: building $VENV with"; sed 's/^/  /' "$wanted"
  "$PY" -m venv --clear "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  # --prefer-binary: an old release's sdist may not build on today's compilers; its wheel does.
  "$VENV/bin/python" -m pip install -q --prefer-binary -c "$wanted" -e '.[test]'
  cp "$wanted" "$VENV/floors.txt"
fi
# What pip resolved for the transitive dependencies, for the log of a failing run.
"$VENV/bin/python" -m pip freeze --exclude-editable > "$VENV/freeze.txt"

if [ "$#" -eq 0 ]; then set -- -n 2 --dist loadgroup; fi
exec "$VENV/bin/python" -m pytest "$@"
