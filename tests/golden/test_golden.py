"""The sample site renders exactly as the reviewed golden files, in every format."""

from __future__ import annotations

import difflib

from tests.golden.regenerate import HERE, render_sample


def test_sample_matches_golden_files() -> None:
    rendered = render_sample()
    golden = {
        p.relative_to(HERE / "sample").as_posix(): p.read_bytes()
        for p in (HERE / "sample").rglob("*") if p.is_file()
    }
    assert sorted(rendered) == sorted(golden), "outputs added or removed: run `make golden`"
    formats = {name.split("/")[0] for name in golden}
    assert formats == {"html", "pdf", "docx", "email", "newsletters"}
    changed = []
    for name, data in rendered.items():
        if data == golden[name]:
            continue
        try:
            diff = "\n".join(difflib.unified_diff(
                golden[name].decode().splitlines(), data.decode().splitlines(),
                f"golden/{name}", f"rendered/{name}", lineterm="", n=2))
        except UnicodeDecodeError:
            diff = f"{name}: binary part differs ({len(golden[name])} -> {len(data)} bytes)"
        changed.append(diff[:3000])
    assert not changed, "differs from its golden file (`make golden`):\n" + "\n".join(changed)
