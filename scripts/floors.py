#!/usr/bin/env python3
"""Write a pip constraints file that pins every dependency to its floor.

pyproject.toml states each dependency as ``name>=X``: X is the oldest release
the code works with.  ``scripts/test-floors.sh`` installs pubkit with these
``name==X`` constraints and runs the suite, so a floor that is no longer true
fails CI instead of a user's installation.

    python scripts/floors.py                 # runtime and test extra, to stdout
    python scripts/floors.py -o floors.txt   # to a file
    python scripts/floors.py --extra bench   # other extras too (repeatable)

A dependency without a floor (no ``>=`` or ``==``) is an error: its oldest
installable release is never tested.  Exact pins (``==``) are kept as they are.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent


class NoFloor(ValueError):
    """A requirement states no lowest version."""


def floor(req: Requirement) -> Version:
    """The lowest version ``req`` allows: its ``>=`` (or ``==``) bound."""
    found = [Version(s.version) for s in req.specifier if s.operator in (">=", "==")]
    if not found:
        raise NoFloor(f"{req}: no floor (write {req.name}>=X with the oldest release that works)")
    return max(found)


def requirements(pyproject: Path, extras: list[str]) -> list[Requirement]:
    """The runtime dependencies and those of ``extras``, in the file's order."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    out = [Requirement(r) for r in project.get("dependencies", [])]
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        if extra not in optional:
            raise KeyError(f"{pyproject}: no optional-dependencies group {extra!r}")
        out += [Requirement(r) for r in optional[extra]]
    return out


def constraints(pyproject: Path, extras: list[str]) -> list[str]:
    """``name==floor`` lines, one per distribution (the highest floor if it is named twice).

    Constraints carry no extras (pip refuses them): ``dask[distributed]>=X`` pins ``dask``,
    and the extra's own packages follow from it.
    """
    pins: dict[str, tuple[str, Version]] = {}
    for req in requirements(pyproject, extras):
        if req.marker is not None and not req.marker.evaluate():
            continue
        key = canonicalize_name(req.name)
        version = floor(req)
        if key not in pins:
            pins[key] = (req.name, version)
        elif version > pins[key][1]:
            pins[key] = (pins[key][0], version)
    return [f"{name}=={version}" for name, version in pins.values()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pyproject", type=Path, default=REPO / "pyproject.toml")
    ap.add_argument("--extra", action="append", default=None,
                    help="optional-dependencies group to include (default: test)")
    ap.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    args = ap.parse_args(argv)
    try:
        lines = constraints(args.pyproject, args.extra if args.extra is not None else ["test"])
    except (NoFloor, KeyError, OSError, tomllib.TOMLDecodeError) as exc:
        print(f"floors: {exc}", file=sys.stderr)
        return 1
    text = "".join(line + "\n" for line in lines)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
