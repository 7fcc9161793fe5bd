"""Facts derived once, in the model, from the sample article."""

from __future__ import annotations

from pubkit.model.article import Article
from pubkit.model.text import slugify


def test_sample_facts(sample_article: Article) -> None:
    a = sample_article
    assert a.slug == "ketamine-pain-management"
    assert a.title == "The Role of Ketamine in Pain Management"
    assert a.meta.subtitle == "Ketamine For Pain Management"
    assert a.meta.reviewed_by == "peck"  # a key of [reviewers] in the sample's pubkit.toml
    assert a.last_reviewed is not None and a.last_reviewed.isoformat() == "2026-11-16"
    assert a.meta.status == "approved" and a.meta.review_stamp is not None
    assert 400 < a.word_count < 600
    assert a.reading_time == 2  # the seed says "Reading Time: 2 minutes"
    assert a.summary.startswith("Pain, whether acute or chronic")
    assert len(a.summary) <= 300 and a.summary.endswith("…")
    assert [(e.level, e.text) for e in a.outline] == [
        (2, "Ketamine as an Anesthetic and Analgesic"),
        (2, "Benefits for Chronic Pain Management"),
        (2, "Comparing Ketamine to Opioids"),
    ]
    assert a.lang == "en"
    assert a.path == "content/ketamine-pain-management.md"
    assert len(a.source_hash) == 64


def test_slugify() -> None:
    assert slugify("The Role of Ketamine: Pain & You!") == "the-role-of-ketamine-pain-you"
    assert slugify("Café crème") == "cafe-creme"
    assert slugify("../../x") == "x"
