"""Crash safety: a build killed with SIGKILL at random moments never leaves a bad output."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.batch.conftest import FAST, build, output_tree, run_cli
from tests.batch.sitegen import generate_site

ARTICLES = 50
KILLS = 15
EDIT = ("Rest and ice", "Rest, ice and elevation")


def _set_variant(root: Path, i: int, variant: int) -> None:
    path = root / "content" / f"article-{i:04d}.md"
    text = path.read_text(encoding="utf-8")
    old, new = EDIT if variant else EDIT[::-1]
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.slow
def test_sigkill_at_random_moments_then_rerun_gives_complete_correct_outputs(
    tmp_path: Path,
) -> None:
    # Reference outputs of every article in both of its versions, from clean builds.
    refs = []
    for variant in (0, 1):
        ref = generate_site(tmp_path / f"ref{variant}", ARTICLES)
        for i in range(ARTICLES - 1):
            _set_variant(ref, i, variant)
        build(ref, formats=FAST)
        refs.append(output_tree(ref / "output"))
    assert refs[0] != refs[1]

    root = generate_site(tmp_path / "site", ARTICLES)
    build(root, formats=FAST)
    variants = [0] * (ARTICLES - 1)
    rng = random.Random(20240611)
    args = [sys.executable, "-m", "pubkit", "build", "--site", str(root), "--jobs", "2",
            *(a for f in FAST for a in ("-f", f))]
    start = time.perf_counter()
    assert run_cli(*args[3:], "--force").returncode == 0
    full = time.perf_counter() - start  # the kills land within a forced build's duration
    killed_mid_build = 0
    for round_ in range(KILLS):
        for i in rng.sample(range(ARTICLES - 1), rng.randint(5, 25)):
            variants[i] ^= 1
            _set_variant(root, i, variants[i])
        victim = subprocess.Popen(args + (["--force"] if round_ % 3 else []),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        time.sleep(rng.uniform(0.1, 0.9) * full)
        if victim.poll() is None:
            killed_mid_build += 1
            os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(victim.pid, signal.SIGKILL)  # its orphaned workers, if any

        rerun = run_cli(*args[3:])
        assert rerun.returncode == 0, rerun.stderr
        tree = output_tree(root / "output")
        expected = {}
        for name in tree:
            slug = Path(name).stem
            variant = variants[int(slug[-4:])] if slug.startswith("article-") else 0
            expected[name] = refs[variant].get(name)
        assert tree == expected, f"round {round_}: outputs differ from the clean builds"
        assert set(tree) == set(refs[0]), f"round {round_}: missing or extra outputs"
        assert not [p for p in (root / "output").rglob("*.tmp")], "temporary files left"
    assert killed_mid_build >= KILLS // 2, "the kills should mostly land during a build"
    assert run_cli(*args[3:]).stdout.startswith(f"0 built, {ARTICLES * len(FAST)} up to date")
