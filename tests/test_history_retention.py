"""outbox/历史/ keeps every version of the last `history_days` days, then the newest of each month per document;
emptied timestamp folders go, the published documents and anything not ours stay."""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import docx

from sureform.outputs.documents.publish import HISTORY_DIR, prune_history, publish_documents

NOW = datetime(2026, 11, 24, 12, 0, 0)  # cutoff with the default 30 days: 2026-10-25 12:00:00

# folder -> document names kept in it
FOLDERS = {
    "20261120-100000": ["a.docx", "b.docx"],  # 4 days
    "20261101-090000": ["a.docx"],
    "20261025-120000": ["a.docx"],  # exactly 30 days: still within
    "20261025-115959": ["a.docx"],  # one second older: October's newest older a.docx
    "20261010-080000": ["a.docx", "b.docx"],  # a: an older one in October, b: October's only older one
    "20261010-080000-2": ["a.docx"],  # same second, later (suffix): still older than 20261025-115959
    "20260915-100000": ["a.docx"],
    "20260902-100000": ["a.docx", "b.docx"],
    "20251231-235959": ["a.docx"],
    "20251201-000000": ["a.docx"],
    "20250101-000000": [],  # left empty by a crash between mkdir and link
}
REMOVED = {
    "20261010-080000/a.docx", "20261010-080000-2/a.docx", "20260902-100000/a.docx", "20251201-000000/a.docx",
}


def make_history(outbox: Path) -> None:
    root = outbox / HISTORY_DIR
    for folder, names in FOLDERS.items():
        (root / folder).mkdir(parents=True)
        for name in names:
            (root / folder / name).write_bytes(f"{folder}/{name}".encode())
    (root / "说明").mkdir()  # not a timestamp folder: not ours
    (root / "说明" / "a.docx").write_bytes(b"x")
    (root / "readme.txt").write_bytes(b"x")
    (root / "20260101-000000-x").mkdir()  # not our pattern either
    for name in ("a.docx", "b.docx"):  # the published ones, hard links to the newest kept versions as publish makes
        os.link(root / "20261120-100000" / name, outbox / name)


def listing(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def test_prune_keeps_recent_versions_and_the_newest_of_each_older_month(tmp_path):
    make_history(tmp_path)
    root = tmp_path / HISTORY_DIR
    before = listing(root)

    removed = prune_history(tmp_path, 30, now=NOW)

    assert {p.relative_to(root).as_posix() for p in removed} == REMOVED
    survivors = {f"{folder}/{name}" for folder, names in FOLDERS.items() for name in names} - REMOVED
    assert survivors == {
        "20261120-100000/a.docx", "20261120-100000/b.docx", "20261101-090000/a.docx", "20261025-120000/a.docx",
        "20261025-115959/a.docx", "20261010-080000/b.docx", "20260915-100000/a.docx", "20260902-100000/b.docx",
        "20251231-235959/a.docx",
    }
    gone_folders = {"20261010-080000-2", "20251201-000000", "20250101-000000"}  # emptied (or empty): removed
    assert listing(root) == before - REMOVED - gone_folders
    for item in survivors:
        assert (root / item).read_bytes() == item.encode()
    for name in ("a.docx", "b.docx"):  # the published documents are untouched
        assert (tmp_path / name).read_bytes() == f"20261120-100000/{name}".encode()
    assert (root / "说明" / "a.docx").exists() and (root / "readme.txt").exists()
    assert (root / "20260101-000000-x").is_dir()

    assert prune_history(tmp_path, 30, now=NOW) == []  # nothing more to do
    assert listing(root) == before - REMOVED - gone_folders


def test_prune_with_a_shorter_period_and_without_history(tmp_path):
    assert prune_history(tmp_path, 30, now=NOW) == []  # no 历史/ yet
    make_history(tmp_path)
    root = tmp_path / HISTORY_DIR
    prune_history(tmp_path, 7, now=NOW)  # cutoff 2026-11-17 12:00: November's older a.docx is 20261101
    kept_a = {p.parent.name for p in root.glob("2*/a.docx")}
    assert kept_a == {"20261120-100000", "20261101-090000", "20261025-120000", "20260915-100000", "20251231-235959"}
    kept_b = {p.parent.name for p in root.glob("2*/b.docx")}
    assert kept_b == {"20261120-100000", "20261010-080000", "20260902-100000"}


def _doc(text: str):
    d = docx.Document()
    d.add_paragraph(text)
    return d


def test_publishing_prunes_history(tmp_path):
    """Each publish trims 历史/ as of its own time; history_days=None keeps everything."""
    months = [datetime(2026, m, d, 9, 0, 0) for m in (6, 7) for d in (1, 10, 20)]
    for i, when in enumerate(months):
        publish_documents(tmp_path, {"a.docx": _doc(f"第 {i} 版")}, now=when, history_days=None)
    root = tmp_path / HISTORY_DIR
    assert len(list(root.iterdir())) == 5  # every earlier version so far

    publish_documents(tmp_path, {"a.docx": _doc("最新")}, now=datetime(2026, 9, 1, 9, 0, 0))  # default: 30 days
    # kept: this publish's folder (version 5); older than 2026-08-02, June's newest (folder 06-20, version 1)
    # and July's newest (folder 07-20, version 4)
    assert sorted(p.name for p in root.iterdir()) == ["20260620-090000", "20260720-090000", "20260901-090000"]
    assert docx.Document(str(tmp_path / "a.docx")).paragraphs[0].text == "最新"
    assert docx.Document(str(root / "20260901-090000" / "a.docx")).paragraphs[0].text == "第 5 版"
    assert docx.Document(str(root / "20260620-090000" / "a.docx")).paragraphs[0].text == "第 1 版"
    assert docx.Document(str(root / "20260720-090000" / "a.docx")).paragraphs[0].text == "第 4 版"
