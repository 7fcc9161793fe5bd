"""The preview dashboard, served by the real server and read in headless Chromium.

One site, built once for the module with every default format and large
print: an approved article and its Spanish translation, an article overdue
for review and changed since it, a draft, and a newsletter issue.  The cards
are checked against what ``pubkit check --json`` and ``pubkit review --json``
report, the thumbnail against poppler's own picture of the handout's first
page, and every link the page holds is fetched.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import textwrap
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageStat

from pubkit.batch.serve import Generation, start_server
from pubkit.preview.dashboard import DESKTOP_WIDTH, PHONE_WIDTH, Dashboard
from pubkit.source.reader import read_article
from tests.batch.conftest import build, run_cli
from tests.conftest import TODAY
from tests.tools.browser import axe, nu_check
from tests.tools.pdf import pdftoppm

DAY = dt.date.fromisoformat(TODAY)
TOML = """\
site_name = "Riverside Clinic"

[pdf]
variants = ["standard", "large-print"]

[email]
from_name = "Riverside Clinic"
from_address = "news@riverside.example"

[reviewers.peck]
name = "Jane Peck"
credentials = "MD"

[reviewers.ruiz]
name = "Luis Ruiz"
credentials = "RN"
"""
PLAIN = ("Rest your knee when it hurts. Put ice on it for a short time. Walk a little each day. "
         "Call us if the pain gets worse. ")
HARD = ("Osteoarthritic degeneration of the acetabular cartilage frequently necessitates "
        "comprehensive multidisciplinary rehabilitation interventions. ")


def article(front: str, paragraph: str, sections: int = 12) -> str:
    body = "\n".join(f"## Part {i + 1}\n\n{paragraph * 6}\n" for i in range(sections))
    return f"---\n{textwrap.dedent(front).strip()}\n---\n{body}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dashboard") / "site"
    (root / "content").mkdir(parents=True)
    (root / "newsletters").mkdir()
    (root / "pubkit.toml").write_text(TOML)
    (root / "content/knee-care.md").write_text(article("""
        title: Caring for your knee
        summary: Simple steps for a sore knee.
        status: approved
        reviewed_by: peck
        reviewed_on: 2026-10-15
    """, PLAIN))
    (root / "content/hip-surgery.md").write_text(article("""
        title: After hip surgery
        summary: What recovery involves.
    """, HARD, 3))
    assert run_cli("review", "approve", str(root / "content/hip-surgery.md"), "--by", "ruiz",
                   "--on", "2025-03-02", "--site", str(root)).returncode == 0
    hip = root / "content/hip-surgery.md"
    hip.write_text(hip.read_text().replace("## Part 2", "## Part 2\n\nA sentence added later.\n", 1))
    (root / "content/new-treatment.md").write_text(article("""
        title: A new treatment we are trying
        status: draft
    """, PLAIN, 2))
    original = read_article(root / "content/knee-care.md", root)
    (root / "content/cuidado-de-la-rodilla.md").write_text(article(f"""
        title: Cómo cuidar su rodilla
        summary: Pasos sencillos para una rodilla adolorida.
        lang: es
        translation_of: knee-care
        translated_from: "{original.text_hash[:12]}"
        status: approved
        reviewed_by: peck
        reviewed_on: 2026-11-02
    """, "Descanse la rodilla cuando le duela. Póngale hielo un rato. Camine un poco cada día. ", 6))
    (root / "newsletters/december.md").write_text(textwrap.dedent("""\
        ---
        subject: "December news from Riverside"
        preheader: Knee care tips for the winter months, and a word about ice
        articles: [knee-care]
        ---
        Hello! Here is this month's article.
    """))
    summary = build(root, drafts=True, today=DAY)
    assert summary.counts().get("failed", 0) == 0, summary.records
    return root


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    server = start_server(site / "output", 0, Generation(), Dashboard(site, lambda: DAY))
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def page(chromium: Any, served: str) -> Iterator[Any]:
    tab = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("request", lambda request: REQUESTS.append(request.url))
    tab.goto(served)
    yield tab
    assert errors == []
    tab.close()


REQUESTS: list[str] = []
"""Every address the browser asked for while showing the dashboard."""


def fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), resp.read()


def card(page: Any, stem: str) -> Any:
    return page.locator(f"#article-{stem}")


def text(locator: Any) -> str:
    return " ".join(locator.inner_text().split())


def test_the_dashboard_is_accessible(page: Any) -> None:
    result = axe(page)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == []
    assert page.title() == "Preview: Riverside Clinic"
    assert page.get_by_role("main").count() == 1 and page.get_by_role("banner").count() == 1
    assert page.get_by_role("heading", level=1).inner_text() == "Preview: Riverside Clinic"
    assert page.get_by_role("heading", level=2, name="Articles").count() == 1
    assert page.get_by_role("heading", level=2, name="Newsletter issues").count() == 1


def test_the_dashboard_loads_nothing_from_elsewhere(site: Path, page: Any, served: str) -> None:
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")  # every lazy frame
    page.wait_for_load_state("networkidle")
    assert REQUESTS and all(url.startswith(served) for url in REQUESTS), REQUESTS
    assert served + "email/knee-care.html" in REQUESTS
    html = Dashboard(site, lambda: DAY).page()  # as made, before the server adds live reload
    assert b"<script" not in html and b"<link" not in html and b"url(" not in html
    assert b"http://" not in html and b"https://" not in html


def test_the_dashboard_is_valid_html(site: Path, tmp_path: Path) -> None:
    page = tmp_path / "dashboard.html"
    page.write_bytes(Dashboard(site, lambda: DAY).page())
    assert nu_check([page]) == []


def test_cards_show_the_grades_pubkit_check_reports(site: Path, page: Any) -> None:
    proc = run_cli("check", "--json", "--site", str(site), str(site / "content"),
                   env={"PUBKIT_TODAY": TODAY})
    reports = json.loads(proc.stdout)
    reports = reports if isinstance(reports, list) else reports["articles"]
    grades = {Path(r["path"]).stem: r["readability"]["grade"] for r in reports}
    assert grades["hip-surgery"] > 8 >= grades["knee-care"]  # the site is built to have both
    stems = {"knee-care": "knee-care", "hip-surgery": "hip-surgery",
             "new-treatment": "new-treatment", "cuidado-de-la-rodilla": "es-cuidado-de-la-rodilla"}
    for source, stem in stems.items():
        grade = text(card(page, stem).locator(".grade"))
        assert grade.startswith(f"{grades[source]:.1f} (target 8)"), (source, grade)
        assert ("above the target" in grade) == (grades[source] > 8), source


def test_cards_show_the_review_record(site: Path, page: Any) -> None:
    proc = run_cli("review", "--json", "--site", str(site), env={"PUBKIT_TODAY": TODAY})
    rows = {Path(r["path"]).stem: r for r in json.loads(proc.stdout)["articles"]}
    stems = {"knee-care": "knee-care", "hip-surgery": "hip-surgery",
             "new-treatment": "new-treatment", "cuidado-de-la-rodilla": "es-cuidado-de-la-rodilla"}
    for source, stem in stems.items():  # what `pubkit review` says, the card shows
        row, shown = rows[source], card(page, stem)
        assert text(shown.locator(".reviewer")) == (row["reviewer"] or "–"), source
        assert (shown.locator(".mark.overdue").count() == 1) == row["overdue"], source
        assert (shown.locator(".mark.changed").count() == 1) == bool(row["changed"]), source
    knee, hip = card(page, "knee-care"), card(page, "hip-surgery")
    assert text(knee.locator(".status")) == "Approved"
    assert text(knee.locator(".reviewer")) == "Jane Peck, MD"
    assert text(knee.locator(".reviewed-on")) == "October 15, 2026"
    assert text(knee.locator(".next-review")) == "October 15, 2027"  # [review] interval_months
    assert knee.locator(".mark.overdue").count() == 0 and knee.locator(".mark.changed").count() == 0

    assert text(hip.locator(".reviewer")) == "Luis Ruiz, RN"
    assert text(hip.locator(".reviewed-on")) == "March 2, 2025"
    assert text(hip.locator(".next-review")) == "March 2, 2026 overdue"
    assert text(hip.locator(".status")) == "Approved changed since review"

    draft = card(page, "new-treatment")
    assert draft.get_by_role("heading", level=3).inner_text().startswith("DRAFT")
    assert text(draft.locator(".status")) == "Draft"
    assert draft.locator(".mark.overdue").count() == 0
    assert knee.locator(".mark.draft").count() == 0


def test_translations_link_to_each_other(page: Any) -> None:
    knee, spanish = card(page, "knee-care"), card(page, "es-cuidado-de-la-rodilla")
    assert spanish.get_by_role("heading", level=3).get_attribute("lang") == "es"
    assert text(spanish.locator("dd").first).startswith("español")
    assert knee.get_by_role("link", name="español").get_attribute("href") == \
        "#article-es-cuidado-de-la-rodilla"
    assert spanish.get_by_role("link", name="English").get_attribute("href") == "#article-knee-care"
    # The translation comes right after its original.
    ids = page.locator(".card").evaluate_all("cards => cards.map(c => c.id)")
    assert ids.index("article-es-cuidado-de-la-rodilla") == ids.index("article-knee-care") + 1


def test_the_thumbnail_is_the_handouts_first_page(site: Path, page: Any, served: str,
                                                  tmp_path: Path) -> None:
    image = card(page, "knee-care").locator(".thumb img")
    assert image.get_attribute("alt") == "First page of the printed handout: Caring for your knee"
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    status, ctype, data = fetch(served.rstrip("/") + image.get_attribute("src"))
    assert status == 200 and ctype == "image/png" and data.startswith(b"\x89PNG\r\n\x1a\n")
    thumb = Image.open(io.BytesIO(data)).convert("L")
    assert thumb.width == 320

    pdf = site / "output/pdf/knee-care.pdf"
    pages = [Image.open(pdftoppm(pdf, n, 40, tmp_path / f"p{n}")).convert("L") for n in (1, 2)]
    assert abs(thumb.height / thumb.width - pages[0].height / pages[0].width) < 0.02

    def difference(other: Image.Image) -> float:
        return float(ImageStat.Stat(ImageChops.difference(thumb, other.resize(thumb.size))).mean[0])

    # Poppler's picture of page 1 is close to it; page 2 (another page of text) is further off.
    assert difference(pages[0]) * 2 < difference(pages[1]), (difference(pages[0]), difference(pages[1]))


def test_every_link_on_the_page_answers(page: Any, served: str) -> None:
    hrefs = page.locator("a[href^='/'], img[src^='/'], iframe[src^='/']").evaluate_all(
        "els => els.map(e => e.getAttribute('href') || e.getAttribute('src'))")
    knee = card(page, "knee-care")
    labels = knee.locator(".outputs a").all_inner_texts()
    assert labels == ["Web page", "Printed handout", "Large-print handout", "Word document",
                      "Email message"]
    expected = {"/html/knee-care.html", "/pdf/knee-care.pdf", "/pdf/knee-care.large-print.pdf",
                "/docx/knee-care.docx", "/email/knee-care.eml", "/email/knee-care.html",
                "/html/es/cuidado-de-la-rodilla.html", "/pdf/es/cuidado-de-la-rodilla.pdf",
                "/newsletters/december/newsletter.html", "/html/newsletters/december.html"}
    assert expected <= set(hrefs), expected - set(hrefs)
    for href in sorted(set(hrefs)):
        status, ctype, data = fetch(served.rstrip("/") + href)
        assert status == 200 and data and ctype, href
    assert not any("send/" in h or "/." in h for h in hrefs)


def test_the_email_is_shown_at_phone_and_desktop_widths(page: Any) -> None:
    knee = card(page, "knee-care")
    frames = knee.locator(".emails iframe")
    assert frames.count() == 2
    widths = frames.evaluate_all("fs => fs.map(f => f.clientWidth)")
    assert widths == [PHONE_WIDTH, DESKTOP_WIDTH] == [375, 700]
    tops = frames.evaluate_all("fs => fs.map(f => f.getBoundingClientRect().top)")
    assert tops[0] == tops[1]  # side by side
    for i in range(2):
        frame = frames.nth(i)
        assert frame.get_attribute("sandbox") == ""
        assert frame.get_attribute("src") == "/email/knee-care.html"
        assert frame.get_attribute("title")
    frames.first.scroll_into_view_if_needed()
    body = frames.first.content_frame.locator("body")
    assert "Caring for your knee" in body.inner_text()
    # No permission at all: the frame's own document runs no script.
    assert frames.first.evaluate("f => f.sandbox.length") == 0


def test_the_newsletter_row_reads_like_an_inbox(page: Any) -> None:
    row = page.locator("#issue-december")
    assert text(row.locator(".sender")) == "Riverside Clinic"
    subject, preheader = row.locator(".subject"), row.locator(".preheader")
    assert subject.inner_text() == "December news from Riverside"
    assert text(preheader) == "– Knee care tips for the winter months, and a word about ice"
    assert subject.evaluate("e => getComputedStyle(e).fontWeight") == "700"
    summary = row.locator(".summary")
    style = summary.evaluate("e => { const s = getComputedStyle(e); "
                             "return [s.whiteSpace, s.textOverflow, s.overflow]; }")
    assert style == ["nowrap", "ellipsis", "hidden"]
    grey = preheader.evaluate("e => getComputedStyle(e).color")
    assert grey != subject.evaluate("e => getComputedStyle(e).color")
    preview = row.get_by_role("link", name="Email preview")
    assert preview.get_attribute("href") == "/newsletters/december/newsletter.html"
    page.set_viewport_size({"width": 480, "height": 900})
    try:  # a narrow window cuts the line short, as an inbox does, instead of wrapping it
        assert summary.evaluate("e => e.scrollWidth > e.clientWidth")
        line_height = float(summary.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
        assert summary.bounding_box()["height"] < 1.5 * line_height
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def test_the_thumbnail_route_serves_only_handouts_the_index_knows(served: str) -> None:
    for path, code in (("_pubkit/thumbnails/nope.png", 404),
                       ("_pubkit/thumbnails/es/nope.png", 404),
                       ("_pubkit/thumbnails/knee-care.large-print.png", 404),
                       ("_pubkit/thumbnails/%2e%2e/knee-care.png", 400),
                       ("_pubkit/thumbnails/../send/x.png", 400)):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(served + path, timeout=30)
        assert err.value.code == code, path
    status, ctype, _ = fetch(served + "_pubkit/thumbnails/es/cuidado-de-la-rodilla.png")
    assert status == 200 and ctype == "image/png"


def test_unbuilt_outputs_get_placeholders_and_parsed_articles_are_kept_by_hash(
        tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "pubkit.toml").write_text('site_name = "Clínica del Río"\nlanguage = "es"\n')
    source = root / "content/dolor.md"
    source.write_text(article("title: Dolor de espalda\nlang: es", "Camine un poco cada día. ", 1))
    dashboard = Dashboard(root, lambda: DAY)
    html = dashboard.page().decode()
    assert '<html lang="es"' in html and "Vista previa: Clínica del Río" in html
    assert "El folleto todavía no está hecho" in html and "Todavía no hay archivos." in html
    assert "<iframe" not in html and "_pubkit/thumbnails" not in html
    first = set(dashboard._parsed)
    assert first == {("content/dolor.md", read_article(source, root).source_hash)}
    kept = dict(dashboard._parsed)
    dashboard.page()
    assert set(dashboard._parsed) == first
    assert all(dashboard._parsed[k] is v for k, v in kept.items())  # not parsed again
    source.write_text(source.read_text() + "\nUna frase más.\n")
    dashboard.page()
    assert set(dashboard._parsed) == {("content/dolor.md", read_article(source, root).source_hash)}
    assert set(dashboard._parsed) != first


def test_a_site_template_overrides_the_dashboard(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "templates/preview").mkdir(parents=True)
    (root / "pubkit.toml").write_text('site_name = "Own"\n')
    (root / "templates/preview/dashboard.html.j2").write_text(
        "<p>{{ data.site_name }}: {{ data.cards | length }} cards</p>")
    dashboard = Dashboard(root, lambda: DAY)
    assert dashboard.page() == b"<p>Own: 0 cards</p>"
    (root / "templates/preview/dashboard.html.j2").write_text("<p>Edited: {{ data.lang }}</p>")
    assert dashboard.page() == b"<p>Edited: en</p>"  # an edit shows on the next reload


def test_a_broken_configuration_is_shown_not_raised(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (root / "pubkit.toml").write_text("site_name = \n")
    html = Dashboard(root, lambda: DAY).page().decode()
    assert "pubkit.toml" in html and "Could not be read" in html


def test_a_translation_older_than_its_original_is_marked(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "pubkit.toml").write_text('site_name = "Clinic"\n')
    (root / "content/knee.md").write_text(article("title: Knee", PLAIN, 1))
    (root / "content/rodilla.md").write_text(article(
        'title: Rodilla\nlang: es\ntranslation_of: knee\ntranslated_from: "000000000000"',
        "Camine un poco cada día. ", 1))
    html = Dashboard(root, lambda: DAY).page().decode()
    assert html.count("older than its original") == 1
    spanish = html[html.index('id="article-es-rodilla"'):]
    assert "older than its original" in spanish


def test_a_broken_site_template_falls_back_to_the_built_in_one_and_says_why(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "templates/preview").mkdir(parents=True)
    (root / "pubkit.toml").write_text('site_name = "Own"\n')
    (root / "templates/preview/dashboard.html.j2").write_text("<p>\n{% if %}</p>")
    html = Dashboard(root, lambda: DAY).page().decode()
    assert "Preview: Own" in html and "Could not be read" in html
    assert "templates/preview/dashboard.html.j2:2:" in html


def test_titles_are_escaped_and_unreadable_sources_are_listed(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "newsletters").mkdir()
    (root / "pubkit.toml").write_text('site_name = "<b>Clinic</b>"\n')
    (root / "content/odd.md").write_text(article(
        'title: "<script>alert(1)</script>"\nstatus: in-review', PLAIN, 1))
    (root / "content/broken.md").write_text("---\ntitle: [unclosed\n---\nText.\n")
    (root / "content/twin.md").write_text(article("title: Twin\nslug: odd", PLAIN, 1))
    (root / "newsletters/june.md").write_text('---\nsubject: "<img src=x onerror=alert(1)>"\n---\nHi.\n')
    html = Dashboard(root, lambda: DAY).page().decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>Clinic</b>" not in html and "&lt;b&gt;Clinic&lt;/b&gt;" in html
    assert "In review" in html
    problems = html[html.index('id="problems"'):html.index('id="articles"')]
    assert "content/broken.md:" in problems
    assert "content/twin.md: slug &#39;odd&#39; is already used by content/odd.md" in problems
    assert "Not built yet: newsletters/june.md" in html


def test_outputs_replaced_by_links_are_neither_linked_nor_rasterised(tmp_path: Path) -> None:
    import weasyprint

    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "pubkit.toml").write_text('site_name = "Clinic"\n')
    (root / "content/a.md").write_text(article("title: A", PLAIN, 1))
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(weasyprint.HTML(string="<p>private</p>").write_pdf())
    (root / "output/pdf").mkdir(parents=True)
    (root / "output/html").mkdir()
    (root / "output/html/a.html").write_text("<p>A</p>")
    (root / "output/pdf/a.pdf").symlink_to(outside)
    (root / "output/docx").symlink_to(tmp_path)  # a folder swapped for a link
    (tmp_path / "a.docx").write_bytes(b"PK")
    dashboard = Dashboard(root, lambda: DAY)
    html = dashboard.page().decode()
    assert 'href="/html/a.html"' in html
    assert "/pdf/a.pdf" not in html and "/docx/a.docx" not in html and "_pubkit/thumbnails" not in html
    assert "Handout not built yet" in html
    assert dashboard.thumbnail("a") is None
