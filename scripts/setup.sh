#!/usr/bin/env bash
# Set up a machine for pubkit: Debian packages (as root), then a virtual environment.
#   scripts/setup.sh          runtime only (render the sample content)
#   scripts/setup.sh test     also the test tools: Python test extras, npm checkers
# Idempotent: what is already installed is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-run}"
VENV="${VENV:-.venv}"
export DEBIAN_FRONTEND=noninteractive

mapfile -t wanted < <(scripts/apt-list.sh "$([ "$what" = test ] && echo test || echo run)")
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=($(printf '%s\n' "${missing[@]}" | grep -Ev '^(nodejs|npm)$' || true))
fi
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "apt: installing ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PY="$(scripts/python.sh)"
if [ ! -x "$VENV/bin/python" ]; then
  echo "venv: making $VENV with $PY ($("$PY" --version))"
  "$PY" -m venv "$VENV"
elif [ "$("$VENV/bin/python" -c 'import os, sys; print(os.path.realpath(sys._base_executable))')" \
       != "$("$PY" -c 'import os, sys; print(os.path.realpath(sys.executable))')" ]; then
  # Kept: it may hold more than pubkit. Only a new one gets the faster interpreter.
  echo "venv: note: $VENV was made with another Python than $PY (scripts/python.sh says why);" \
       "remove it and run this again to use that one"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
if [ "$what" = test ]; then
  "$VENV/bin/python" -m pip install -q -e '.[test,bench]'
  # Checkers that come from npm (the Nu HTML checker's jar, axe-core, caniemail, Lighthouse), kept
  # out of the repo; tests/tools/ runs them. Pinned: the tests assert the figures these versions
  # give. Lighthouse stays on 12.x: 13 needs Node 22, Debian 12 has Node 20.
  TOOLS="${PUBKIT_TOOLS:-$HOME/.cache/pubkit-tools}"
  NPM_PINS=(vnu-jar@26.9.27 axe-core@4.14.1 playwright-core@1.65.1 caniemail@1.0.5 lighthouse@12.2.3)
  mkdir -p "$TOOLS"
  [ -f "$TOOLS/package.json" ] || echo '{"name":"pubkit-test-tools","private":true}' > "$TOOLS/package.json"
  for pin in "${NPM_PINS[@]}"; do
    installed="$(node -p "require('$TOOLS/node_modules/${pin%@*}/package.json').version" 2>/dev/null || true)"
    if [ "$installed" != "${pin##*@}" ]; then
      echo "npm: installing ${NPM_PINS[*]} into $TOOLS"
      (cd "$TOOLS" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error \
        "${NPM_PINS[@]}")
      break
    fi
  done
else
  "$VENV/bin/python" -m pip install -q -e .
fi
# An editable install leaves pubkit's modules uncompiled, and where PYTHONDONTWRITEBYTECODE is
# set every command would compile them again (a tenth of a second each time).
"$VENV/bin/python" -m compileall -q src
