"""Every kind of bad source file fails alone with ``path:line: message``."""

from __future__ import annotations

import pytest

from pubkit.diagnostics import SourceError
from pubkit.model import nodes as n
from pubkit.source.reader import parse_article

P = "content/bad.md"

# (case, source bytes, expected line, fragment of the message)
FAILURES = [
    ("invalid yaml", b"---\ntitle: ok\n\tfoo: bar\n---\nbody\n", 3, "tab character"),
    ("unclosed quote", b"---\ntitle: ok\nauthor: \"x\n---\nbody\n", 3, "invalid front matter"),
    ("unclosed front matter", b"---\ntitle: x\nbody text\n", 1, "never closed"),
    ("missing title", b"---\nauthor: Ann\n---\nbody\n", 1, "'title' is required"),
    ("no front matter at all", b"# Just a heading\n", 1, "'title' is required"),
    ("title not a string", b"---\ntitle: 42\n---\n", 2, "'title' must be a string"),
    ("title a list", b"---\ntitle: [a]\n---\n", 2, "'title' must be a string"),
    ("empty title", b"---\ntitle: '  '\n---\n", 2, "'title'"),
    ("tags not a list", b"---\ntitle: x\ntags: pain\n---\n", 3, "'tags' must be a list"),
    ("impossible date", b"---\ntitle: x\ndate: 2024-02-30\n---\n", 3, "'date'"),
    ("date not a date", b"---\ntitle: x\ndate: soon\n---\n", 3, "not a valid date"),
    ("reading_time wrong", b"---\ntitle: x\nreading_time: -3\n---\n", 3, "'reading_time'"),
    ("not utf-8", b"---\ntitle: caf\xe9\n---\n", 2, "byte 0xe9 at offset 14"),
    ("binary garbage", b"\x00\x01\x02\x00" * 600, None, "binary file"),
    ("empty file", b"", 1, "empty file"),
    ("only whitespace", b"  \n\n", 1, "empty file"),
    ("yaml alias", b"---\ntitle: &t x\nsubtitle: *t\n---\n", 2, "aliases are not allowed"),
    ("python tag", b"---\ntitle: !!python/object/apply:os.system [ls]\n---\n", 2, "constructor"),
    ("slug escape", b"---\ntitle: x\nslug: ../../x\n---\n", 3, "'slug' must be lowercase"),
    ("slug absolute", b"---\ntitle: x\nslug: /etc/x\n---\n", 3, "'slug'"),
    ("front matter a list", b"---\n- a\n- b\n---\n", 2, "must be a mapping"),
    ("canonical not http", b"---\ntitle: x\ncanonical_url: javascript:alert(1)\n---\n", 3,
     "'canonical_url'"),
]


@pytest.mark.parametrize(("case", "data", "line", "fragment"), FAILURES, ids=[f[0] for f in FAILURES])
def test_bad_source_fails_with_location(case: str, data: bytes, line: int | None, fragment: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_article(data, P)
    d = info.value.diagnostic
    assert d.path == P
    assert d.line == line, str(d)
    assert fragment in d.message, str(d)
    expected_prefix = f"{P}:{line}: " if line else f"{P}: "
    assert str(d).startswith(expected_prefix)


def test_bom_is_ignored() -> None:
    a = parse_article(b"\xef\xbb\xbf---\ntitle: Hello\n---\nBody.\n", P)
    assert a.title == "Hello"
    assert a.warnings == []


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"], ids=["crlf", "cr"])
def test_crlf_and_cr_line_endings(newline: bytes) -> None:
    src = newline.join([b"---", b"title: Hello", b"---", b"## Part", b"", b"Text here.", b""])
    a = parse_article(src, P)
    assert a.title == "Hello"
    heading, para = a.body
    assert isinstance(heading, n.Heading) and heading.line == 4
    assert isinstance(para, n.Paragraph) and para.line == 6
    assert "\r" not in a.summary


def test_control_characters_are_stripped_with_a_warning() -> None:
    a = parse_article(b"---\ntitle: He\x00llo\n---\nA\x07 bell and \x1b escape.\n", P)
    assert a.title == "Hello"
    assert a.summary == "A bell and escape."
    lines = sorted((w.line, w.severity) for w in a.warnings)
    assert lines == [(2, "warning"), (4, "warning")]
    assert "U+0000" in str(a.warnings[0]) and str(a.warnings[0]).startswith(f"{P}:2: warning:")


def test_thematic_break_later_in_body_is_not_front_matter() -> None:
    a = parse_article(b"---\ntitle: x\n---\nOne.\n\n---\n\nTwo.\n\n---\n", P)
    kinds = [type(b).__name__ for b in a.body]
    assert kinds == ["Paragraph", "ThematicBreak", "Paragraph", "ThematicBreak"]


def test_unknown_key_is_a_warning_with_a_suggestion() -> None:
    a = parse_article(b"---\ntitle: x\nreviewd_by: Dr. Peck\nfoo: 1\n---\n", P)
    messages = [str(w) for w in a.warnings]
    assert f"{P}:3: warning: unknown front matter key 'reviewd_by'; did you mean 'reviewed_by'?" in messages
    assert any(m.startswith(f"{P}:4:") and "did you mean" not in m for m in messages)


def test_fifteen_thousand_words_render() -> None:
    para = " ".join(["word"] * 150)
    body = "\n\n".join(f"## Part {i}\n\n{para}" for i in range(100))
    a = parse_article(f"---\ntitle: Long\n---\n{body}\n".encode(), P)
    assert a.word_count >= 15_000
    assert a.reading_time == round(a.word_count / 200)
    from pubkit.renderers.html.writer import HtmlWriter

    html = HtmlWriter().blocks(a.body)
    assert html.count("<h2") == 100
