"""How a build speaks: a Rich progress bar on a terminal, log lines otherwise, or JSON.

Finished jobs go to stdout; failures and warnings (``path:line: message``)
go to stderr, and are repeated in the summary so a long log need not be
searched.  Rich is imported only when a terminal shows the bar.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Any, TextIO

from pubkit.batch.jobs import Plan
from pubkit.batch.report import BuildSummary, JobRecord
from pubkit.diagnostics import printable


class PlainLog:
    """One line per finished job: for cron, CI and pipes."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def start(self, plan: Plan) -> None:
        if plan.job_count:
            print(f"building {plan.job_count} outputs of {len(plan.tasks)} sources "
                  f"({len(plan.skipped)} up to date)", file=self.out, flush=True)

    def note(self, message: str) -> None:
        print(f"warning: {message}", file=self.err, flush=True)

    def job(self, record: JobRecord) -> None:
        for warning in record.warnings:
            print(warning, file=self.err)
        if record.status == "failed":
            print(record.error, file=self.err, flush=True)
        elif record.status == "removed":
            for name in record.outputs:
                print(f"removed {name} ({printable(record.source)} is gone)", file=self.out, flush=True)
        else:
            print(f"{record.status} {record.format} {printable(record.source)} "
                  f"({record.seconds * 1000:.0f} ms)",
                  file=self.out, flush=True)

    def finish(self, summary: BuildSummary) -> None:
        failures = summary.failures
        if failures:
            print(f"{len(failures)} failed:", file=self.err)
            for r in failures:
                print(f"  {r.error}", file=self.err)
        for problem in summary.verify_problems:
            print(problem, file=self.err)
        print(summary.line(), file=self.out, flush=True)


class JsonLines:
    """``--json``: one object per finished job, then one summary object."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout

    def _print(self, data: dict[str, Any]) -> None:
        self.out.write(json.dumps(data, ensure_ascii=False) + "\n")
        self.out.flush()

    def start(self, plan: Plan) -> None:
        pass

    def note(self, message: str) -> None:
        # stdout carries only job objects and the summary (which repeats the notes).
        print(f"warning: {message}", file=sys.stderr, flush=True)

    def job(self, record: JobRecord) -> None:
        self._print(record.to_json())

    def finish(self, summary: BuildSummary) -> None:
        self._print(summary.to_json())


class RichProgress(PlainLog):
    """A bar per format (counts, rate, time left); failures printed above the bars."""

    def __init__(self) -> None:
        super().__init__()
        self.progress: Any = None
        self.bars: dict[str, Any] = {}

    def start(self, plan: Plan) -> None:
        if not plan.job_count:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class RateColumn(ProgressColumn):
            def render(self, task: Any) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:.1f}/s" if speed else "-/s", style="progress.data.speed")

        self.progress = Progress(
            TextColumn("{task.description:>10}"), BarColumn(), MofNCompleteColumn(),
            TaskProgressColumn(), RateColumn(), TimeRemainingColumn(),
            console=Console(stderr=True), transient=False,
        )
        per_format = Counter(f for t in plan.tasks for f in t.formats)
        for fmt, total in sorted(per_format.items()):
            self.bars[fmt] = self.progress.add_task(fmt, total=total)
        self.progress.start()

    def note(self, message: str) -> None:
        if self.progress is not None:
            self.progress.console.print(f"warning: {message}", markup=False, highlight=False)
        else:
            super().note(message)

    def job(self, record: JobRecord) -> None:
        if self.progress is None or record.status == "removed":
            super().job(record)
            return
        for text in [*record.warnings, *([record.error] if record.error else [])]:
            self.progress.console.print(text, markup=False, highlight=False)
        if record.format in self.bars:
            self.progress.advance(self.bars[record.format])

    def finish(self, summary: BuildSummary) -> None:
        if self.progress is not None:
            self.progress.stop()
        super().finish(summary)


def listener_for(json_lines: bool) -> PlainLog | JsonLines:
    if json_lines:
        return JsonLines()
    if sys.stderr.isatty():
        return RichProgress()
    return PlainLog()
