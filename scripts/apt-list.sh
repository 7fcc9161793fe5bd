#!/usr/bin/env bash
# The Debian packages of scripts/apt-packages.txt that a set-up needs, one per line:
#   scripts/apt-list.sh run    what rendering needs (everything above the [test] line)
#   scripts/apt-list.sh test   that, and what the tests add
set -euo pipefail
list="$(dirname "$0")/apt-packages.txt"
case "${1:-run}" in
  test) grep -Ev '^\s*(#|$|\[test\])' "$list" ;;
  run) sed '/^\[test\]/,$d' "$list" | grep -Ev '^\s*(#|$)' ;;
  *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac
