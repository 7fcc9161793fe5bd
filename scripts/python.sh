#!/usr/bin/env bash
# Print the Python that pubkit's virtual environments are made with (.venv/, .venv-floors/).
#   scripts/python.sh                      the choice below
#   PYTHON=/path/to/python3 scripts/python.sh   that one, whatever it is
#   SYSTEM_PYTHON=... scripts/python.sh          another system Python to prefer (the tests' seam)
# The choice: the system's /usr/bin/python3 when it is 3.11 or newer and can make a venv (Debian's
# python3-venv, which scripts/apt-packages.txt lists), else python3 on PATH. Debian builds its
# interpreter with profile-guided optimization and LTO and links it statically; a Python built
# from source with default flags (pyenv's) has neither, and runs pubkit a fifth slower
# (bench/README.md, "Which Python").
set -euo pipefail
if [ -n "${PYTHON:-}" ]; then
  echo "$PYTHON"
  exit 0
fi
usable() { "$1" -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }
for candidate in "${SYSTEM_PYTHON:-/usr/bin/python3}" python3; do
  if found="$(command -v "$candidate")" && usable "$found"; then
    echo "$found"
    exit 0
  fi
done
echo "pubkit: no Python 3.11 or newer that can make a venv; install Debian's python3-venv, or set PYTHON" >&2
exit 1
