"""Settings and merge fields are careless, not trusted.

Every setting of the schema is tried (found by walking it, so a new one is tried too):
numbers only within a finite range, text either refused on a line break or control character
naming the key, or kept out of every mail header. Merge expressions built by Hypothesis never
make a value over the cap, and article text is never evaluated whatever it holds.
"""

from __future__ import annotations

import email
import math
import typing
from email import policy
from pathlib import Path
from typing import Any

import annotated_types
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from typer.testing import CliRunner

from pubkit.cli import app
from pubkit.diagnostics import ConfigError, SourceError
from pubkit.settings import Settings, load_settings
from pubkit.source.merge_fields import MAX_FIELD_CHARS, MergeError, MergeFields
from tests.hostile.conftest import write_site
from tests.send.compliant import EMAIL

runner = CliRunner()
INJECTION = "a\\r\\nBcc: evil@injected.example"
NORMAL_HEADERS = {"From", "Reply-To", "To", "Subject", "Date", "Message-ID", "MIME-Version",
                  "List-Unsubscribe", "List-Unsubscribe-Post", "Content-Type", "Content-Language"}


def leaves(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every setting of ``model``: its path (section, ..., key) and its field."""
    out = []
    for name, field in model.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            out += leaves(field.annotation, (*prefix, name))
        else:
            out.append(((*prefix, name), field))
    return out


def dry_run(root: Path) -> list[str]:
    return ["send", str(root / "newsletters/n.md"), "--to", str(root / "people.csv"), "--site", str(root)]


def toml_for(path: tuple[str, ...], value: str) -> str:
    return (f"[{'.'.join(path[:-1])}]\n" if len(path) > 1 else "") + f"{path[-1]} = {value}\n"


def is_text(field: Any) -> bool:
    return field.annotation in (str, str | None) or typing.get_origin(field.annotation) is typing.Annotated


TEXT_SETTINGS = [p for p, f in leaves(Settings) if is_text(f)]
NUMBER_SETTINGS = [(p, f) for p, f in leaves(Settings) if f.annotation in (int, float)]


def test_the_walk_finds_the_settings() -> None:
    found = {".".join(p) for p in TEXT_SETTINGS}
    assert {"site_name", "email.from_name", "smtp.host", "dkim.selector", "email.utm.term"} <= found
    assert {".".join(p) for p, _ in NUMBER_SETTINGS} >= {"render_timeout", "smtp.timeout", "pdf.image_dpi"}


def test_text_settings_with_a_line_break_are_refused_or_never_reach_a_header(tmp_path: Path) -> None:
    accepted = []
    for path in TEXT_SETTINGS:
        (tmp_path / "pubkit.toml").write_text(toml_for(path, f'"{INJECTION}"'), encoding="utf-8")
        try:
            load_settings(tmp_path / "pubkit.toml")
        except ConfigError as exc:
            assert f"'{'.'.join(path)}'" in str(exc), exc
            continue
        accepted.append(path)
    # Those accepted (secrets, file names, page text) all at once, in a real dry run.
    by_section: dict[str, list[str]] = {}
    for path in accepted:
        if path[0] in ("token_secret",) or path[-1] in ("token_secret", "key_file", "ca_file"):
            continue  # the secret must stay compliant, and key files must exist to be used
        by_section.setdefault(".".join(path[:-1]), []).append(f'{path[-1]} = "{INJECTION}"')
    top = "\n".join(by_section.pop("", []))
    extra = "".join(f"\n[{section}]\n" + "\n".join(lines) + "\n" for section, lines in by_section.items()
                    if section != "email")
    email_lines = "\n".join(by_section.get("email", []))
    root = write_site(tmp_path / "site", {
        "content/knee.md": "---\ntitle: Knee\n---\nRest.\n",
        "newsletters/n.md": "---\nsubject: News\narticles: [knee]\n---\nHi.\n",
        "people.csv": "email,name\nann@example.org,Ann\n"}, toml=top + "\n" + EMAIL + email_lines + extra)
    result = runner.invoke(app, dry_run(root))
    assert result.exit_code == 0, result.output
    messages = list((root / "output/send/n").glob("*.eml"))
    assert messages
    for path in messages:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert set(message.keys()) <= NORMAL_HEADERS, message.keys()
        for part in message.walk():
            for key, value in part.items():
                assert "injected" not in str(value) and "\n" not in str(value), (key, value)


HOSTILE_NUMBERS = ["inf", "-inf", "nan", "1e308", "-1e308", "1e999", "-1", "0", "9223372036854775808",
                   "1" + "0" * 400, "0.5", '"3"', "true", "[1]", "{}", "0x10", "-0.0"]


@settings(deadline=None, max_examples=120)
@given(setting=st.sampled_from(NUMBER_SETTINGS), value=st.sampled_from(HOSTILE_NUMBERS)
       | st.floats(allow_nan=True, allow_infinity=True).map(repr) | st.integers().map(str))
def test_every_number_is_finite_and_within_its_range(
        tmp_path_factory: pytest.TempPathFactory, setting: tuple[tuple[str, ...], Any], value: str) -> None:
    path, field = setting
    folder = tmp_path_factory.mktemp("n", numbered=True)
    (folder / "pubkit.toml").write_text(toml_for(path, value), encoding="utf-8")
    try:
        loaded: Any = load_settings(folder / "pubkit.toml")
    except ConfigError as exc:
        assert f"'{'.'.join(path)}'" in str(exc) or "pubkit.toml" in str(exc), exc
        return
    for key in path:
        loaded = getattr(loaded, key)
    assert isinstance(loaded, int | float) and math.isfinite(loaded), (path, value, loaded)
    for bound in field.metadata:
        if isinstance(bound, annotated_types.Ge):
            assert loaded >= bound.ge
        if isinstance(bound, annotated_types.Gt):
            assert loaded > bound.gt
        if isinstance(bound, annotated_types.Le):
            assert loaded <= bound.le
        if isinstance(bound, annotated_types.Lt):
            assert loaded < bound.lt


BIG = st.sampled_from(["10", "100000", "20000000", "10**9", "9**99", "-1", "0"])
ATOM = st.sampled_from(["name", "first_name", "'x'", "'ab'", "('x' * 9999)", "[1, 2]", "range(10)",
                        "lipsum", "cycler", "namespace", "joiner", "''.__class__", "name.__len__",
                        "'%s'", "'{}'"])
FILTER = st.sampled_from(["center", "indent", "format", "replace('x', 'xxxxx')", "join", "truncate",
                          "upper", "default('y' * 9000)", "wordwrap", "list", "reverse", "batch",
                          "slice", "e", "string", "title", "trim", "repeat", "safe", "attr('__class__')",
                          "map('upper')", "sum", "first", "xmlattr", "urlencode", "pprint", "tojson"])


@st.composite
def expression(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 2 or draw(st.booleans()):
        return draw(ATOM)
    left = draw(expression(depth + 1))
    return draw(st.sampled_from([
        f"({left}) * {draw(BIG)}", f"({left}) ~ ({draw(expression(depth + 1))})",
        f"({left}) + ({draw(expression(depth + 1))})", f"({left}) | {draw(FILTER)}",
        f"({left}) | {draw(FILTER).split('(')[0]}({draw(BIG)})", f"({left}).ljust({draw(BIG)})",
        f"({left}).format({draw(BIG)})", f"({left}) % ({draw(BIG)},)", f"({left}) ** {draw(BIG)}",
        f"[{left}] * {draw(BIG)}", f"{left}.zfill({draw(BIG)})",
    ]))


@settings(deadline=None, max_examples=150)
@given(source=expression(), name=st.sampled_from(["", "Ann", "x" * 9000, "{{ 7 * 7 }}"]))
def test_no_merge_expression_makes_a_value_over_the_cap(source: str, name: str) -> None:
    fields = MergeFields("newsletters/n.md", "abcd1234")
    try:
        fields.add(source, 4)
    except SourceError as exc:
        assert exc.diagnostic.line == 4
        return
    try:
        value = fields.values({"name": name, "first_name": name})[-1]
    except MergeError as exc:
        assert "newsletters/n.md:4: merge field" in str(exc)
        return
    assert len(value) <= MAX_FIELD_CHARS


TEMPLATE_TEXT = ["{{ 7 * 7 }}", "{% for i in range(3) %}loop{% endfor %}", "{{ config }}",
                 "{{ ''.__class__.__mro__ }}", "{# hidden #}", "{{ name }}", "${7*7}", "<%= 7*7 %>"]


def test_article_text_is_never_evaluated(tmp_path: Path) -> None:
    body = "\n\n".join(f"Literal {i}: {t}" for i, t in enumerate(TEMPLATE_TEXT))
    root = write_site(tmp_path / "site", {
        "content/knee.md": (f"---\ntitle: \"Knee {{{{ 7 * 7 }}}}\"\nsummary: \"{{{{ name }}}}\"\n---\n"
                            f"{body}\n"),
        "newsletters/n.md": "---\nsubject: News\narticles: [knee]\nlayout: full\n---\n",
        "people.csv": "email,name\nann@example.org,Ann\n"}, toml=EMAIL)
    rendered = runner.invoke(app, ["render", "--html", "--email", "--site", str(root)])
    assert rendered.exit_code == 0, rendered.output
    sent = runner.invoke(app, dry_run(root))
    assert sent.exit_code == 0, sent.output
    texts = [(root / "output/html/knee.html").read_text(encoding="utf-8"),
             (root / "output/email/knee.txt").read_text(encoding="utf-8")]
    for path in (root / "output/send/n").glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        texts += [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
    for text in texts:
        assert "Literal 0: 49" not in text and "Knee 49" not in text and "Literal 6: 49" not in text
        assert "looplooploop" not in text and "&lt;class" not in text and "<class" not in text
        assert "{{ 7 * 7 }}" in text or "{{ 7 * 7 }}" in text.replace("&#123;", "{")


@pytest.mark.parametrize("columns", [("name", "N" * 201), ("first_name", "F" * 150 + " " + "L" * 60)])
def test_a_name_too_long_for_a_header_leaves_the_address_alone(columns: tuple[str, str]) -> None:
    from pubkit.send.recipients import MAX_NAME_CHARS, parse_recipients

    column, value = columns
    text = f"email,{column},last_name\nann@example.org,{value.split(' ')[0]},{value.partition(' ')[2]}\n"
    listed = parse_recipients(text)
    assert [r.email for r in listed.recipients] == ["ann@example.org"] and not listed.problems
    assert listed.recipients[0].name == ""
    fine = parse_recipients(f"email,name\nann@example.org,{'N' * MAX_NAME_CHARS}\n")
    assert fine.recipients[0].name == "N" * MAX_NAME_CHARS
