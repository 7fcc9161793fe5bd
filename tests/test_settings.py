"""Settings are careless, not trusted: every number has a finite, documented range; folders stay put.

``pubkit.toml`` is written by hand, copied between sites and edited under
pressure.  A value that would break a render later (``render_timeout = inf``
failed every render with ``OverflowError``) or send outputs over the sources
is refused when the file is loaded, naming the key, with exit code 2.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from pubkit.diagnostics import ConfigError
from pubkit.settings import Settings, load_settings
from pubkit.site import open_site

OWNED_ELSEWHERE = ("email", "smtp")
"""Sections whose ranges the sending work sets; every other number is held here."""
GOOD = "---\ntitle: Good\n---\nFine text.\n"


def numbers(model: type[BaseModel] = Settings, prefix: str = "") -> dict[str, Any]:
    """Every int and float setting, by dotted key, with its field."""
    found: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        key = prefix + name
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            if name not in OWNED_ELSEWHERE:
                found |= numbers(field.annotation, key + ".")
        elif field.annotation in (int, float):
            found[key] = field
    return found


def bounds(field: Any) -> tuple[float | None, float | None]:
    low = high = None
    for rule in field.metadata:
        low = getattr(rule, "ge", None) if getattr(rule, "ge", None) is not None else low
        low = getattr(rule, "gt", None) if getattr(rule, "gt", None) is not None else low
        high = getattr(rule, "le", None) if getattr(rule, "le", None) is not None else high
        high = getattr(rule, "lt", None) if getattr(rule, "lt", None) is not None else high
    return low, high


def load(tmp_path: Path, toml: str) -> Settings:
    path = tmp_path / "pubkit.toml"
    path.write_text(textwrap.dedent(toml), encoding="utf-8")
    return load_settings(path)


def toml_line(key: str, value: str) -> str:
    section, _, name = key.rpartition(".")
    return f"[{section}]\n{name} = {value}\n" if section else f"{name} = {value}\n"


def test_every_number_has_a_finite_range_stated_in_its_description() -> None:
    found = numbers()
    assert {"render_timeout", "toc_min_headings", "pdf.image_dpi", "build.jobs"} <= set(found)
    for key, field in found.items():
        low, high = bounds(field)
        assert low is not None and high is not None, f"{key} has no range"
        assert math.isfinite(low) and math.isfinite(high), key
        assert f"{high:g}" in (field.description or ""), f"{key}: range not in its description"


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "+nan", "1e300", "-1", "1e400",
                                   "123456789012345678901234567890", '"sixty"', "[1]", "{a = 1}"])
def test_hostile_numbers_are_refused_at_load_naming_the_key(tmp_path: Path, value: str) -> None:
    for key in numbers():
        with pytest.raises(ConfigError) as err:
            load(tmp_path, toml_line(key, value))
        message = str(err.value)
        assert f"setting '{key}'" in message, (key, value, message)
        assert "\n" not in message.strip() and "Traceback" not in message


def test_the_edges_of_each_range(tmp_path: Path) -> None:
    for key, field in numbers().items():
        low, high = bounds(field)
        assert low is not None and high is not None
        kind = field.annotation
        load(tmp_path, toml_line(key, repr(kind(high))))  # the top is allowed
        over = high + 1 if kind is int else high * 1.001
        with pytest.raises(ConfigError, match=f"setting '{key}'"):
            load(tmp_path, toml_line(key, repr(kind(over))))
        under = low - 1 if kind is int else (low if low == 0 and key == "render_timeout" else low - 1)
        with pytest.raises(ConfigError, match=f"setting '{key}'"):
            load(tmp_path, toml_line(key, repr(kind(under))))


@pytest.mark.parametrize("margin, ok", [
    ("16mm", True), ("50mm", True), ("5cm", True), ("0.5in", True), ("0mm", True),
    ("51mm", False), ("5.1cm", False), ("2in", False), ("200pt", False), ("1e9mm", False),
    ("99999999999999999999mm", False), ("16 mm", False), ("-1mm", False), ("16", False),
    ("infmm", False), ("nanmm", False),
])
def test_page_margins_are_bounded(tmp_path: Path, margin: str, ok: bool) -> None:
    toml = f'[pdf]\nmargin = "{margin}"\n'
    if ok:
        assert load(tmp_path, toml).pdf.margin == margin
    else:
        with pytest.raises(ConfigError, match=r"setting 'pdf\.margin'"):
            load(tmp_path, toml)


@pytest.mark.parametrize("value, words", [
    ('"/etc"', "relative"), ('"~/site"', "relative"), ('"C:/site"', "relative"),
    ('"../elsewhere"', "no '..'"), ('"content/../../x"', "no '..'"), ('"a/./../.."', "no '..'"),
    ('""', "a folder name"), ('"   "', "a folder name"), ('"."', "not the site folder"),
    ('"./"', "not the site folder"), ('"a\\\\b"', "backslashes"), ('"out\\nput"', "control"),
    ('"out\\u0000put"', "control"),
])
@pytest.mark.parametrize("key", ["content_dir", "output_dir", "asset_dirs"])
def test_folder_settings_stay_inside_the_site(tmp_path: Path, key: str, value: str, words: str) -> None:
    line = f"{key} = [{value}]\n" if key == "asset_dirs" else f"{key} = {value}\n"
    with pytest.raises(ConfigError) as err:
        load(tmp_path, line)
    assert f"setting '{key}" in str(err.value) and words in str(err.value), str(err.value)


def test_folder_settings_are_tidied(tmp_path: Path) -> None:
    settings = load(tmp_path, 'content_dir = "./articles/"\nasset_dirs = ["media//shared/."]\n')
    assert settings.content_dir == "articles" and settings.asset_dirs == ["media/shared"]


def _site(tmp_path: Path, toml: str, folders: tuple[str, ...] = ("content",)) -> Path:
    root = tmp_path / "site"
    root.mkdir(exist_ok=True)
    for folder in folders:
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "pubkit.toml").write_text(textwrap.dedent(toml), encoding="utf-8")
    return root


@pytest.mark.parametrize("toml, words", [
    ('output_dir = "content"\n', "inside the site's content_dir"),
    ('output_dir = "content/public"\n', "inside the site's content_dir"),
    ('output_dir = "templates/out"\n', "inside the site's templates"),
    ('output_dir = "newsletters"\n', "inside the site's newsletters"),
    ('output_dir = "assets/build"\n', "inside the site's asset_dirs"),
    ('content_dir = "build/articles"\noutput_dir = "build"\n', "holds the site's content_dir"),
    ('asset_dirs = ["public/img"]\noutput_dir = "public"\n', "holds the site's asset_dirs"),
    ('asset_dirs = ["pub"]\noutput_dir = "pub"\n', "inside the site's asset_dirs"),
])
def test_the_output_folder_may_not_be_hold_or_sit_in_the_sources(tmp_path: Path, toml: str,
                                                                   words: str) -> None:
    root = _site(tmp_path, toml)
    with pytest.raises(ConfigError) as err:
        open_site(root)
    assert "setting 'output_dir'" in str(err.value) and words in str(err.value), str(err.value)


def test_symlinks_cannot_smuggle_the_output_onto_the_sources_or_out_of_the_site(tmp_path: Path) -> None:
    root = _site(tmp_path, 'output_dir = "public"\n')
    (root / "public").symlink_to(root / "content")
    with pytest.raises(ConfigError, match="inside the site's content_dir"):
        open_site(root)
    (root / "public").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "public").symlink_to(elsewhere)
    with pytest.raises(ConfigError, match="leads outside the site"):
        open_site(root)
    (root / "public").unlink()
    (root / "public").symlink_to(root)
    with pytest.raises(ConfigError, match="setting 'output_dir'"):
        open_site(root)


def test_articles_and_assets_cannot_reach_the_settings_or_the_ledger(tmp_path: Path) -> None:
    root = _site(tmp_path, 'asset_dirs = ["shared"]\n')
    (root / "shared").symlink_to(root)  # an asset folder that is the whole site
    with pytest.raises(ConfigError, match=r"setting 'asset_dirs'.*pubkit\.toml"):
        open_site(root)
    (root / "shared").unlink()
    (root / ".pubkit").mkdir()
    (root / "shared").symlink_to(root / ".pubkit")
    with pytest.raises(ConfigError, match=r"setting 'asset_dirs'.*\.pubkit"):
        open_site(root)


def test_the_command_line_refuses_bad_settings_and_outputs_with_exit_code_2(tmp_path: Path) -> None:
    root = _site(tmp_path, "render_timeout = inf\n")
    (root / "content" / "good.md").write_text(GOOD)
    env = {**os.environ, "COLUMNS": "200"}

    def pubkit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pubkit", *args, "--site", str(root)], env=env,
                              capture_output=True, text=True, timeout=120)

    proc = pubkit("render", "--html")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (f"pubkit: {root}/pubkit.toml: setting 'render_timeout': "
                                   "Input should be a finite number")
    (root / "pubkit.toml").write_text("render_timeout = 30\n")
    proc = pubkit("render", "--html", "--output", str(root / "content"))
    assert proc.returncode == 2 and "inside the site's content_dir" in proc.stderr
    assert not (root / "content" / "html").exists()
    outside = tmp_path / "outside"
    proc = pubkit("render", "--html", "--output", str(outside))  # anywhere else is the user's call
    assert proc.returncode == 0, proc.stderr
    assert (outside / "html" / "good.html").is_file()
