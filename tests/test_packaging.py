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
