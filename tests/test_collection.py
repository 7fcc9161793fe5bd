"""pytest collects every test file, and nothing in the suite can skip.

A folder pytest does not recurse into, or a module that fails to define a
test, drops tests silently: the suite still passes (for 30 tests under
``tests/build/`` it once did, since ``build`` is in pytest's default
``norecursedirs``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SKIPS = re.compile(r"pytest\.(skip|importorskip)\(|mark\.(skip|skipif|xfail)\b|\bunittest\.skip")


def test_every_test_file_is_collected() -> None:
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    collected = {line.split("::", 1)[0] for line in proc.stdout.splitlines() if "::" in line}
    on_disk = {str(p.relative_to(REPO)) for p in (REPO / "tests").rglob("test_*.py")}
    assert collected == on_disk
    assert len(on_disk) > 40


def test_no_test_asks_to_skip() -> None:
    """tests/conftest.py also turns any skip into a failure; this names the line that asked for it."""
    asking = [f"{path.relative_to(REPO)}:{number}: {line.strip()}"
              for path in sorted((REPO / "tests").rglob("*.py")) if path != Path(__file__)
              for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
              if SKIPS.search(line)]
    assert asking == []
