"""English syllables come from syllapy's shipped list, read without importing syllapy."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pubkit.readability import syllables


def test_the_list_is_syllapys() -> None:
    import syllapy  # type: ignore[import-untyped]

    syllables._known_english.cache_clear()
    try:
        assert syllables._known_english() == {str(w): int(n) for w, n in syllapy.WORD_DICT.items()}
        assert len(syllables._known_english()) > 6000
    finally:
        syllables._known_english.cache_clear()


def test_reading_the_list_does_not_import_syllapy() -> None:
    code = ("import sys; from pubkit.readability.syllables import english; "
            "assert english('ketamine') == 3 and english('people') == 2; "
            "print('syllapy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_a_syllapy_laid_out_otherwise_is_imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def elsewhere(name: str, *args: Any) -> Any:
        if name != "syllapy":
            return real(name, *args)
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = [str(tmp_path)]  # a folder without data.csv
        return spec

    monkeypatch.setattr(importlib.util, "find_spec", elsewhere)
    syllables._known_english.cache_clear()
    try:
        import syllapy

        assert syllables._known_english() == syllapy.WORD_DICT
    finally:
        syllables._known_english.cache_clear()
