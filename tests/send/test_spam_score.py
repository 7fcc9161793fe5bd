"""Every message pubkit writes scores below 1.0 with SpamAssassin's local tests.

``spamassassin -t -L`` (Debian package ``spamassassin``, in scripts/apt-packages.txt)
runs the rules that need no network.  The hidden preheader used to score 1.7
(HTML_FONT_LOW_CONTRAST, FONT_INVIS_MSGID); these messages cover every kind
pubkit writes: newsletter issues (teasers, full layout, embedded images), a
personalised dry-run message, an article email, and a DKIM-signed message.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from pubkit.cli import app
from pubkit.site import Site
from tests.send.compliant import configure, write_csv

MAX_SCORE = 1.0
runner = CliRunner()


def spamassassin() -> str:
    found = shutil.which("spamassassin")
    if found is None:
        pytest.fail("spamassassin is not installed: apt-get install spamassassin "
                    "(listed in scripts/apt-packages.txt)")
    return found


def score(message: bytes) -> tuple[float, str]:
    done = subprocess.run([spamassassin(), "-t", "-L"], input=message, capture_output=True,
                          timeout=120)
    report = done.stdout.decode("utf-8", "replace")
    found = re.search(r"Content analysis details:\s+\((-?[\d.]+) points", report)
    assert found, report[-2000:]
    return float(found.group(1)), report[report.index("Content analysis details"):]


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (640, 320), (11, 90, 122)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def messages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """One message of each kind, written by the commands a person runs."""
    from tests.conftest import REPO

    root = tmp_path_factory.mktemp("spam") / "site"
    for part in ("content", "newsletters", "assets"):
        if (REPO / part).is_dir():
            shutil.copytree(REPO / part, root / part)
    shutil.copy(REPO / "pubkit.toml", root / "pubkit.toml")
    configure(root)
    (root / "content" / "team.png").write_bytes(png())
    (root / "newsletters" / "full.md").write_text(
        "---\nsubject: \"{{ first_name | default('Hello') }}, the whole article\"\n"
        "preheader: Everything about ketamine for pain, in one email\n"
        "articles: [ketamine-pain-management]\nlayout: full\n---\n"
        "Hi {{ first_name | default('there') }}, this month's article in full.\n",
        encoding="utf-8")
    (root / "newsletters" / "pictures.md").write_text(
        "---\nsubject: Meet the team\npreheader: The people behind your care\n"
        "articles: [ketamine-pain-management]\n---\n![Our team](../content/team.png)\n\n"
        "Our team is here for you.\n", encoding="utf-8")
    write_csv(root / "list.csv", [("ana.lima@example.org", "Ana Lima")])
    key = root / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True,
                   capture_output=True)

    def run(*args: str) -> None:
        result = runner.invoke(app, [*args, "--site", str(root)])
        assert result.exit_code == 0, result.output

    run("render", "--email")
    for issue in ("sample", "full"):
        run("newsletter", str(root / "newsletters" / f"{issue}.md"))
    run("send", "sample", "--to", str(root / "list.csv"))
    out = root / "output"
    found = {
        "newsletter preview": out / "newsletters/sample/newsletter.eml",
        "full layout": out / "newsletters/full/newsletter.eml",
        "article email": out / "email/ketamine-pain-management.eml",
        # The sample issue's Spanish version (newsletters/sample.es.md) and the Spanish article.
        "Spanish newsletter": out / "newsletters/es/sample/newsletter.eml",
        "Spanish article email": out / "email/es/ketamina-manejo-del-dolor.eml",
        "personalised dry-run message": next((out / "send/sample").glob("*.eml")),
    }
    data = {name: path.read_bytes() for name, path in found.items()}

    with (root / "pubkit.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[dkim]\nkey_file = "dkim.pem"\n')
    configure_embed = (root / "pubkit.toml").read_text().replace(
        "[email]\n", "[email]\nembed_images = true\n", 1)
    (root / "pubkit.toml").write_text(configure_embed)
    run("newsletter", str(root / "newsletters" / "pictures.md"))
    data["embedded images"] = (out / "newsletters/pictures/newsletter.eml").read_bytes()

    from pubkit.send.dkim_sign import DkimSigner
    from pubkit.site import open_site

    site: Site = open_site(root)
    signer = DkimSigner.from_settings(site.settings.dkim, site.settings.email.from_address, root)
    assert signer is not None
    data["DKIM-signed"] = signer.sign(data["personalised dry-run message"])
    return data


KINDS = ["newsletter preview", "full layout", "article email", "personalised dry-run message",
         "embedded images", "DKIM-signed", "Spanish newsletter", "Spanish article email"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_message_scores_below_one(messages: dict[str, bytes], kind: str) -> None:
    points, report = score(messages[kind])
    assert points < MAX_SCORE, report
    assert "HTML_FONT_LOW_CONTRAST" not in report and "FONT_INVIS" not in report


def test_the_scorer_does_score(messages: dict[str, bytes], tmp_path: Path) -> None:
    """The same message with the old colour-matched tiny preheader is caught again."""
    text = messages["newsletter preview"].replace(b"=\r\n", b"")  # undo quoted-printable folds
    old = re.sub(rb'class=3D"preheader" style=3D"[^"]*"',
                 b'class=3D"preheader" style=3D"display: none; font-size: 1px; line-height: 1px; '
                 b'max-height: 0; max-width: 0; color: #eef1f3"', text)
    assert old != text
    points, report = score(old)
    assert points >= MAX_SCORE and "HTML_FONT_LOW_CONTRAST" in report
