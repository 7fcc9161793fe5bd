"""The wheel carries the templates, and an installed pubkit finds them inside itself."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hatchling.builders.wheel import WheelBuilder

    out = tmp_path_factory.mktemp("dist")
    (built,) = list(WheelBuilder(str(REPO)).build(directory=str(out), versions=["standard"]))
    return Path(built)


def test_wheel_contains_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("pubkit/templates/html/page.html.j2", "pubkit/templates/html/style.css",
                     "pubkit/templates/init/pubkit.toml", "pubkit/cli/app.py",
                     "pubkit/readability/words/en.toml", "pubkit/readability/words/es.toml",
                     "pubkit/templates/locale/es/LC_MESSAGES/pubkit.po",
                     "pubkit/templates/pdf/large-print.css",
                     "pubkit/templates/preview/dashboard.html.j2"):
        assert required in names, required
    assert not [n for n in names if n.startswith(("tests/", "content/", "output/"))]


def test_installed_wheel_renders_with_its_own_templates(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site-packages"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), str(wheel)], check=True, capture_output=True, timeout=300)
    code = (
        "import pubkit.theme as t, pathlib; p = t.builtin_templates();"
        "print(p); assert (p / 'html' / 'page.html.j2').is_file()"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stderr
    assert Path(out.stdout.strip()).is_relative_to(target)


def test_make_sample_installs_only_what_rendering_needs() -> None:
    run = subprocess.run([str(REPO / "scripts" / "apt-list.sh"), "run"], capture_output=True,
                         text=True, check=True).stdout.split()
    test = subprocess.run([str(REPO / "scripts" / "apt-list.sh"), "test"], capture_output=True,
                          text=True, check=True).stdout.split()
    assert "libpango-1.0-0" in run and "fonts-noto-core" in run
    for tool in ("libreoffice-writer-nogui", "chromium", "default-jre-headless", "qpdf", "nodejs"):
        assert tool not in run and tool in test, tool
    assert set(run) < set(test)


def _choose(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(REPO / "scripts" / "python.sh")], env={"PATH": os.environ["PATH"], **env},
                          capture_output=True, text=True, timeout=60)


def test_venvs_are_made_with_the_system_python() -> None:
    """Debian's /usr/bin/python3 (PGO, LTO, static) runs pubkit a fifth faster than pyenv's build."""
    chosen = _choose({})
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout.strip() == "/usr/bin/python3"
    probe = "import sys, ensurepip, venv; print(sys.version_info >= (3, 11))"
    assert subprocess.run([chosen.stdout.strip(), "-c", probe], capture_output=True, text=True,
                          timeout=60).stdout.strip() == "True"


def test_python_setting_wins() -> None:
    assert _choose({"PYTHON": "/opt/elsewhere/python3"}).stdout.strip() == "/opt/elsewhere/python3"


def test_a_system_python_that_cannot_serve_is_passed_over(tmp_path: Path) -> None:
    old = tmp_path / "python3.10"
    old.write_text("#!/bin/sh\nexit 1\n")  # what an older Python, or one without venv, answers
    old.chmod(0o755)
    on_path = subprocess.run(["sh", "-c", "command -v python3"], capture_output=True,
                             text=True).stdout.strip()
    for system in (str(old), str(tmp_path / "absent")):
        chosen = _choose({"SYSTEM_PYTHON": system})
        assert chosen.returncode == 0, chosen.stderr
        assert chosen.stdout.strip() == on_path


def test_no_usable_python_is_named(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "env"):
        (bin_dir / tool).symlink_to(subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True,
                                                   text=True).stdout.strip())
    chosen = subprocess.run([str(REPO / "scripts" / "python.sh")], capture_output=True, text=True, timeout=60,
                            env={"PATH": str(bin_dir), "SYSTEM_PYTHON": str(tmp_path / "absent")})
    assert chosen.returncode == 1
    assert "python3-venv" in chosen.stderr and chosen.stdout == ""
