"""A build's main process holds a few results at a time, and keeps no output bytes.

Memory flat in the article count, asserted without timing or RSS: every
result the executor hands over is watched through a weak reference, and the
summary and manifest left at the end are searched for bytes.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pubkit.batch import executors
from pubkit.batch.runner import Builder, BuildOptions
from pubkit.batch.worker import TaskResult
from pubkit.site import open_site
from tests.batch.conftest import FAST, Collect


class Watched:
    """An executor that counts how many of the results it yielded are still alive."""

    def __init__(self, inner: executors.Executor) -> None:
        self.inner = inner
        self.name = inner.name
        self.refs: list[weakref.ref[TaskResult]] = []
        self.most_alive = 0

    def alive(self) -> int:
        return sum(ref() is not None for ref in self.refs)

    def run(self, tasks: list[Any]) -> Iterator[TaskResult]:
        for result in self.inner.run(tasks):
            self.refs.append(weakref.ref(result))
            self.most_alive = max(self.most_alive, self.alive())
            yield result
            del result

    def close(self) -> None:
        self.inner.close()


def watch(monkeypatch: pytest.MonkeyPatch) -> list[Watched]:
    made: list[Watched] = []
    real = executors.make_executor

    def make(*args: Any, **kwargs: Any) -> executors.Executor:
        made.append(Watched(real(*args, **kwargs)))
        return made[-1]

    monkeypatch.setattr(executors, "make_executor", make)
    return made


def bytes_inside(value: object, seen: set[int] | None = None) -> list[str]:
    """Paths to every ``bytes`` held (through dataclasses, dicts, lists, tuples) by ``value``."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return []
    seen.add(id(value))
    if isinstance(value, bytes | bytearray | memoryview):
        return ["<bytes>"]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        items: list[tuple[str, object]] = [(f.name, getattr(value, f.name)) for f in fields]
    elif isinstance(value, dict):
        items = [(repr(k), v) for k, v in value.items()] + [("key", k) for k in value]
    elif isinstance(value, list | tuple | set | frozenset):
        items = [(str(i), v) for i, v in enumerate(value)]
    else:
        return []
    return [f"{name}.{path}" for name, item in items for path in bytes_inside(item, seen)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_results_are_released_as_they_arrive(gen_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
                                             jobs: int) -> None:
    made = watch(monkeypatch)
    count = 40
    builder = Builder(open_site(gen_site(count, lead_images=True)), BuildOptions(FAST, jobs=jobs), Collect())
    summary = builder.run()
    assert summary.exit_code == 0 and summary.counts()["built"] == count * len(FAST)
    (watched,) = made
    assert len(watched.refs) == count  # one result per article, every one seen
    # In flight at most the local pool's window of futures (2 per worker + 2), whatever the
    # number of articles; in this process one at a time.
    bound = 1 if jobs == 1 else 2 * jobs + 2
    assert watched.most_alive <= bound < count
    assert watched.alive() == 0  # nothing the build keeps holds a result
    assert bytes_inside(summary) == []
    assert bytes_inside(builder.manifest) == []
    assert bytes_inside(builder.indexed) == []
