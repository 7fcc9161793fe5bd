"""Reading-level figures as ``pubkit check`` reports them: diagnostics and JSON.

An article above ``[check] reading_grade`` gets one warning at its first
line of prose, and each section above it one at its heading, each quoting
its three hardest sentences with their lines::

    content/a.md:9: warning: reading grade 14.8 (target 8)
      content/a.md:13: grade 20.4: Its ability to induce a dissociative state ...

A section with fewer than ``[check] section_min_words`` words is measured
but not warned about alone, and an article that is one section is warned
about once.
"""

from __future__ import annotations

from typing import Any

from pubkit.diagnostics import Diagnostic, Severity
from pubkit.readability.measure import Figures, Language, Readability, Sentence
from pubkit.readability.wordlist import Hit
from pubkit.settings import Check

QUOTE_LIMIT = 100
"""Characters of a hard sentence quoted in a message."""


def grade_diagnostics(path: str, found: Readability, check: Check,
                      severity: Severity = "warning") -> list[Diagnostic]:
    """The warnings (or errors, under ``--strict``) for figures above the target."""
    target = check.reading_grade
    language = found.language
    out: list[Diagnostic] = []
    grade = found.figures.grade(language)
    if grade is not None and grade > target:
        out.append(Diagnostic(path, found.line, _message("", grade, target, found.figures, path),
                              severity))
    if len(found.sections) < 2:
        return out
    for part in found.sections:
        figures = part.figures
        grade = figures.grade(language)
        if grade is None or grade <= target or figures.counts.words < check.section_min_words:
            continue
        name = f"section '{part.section.title}'" if part.section.level else "introduction"
        out.append(Diagnostic(path, part.line, _message(name + ": ", grade, target, figures, path),
                              severity))
    return out


def _message(prefix: str, grade: float, target: float, figures: Figures, path: str) -> str:
    lines = [f"{prefix}reading grade {grade:.1f} (target {target:g})"]
    lines += [f"  {path}:{s.line}: grade {s.grade:.1f}: {_quote(s.text)}" for s in figures.hardest]
    return "\n".join(lines)


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT - 1].rstrip() + "…"


def word_diagnostics(path: str, hits: list[Hit], severity: Severity = "warning") -> list[Diagnostic]:
    return [Diagnostic(path, hit.line, hit.message, severity) for hit in hits]


def figures_json(figures: Figures, language: Language) -> dict[str, Any]:
    """Every figure of some prose, rounded for reading."""
    c = figures.counts
    out: dict[str, Any] = {
        "grade": _round(figures.grade(language), 1),
        "words": c.words,
        "sentences": c.sentences,
        "syllables": c.syllables,
        "words_per_sentence": round(c.words / c.sentences, 2) if c.sentences else None,
        "syllables_per_word": round(c.syllables / c.words, 3) if c.words else None,
        "long_words": c.long_words,
        "long_word_share": round(c.long_words / c.words, 3) if c.words else None,
        "polysyllables": c.polysyllables,
    }
    out.update({name: round(value, 2) for name, value in figures.scores(language).items()})
    out["hardest"] = [_sentence_json(s) for s in figures.hardest]
    return out


def _sentence_json(s: Sentence) -> dict[str, Any]:
    return {"line": s.line, "grade": round(s.grade, 1), "words": s.counts.words, "text": s.text}


def readability_json(found: Readability | None, lang: str, check: Check) -> dict[str, Any]:
    """The article's figures and each section's, for ``pubkit check --json``."""
    if found is None:
        return {"language": lang, "supported": False}
    language = found.language
    return {
        "language": language.code,
        "supported": True,
        "target": check.reading_grade,
        "long_word_syllables": language.long_word,
        **figures_json(found.figures, language),
        "sections": [
            {"id": part.section.id, "title": part.section.title, "line": part.line,
             **figures_json(part.figures, language)}
            for part in found.sections
        ],
    }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
