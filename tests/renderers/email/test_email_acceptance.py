"""Real mail-client data and the Nu HTML checker on newsletter and article emails.

Runs the shared acceptance checker (caniemail data for Gmail web, Outlook for
Windows and Apple Mail; vnu.jar) over the sample newsletter, the sample
article's email and an article using every construct.  Skipped only when the
checker is not installed (``bash ../shared/acceptance/setup.sh``).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from pubkit.cli import app
from tests.conftest import SHARED

CHECKER = SHARED / "acceptance" / "check.py"
ACC_PYTHON = Path(os.environ.get("ACC_HOME", "/tmp/pubkit-acceptance")) / "venv" / "bin" / "python"
# scripts/setup.sh test installs the same npm checkers here (used when the shared venv is absent).
TOOLS = Path(os.environ.get("PUBKIT_TOOLS", Path.home() / ".cache" / "pubkit-tools"))
CLIENTS = ("gmail.desktop-webmail", "outlook.windows", "apple-mail.macos")

EVERYTHING = """\
---
title: Everything in one email
summary: Every construct an article may hold.
image: lead.png
image_alt: A red square
---
A paragraph with *emphasis*, **strong**, ~~struck~~, `code` and a [link](https://example.org).

![A chart](chart.png "Chart")

## Lists

1. First
2. Second
   - nested

> A quotation
> over two lines.

```python
print("hello")
```

| Left | Right |
|:--|--:|
| a | 1 |

---

A note.[^n]

[^n]: The footnote text.
"""


def _png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (180, 20, 20)).save(buf, "PNG")
    return buf.getvalue()


def _checker() -> tuple[str, dict[str, str]] | None:
    """The Python to run the checker with, and its environment; None when it is absent."""
    if not CHECKER.is_file():
        return None
    if ACC_PYTHON.is_file():
        return str(ACC_PYTHON), dict(os.environ)
    if (TOOLS / "node_modules" / "caniemail" / "package.json").is_file():
        return sys.executable, {**os.environ, "ACC_NODE_DIR": str(TOOLS)}
    return None


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    command = _checker()
    if command is None:
        pytest.skip("acceptance checker not installed (run ../shared/acceptance/setup.sh)")
    python, env = command
    root = tmp_path_factory.mktemp("acceptance") / "site"
    repo = Path(__file__).resolve().parents[3]
    shutil.copytree(repo / "content", root / "content")
    shutil.copytree(repo / "newsletters", root / "newsletters")
    shutil.copy(repo / "pubkit.toml", root / "pubkit.toml")
    (root / "content" / "everything.md").write_text(EVERYTHING, encoding="utf-8")
    (root / "content" / "chart.png").write_bytes(_png(800, 400))
    (root / "content" / "lead.png").write_bytes(_png(1200, 600))
    (root / "newsletters" / "all.md").write_text(
        "---\nsubject: \"{{ first_name | default('Hello') }}: two articles\"\n"
        "preheader: Two articles this month\nlatest: 2\n---\n"
        "Hi {{ first_name | default('there') }}, a [link](https://example.org) and a list:\n\n"
        "- one\n- two\n", encoding="utf-8")
    runner = CliRunner()
    for args in (["render", "--email"], ["newsletter", str(root / "newsletters/sample.md")],
                 ["newsletter", str(root / "newsletters/all.md")]):
        result = runner.invoke(app, [*args, "--site", str(root)])
        assert result.exit_code == 0, result.output
    out = root / "output"
    json_path = root / "report.json"
    subprocess.run([python, str(CHECKER), str(out), "--skip", "axe,soffice",
                    "--json", str(json_path)], check=True, capture_output=True, timeout=600,
                   env=env)
    data = json.loads(json_path.read_text())
    return {r["file"]: r for r in data["files"]}


def test_every_output_was_checked(report: dict[str, dict]) -> None:
    assert sorted(report) == sorted([
        "email/everything.eml", "email/everything.html",
        "email/ketamine-pain-management.eml", "email/ketamine-pain-management.html",
        "email/es/ketamina-manejo-del-dolor.eml", "email/es/ketamina-manejo-del-dolor.html",
        "newsletters/all/newsletter.eml", "newsletters/all/newsletter.html",
        "newsletters/sample/newsletter.eml", "newsletters/sample/newsletter.html",
    ])


def test_nu_html_checker_finds_no_errors(report: dict[str, dict]) -> None:
    for name, rec in report.items():
        if rec["kind"] == "html":
            assert rec["vnu"]["errors"] == 0, (name, rec["vnu"])
            assert rec["active_total"] == 0 and rec["broken_images"] == 0


def test_caniemail_finds_nothing_the_clients_lack_in_the_body(report: dict[str, dict]) -> None:
    for name, rec in report.items():
        if rec["kind"] != "eml":
            continue
        found = rec["caniemail"]
        assert "error" not in found, found
        assert found["gmail.desktop-webmail"]["unsupported"] == [], name
        assert found["apple-mail.macos"]["unsupported"] == [], name
        # The one exception is the phone media query in the head, which Outlook for
        # Windows ignores by design (it gets the fixed 600 px layout).
        assert found["outlook.windows"]["unsupported"] == ["@media"], name


def test_message_figures(report: dict[str, dict]) -> None:
    for name, rec in report.items():
        if rec["kind"] != "eml":
            continue
        assert rec["alternative_ok"] and rec["defects"] == 0, name
        assert rec["headers_missing"] == [], name
        assert rec["list_unsubscribe_https"] and rec["list_unsubscribe_one_click"], name
        assert rec["date_parses"] and not rec["gmail_clipped"], name
        html = rec["html"]
        assert html["style_blocks"] == 1 and html["max_declared_width_px"] == 600, name
        assert html["images_no_alt"] == 0 and html["script_or_iframe"] == 0, name
    assert report["email/everything.eml"]["html"]["images"] == 2  # lead image and chart
    assert report["email/everything.eml"]["html"]["images_remote"] == 2
    assert report["newsletters/all/newsletter.eml"]["html"]["images"] == 1  # the lead image
