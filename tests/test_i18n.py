"""The message catalogues: complete, read through Babel, overridable, falling back as documented."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po

from pubkit import i18n
from pubkit.i18n import candidates, translations
from pubkit.site import Site
from pubkit.theme import Theme, builtin_templates
from tests.conftest import REPO

LANGUAGES = ("en", "es")


def catalogue(lang: str):  # type: ignore[no-untyped-def]
    path = builtin_templates() / i18n.catalogue_name(lang)
    return read_po(io.BytesIO(path.read_bytes()))


def used_messages() -> dict[str | tuple[str, str], str]:
    """Every message pubkit's code and templates ask for, with where (as ``pybabel extract`` finds them)."""
    keywords = {**DEFAULT_KEYWORDS, "format": None}
    found: dict[str | tuple[str, str], str] = {}
    for path in sorted((REPO / "src" / "pubkit").rglob("*.py")):
        for line, message, _, _ in extract_from_file("python", str(path), keywords=keywords):
            found.setdefault(message, f"{path.name}:{line}")
    for path in sorted((REPO / "templates").rglob("*.j2")):
        for line, message, _, _ in extract_from_file("jinja2.ext:babel_extract", str(path),
                                                     keywords=keywords, options={"trimmed": "true"}):
            found.setdefault(message, f"{path.name}:{line}")
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_in_use_is_in_each_catalogue_and_nothing_else(lang: str) -> None:
    used = used_messages()
    assert len(used) >= 25
    entries = {m.id: m for m in catalogue(lang) if m.id}
    assert set(used) == set(entries), {
        "missing": {str(k): v for k, v in used.items() if k not in entries},
        "unused": [k for k in entries if k not in used],
    }
    for message in entries.values():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, message.id
        if lang == "en":  # the English catalogue says what the code says (a site may reword it)
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            assert strings == ids
        elif isinstance(message.id, str):
            assert message.string != message.id, f"untranslated: {message.id}"
        for placeholder in ("%(name)s", "%(date)s", "%(num)s", "%(site)s", "%(url)s",
                            "%(page)s", "%(pages)s", "%(language)s", "%(number)s", "%(alt)s"):
            source = message.id if isinstance(message.id, str) else message.id[0]
            for s in strings:
                assert (placeholder in source) == (placeholder in s), (message.id, s)


def test_spanish_words_dates_numbers_and_plurals() -> None:
    t = translations("es")
    assert (t.lang, t.locale, t.missing) == ("es", "es", None)
    assert t.gettext("Contents") == "Contenido"
    assert t.format_date(dt.date(2025, 1, 15)) == "15 de enero de 2025"
    assert t.format_date(dt.date(2025, 1, 15), "month-year") == "enero de 2025"
    one = t.ngettext("%(num)s min read", "%(num)s min read", 1) % {"num": 1}
    many = t.ngettext("%(num)s min read", "%(num)s min read", 7) % {"num": 7}
    assert (one, many) == ("Lectura de 1 minuto", "Lectura de 7 minutos")
    assert t.format_number(1234.5) == "1234,5" or t.format_number(1234.5) == "1.234,5"
    assert translations("en").format_date(dt.date(2025, 1, 15)) == "January 15, 2025"


def test_a_regional_tag_falls_back_to_its_language_and_keeps_its_own_formats() -> None:
    assert candidates("es-MX") == ["es_MX", "es"]
    assert candidates("zh-hant-tw") == ["zh_Hant_TW", "zh_Hant", "zh"]
    t = translations("es-MX")
    assert (t.locale, t.missing) == ("es", None)
    assert t.gettext("Notes") == "Notas"
    assert t.format_number(1234.5) == "1,234.5"  # Mexico writes numbers as the US does
    assert t.language_name() == "español (México)"
    assert translations("en-GB").missing is None


def test_a_language_without_catalogue_is_english_and_named() -> None:
    t = translations("de")
    assert (t.locale, t.missing) == ("en", "de")
    assert t.gettext("Notes") == "Notes"
    assert t.format_date(dt.date(2025, 1, 15)) == "January 15, 2025"  # never half German
    assert translations("en").missing is None


def test_a_site_rewords_one_string_and_adds_a_language(make_site: Callable[..., Site]) -> None:
    header = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
              '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n')
    site = make_site({
        "templates/locale/es/LC_MESSAGES/pubkit.po": header + 'msgid "Notes"\nmsgstr "Notas al pie"\n',
        "templates/locale/de/LC_MESSAGES/pubkit.po": header + 'msgid "Notes"\nmsgstr "Anmerkungen"\n',
    })
    theme = Theme(site.templates_dir)
    es = theme.translations("es")
    assert es.gettext("Notes") == "Notas al pie"  # the site's word
    assert es.gettext("Contents") == "Contenido"  # the rest from pubkit's Spanish
    de = theme.translations("de")
    assert (de.locale, de.missing, de.gettext("Notes")) == ("de", None, "Anmerkungen")
    assert de.gettext("Contents") == "Contents"  # not yet translated: English
    assert de.format_date(dt.date(2025, 1, 15)) == "15. Januar 2025"
    # An edit is seen by the next lookup (a long-running `pubkit watch`).
    path = site.templates_dir / "locale/es/LC_MESSAGES/pubkit.po"
    path.write_text(header + 'msgid "Notes"\nmsgstr "Notitas"\n', encoding="utf-8")
    assert theme.translations("es").gettext("Notes") == "Notitas"


def test_a_broken_catalogue_is_an_error_naming_it(make_site: Callable[..., Site]) -> None:
    site = make_site({"templates/locale/fr/LC_MESSAGES/pubkit.po": "this is not a catalogue\n"})
    with pytest.raises(i18n.CatalogueError, match=r"locale/fr/LC_MESSAGES/pubkit.po"):
        Theme(site.templates_dir).translations("fr")


def test_templates_translate_new_style_and_escape_values(tmp_path: Path) -> None:
    theme = Theme(tmp_path)
    template = theme.env.from_string(
        '{{ _("By %(name)s", name=who) }}|{{ ngettext("%(num)s min read", "%(num)s min read", n) }}'
        '|{% trans %}Notes{% endtrans %}')
    out = template.render(t=translations("es"), who="<b>Ana</b>", n=3)
    assert out == "Por &lt;b&gt;Ana&lt;/b&gt;|Lectura de 3 minutos|Notas"
    with pytest.raises(TypeError, match="needs 't'"):
        theme.env.from_string('{{ _("Notes") }}').render()
