"""The record of a build: every job with its status, and ``build-report.json``."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pubkit import __version__
from pubkit.output import write_atomic

REPORT_NAME = "build-report.json"
_string = json.encoder.encode_basestring_ascii
"""A string as JSON text, as ``json.dumps`` writes it (in C)."""
STATUSES = ("built", "skipped", "failed", "removed")


@dataclass
class JobRecord:
    """One (source, format) of a build."""

    source: str
    format: str
    status: str
    seconds: float = 0.0
    error: str | None = None
    """``path:line: message`` when the job failed."""
    warnings: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    worker: str = ""
    images_made: int = 0
    """Copies of pictures (a web page's widths) this job encoded."""
    images_reused: int = 0
    """Copies of pictures this job found already made (in memory or the site's image cache)."""

    def to_line(self) -> str:
        """:meth:`to_json` as compact JSON text, made by hand: the lines of a big report."""
        return (f'{{"source":{_string(self.source)},"format":{_string(self.format)},'
                f'"status":{_string(self.status)},"seconds":{round(self.seconds, 4)!r},'
                f'"error":{"null" if self.error is None else _string(self.error)},'
                f'"warnings":[{",".join(map(_string, self.warnings))}],'
                f'"outputs":[{",".join(map(_string, self.outputs))}],"worker":{_string(self.worker)}}}')

    def to_json(self) -> dict[str, Any]:
        # By hand, not dataclasses.asdict (which deep-copies): a report of 20,000 jobs is
        # written by every build, the no-op one included.
        return {"source": self.source, "format": self.format, "status": self.status,
                "seconds": round(self.seconds, 4), "error": self.error,
                "warnings": list(self.warnings), "outputs": list(self.outputs), "worker": self.worker}


@dataclass
class BuildSummary:
    records: list[JobRecord] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    workers: dict[str, int] = field(default_factory=dict)
    """Worker (host:pid) -> peak resident memory in KiB."""
    seconds: float = 0.0
    executor: str = "none"
    verify: dict[str, Any] | None = None
    """``build --verify``: items checked and missing per format (see :mod:`pubkit.verify`)."""
    verify_problems: list[str] = field(default_factory=list)
    """``build --verify``: each missing item as ``path:line: format: missing ...``."""
    pages: JobRecord | None = None
    """The site's own pages (home, topics, sitemap, feed): one job of their own, not an
    article's, so not among :attr:`records` nor in the counts; None when the web pages were
    not built."""

    def counts(self) -> dict[str, int]:
        found = Counter(r.status for r in self.records)
        return {status: found.get(status, 0) for status in STATUSES}

    @property
    def failures(self) -> list[JobRecord]:
        pages = [self.pages] if self.pages is not None and self.pages.status == "failed" else []
        return [r for r in self.records if r.status == "failed"] + pages

    @property
    def exit_code(self) -> int:
        return 1 if self.failures or self.verify_problems else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": True,
            **self.counts(),
            "seconds": round(self.seconds, 3),
            "executor": self.executor,
            "formats": self.formats,
            "errors": [r.error for r in self.failures],
            "removed_files": sorted(self.removed),
            "notes": self.notes,
            "images": {"made": sum(r.images_made for r in self.records),
                       "reused": sum(r.images_reused for r in self.records)},
            "workers": [{"worker": w, "peak_rss_mb": round(kb / 1024, 1)}
                        for w, kb in sorted(self.workers.items())],
            **({"verify": {**self.verify, "problems": self.verify_problems}} if self.verify is not None
               else {}),
            **({"pages": self.pages.to_json()} if self.pages is not None else {}),
        }

    def line(self) -> str:
        c = self.counts()
        text = (f"{c['built']} built, {c['skipped']} up to date, {c['failed']} failed, "
                f"{c['removed']} removed in {self.seconds:.2f} s")
        if self.pages is not None and self.pages.status == "built":
            text += f"; site pages rebuilt ({len(self.pages.outputs)} files)"
        if self.verify is not None:
            text += f"; verified {self.verify['checked']} items, {self.verify['missing']} missing"
        return text


def write_report(out_dir: Path, summary: BuildSummary) -> None:
    """Write ``build-report.json``: the summary and every job, one job a line.

    Each line on its own: ``json.dumps`` with an indent runs in pure Python, a
    few seconds for the 20,000 jobs of a site of ten thousand articles.
    """
    data = {
        "pubkit": __version__,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **summary.to_json(),
    }
    data.pop("summary")
    head = json.dumps(data, indent=1)
    lines = ",\n".join(r.to_line() for r in summary.records)
    text = (f'{head[:-2]},\n "jobs": [\n{lines}\n ]\n}}' if summary.records
            else json.dumps({**data, "jobs": []}, indent=1))
    write_atomic(out_dir / REPORT_NAME, text.encode("utf-8"))
