"""Every dependency has a floor, and scripts/floors.py pins each one to it for `make test-floors`."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "floors.py"


def _floors(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=60, cwd=REPO)


def _project() -> dict[str, object]:
    project: dict[str, object] = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return project


def _groups() -> dict[str, list[Requirement]]:
    project = _project()
    groups = {"runtime": [Requirement(r) for r in project["dependencies"]]}  # type: ignore[attr-defined]
    for name, reqs in project["optional-dependencies"].items():  # type: ignore[attr-defined]
        groups[name] = [Requirement(r) for r in reqs]
    return groups


def test_every_dependency_has_a_floor() -> None:
    unbounded = [f"{group}: {req}" for group, reqs in _groups().items() for req in reqs
                 if not any(s.operator in (">=", "==") for s in req.specifier)]
    assert not unbounded, unbounded


def test_floors_pins_every_runtime_and_test_dependency_to_its_floor() -> None:
    done = _floors()
    assert done.returncode == 0, done.stderr
    pins: dict[str, Version] = {}
    for line in done.stdout.splitlines():
        name, sep, version = line.partition("==")
        assert sep and name and version and "[" not in name, line  # pip refuses extras in constraints
        assert canonicalize_name(name) not in pins, f"{name} pinned twice"
        pins[canonicalize_name(name)] = Version(version)
    groups = _groups()
    wanted: dict[str, Version] = {}
    for req in groups["runtime"] + groups["test"]:
        low = max(Version(s.version) for s in req.specifier if s.operator in (">=", "=="))
        key = canonicalize_name(req.name)
        wanted[key] = max(low, wanted.get(key, low))
    assert pins == wanted
    assert pins["weasyprint"] >= Version("68")  # the PDF renderer's URLFetcher API


def test_floors_refuses_a_dependency_without_one(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\ndependencies = ["Jinja2>=3.1.6", "rich"]\n'
                         '[project.optional-dependencies]\ntest = ["pytest>=8"]\n')
    done = _floors("--pyproject", str(pyproject))
    assert done.returncode == 1
    assert "rich: no floor" in done.stderr and not done.stdout


def test_floors_drops_extras_and_keeps_the_highest_of_two_floors(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    out = tmp_path / "floors.txt"
    pyproject.write_text('[project]\nname = "x"\n'
                         'dependencies = ["dask[distributed]>=2024.1", "ruff==0.17.6"]\n'
                         '[project.optional-dependencies]\ntest = ["Dask>=2024.8.0", "pytest>=8,<10"]\n'
                         'bench = ["matplotlib>=3.8"]\n')
    done = _floors("--pyproject", str(pyproject), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_text() == "dask==2024.8.0\nruff==0.17.6\npytest==8\n"
    done = _floors("--pyproject", str(pyproject), "--extra", "bench")
    assert done.stdout == "dask==2024.1\nruff==0.17.6\nmatplotlib==3.8\n"
