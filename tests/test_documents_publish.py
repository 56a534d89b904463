"""Publishing into the outbox: atomic replacement, earlier versions kept under 历史/<time>/."""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import docx
import pytest
from docx import Document

sys.path.insert(0, str(Path(__file__).parent / "fixtures_docs"))
from docs_seed import SCHOOL, seed_inputs  # noqa: E402

from sureform.outputs.documents import publish_documents, write_documents  # noqa: E402

T1 = datetime(2026, 11, 24, 9, 30, 0)
T2 = datetime(2026, 11, 24, 10, 0, 5)


def _doc(text: str):
    doc = Document()
    doc.add_paragraph(text)
    return doc


def _text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_first_publish_writes_files_and_no_history(tmp_path):
    paths = publish_documents(tmp_path, {"a.docx": _doc("一"), "b.docx": _doc("二")}, now=T1)
    assert paths == {"a.docx": tmp_path / "a.docx", "b.docx": tmp_path / "b.docx"}
    assert _text(paths["a.docx"]) == "一"
    assert not (tmp_path / "历史").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx", "b.docx"]  # no temp files left


def test_republish_moves_the_old_version_to_history(tmp_path):
    publish_documents(tmp_path, {"a.docx": _doc("旧")}, now=T1)
    publish_documents(tmp_path, {"a.docx": _doc("新")}, now=T2)
    assert _text(tmp_path / "a.docx") == "新"
    kept = tmp_path / "历史" / "20261124-100005" / "a.docx"
    assert _text(kept) == "旧"
    assert not list(tmp_path.glob(".*.tmp"))


def test_history_is_never_overwritten(tmp_path):
    publish_documents(tmp_path, {"a.docx": _doc("1")}, now=T1)
    publish_documents(tmp_path, {"a.docx": _doc("2")}, now=T2)
    publish_documents(tmp_path, {"a.docx": _doc("3")}, now=T2)  # same second: a new folder with a suffix
    publish_documents(tmp_path, {"a.docx": _doc("4")}, now=T2)
    history = tmp_path / "历史"
    assert sorted(p.name for p in history.iterdir()) == ["20261124-100005", "20261124-100005-2", "20261124-100005-3"]
    assert _text(history / "20261124-100005" / "a.docx") == "1"
    assert _text(history / "20261124-100005-2" / "a.docx") == "2"
    assert _text(history / "20261124-100005-3" / "a.docx") == "3"
    assert _text(tmp_path / "a.docx") == "4"


def test_names_must_be_plain_file_names(tmp_path):
    with pytest.raises(ValueError):
        publish_documents(tmp_path, {"../x.docx": _doc("x")})
    with pytest.raises(ValueError):
        publish_documents(tmp_path, {"历史": _doc("x")})


def test_a_failed_save_leaves_the_old_file_and_no_temp(tmp_path):
    publish_documents(tmp_path, {"a.docx": _doc("旧")}, now=T1)

    class Broken:
        def save(self, target):
            raise OSError("disk full")

    with pytest.raises(OSError):
        publish_documents(tmp_path, {"a.docx": Broken()}, now=T2)
    assert _text(tmp_path / "a.docx") == "旧"
    assert not list(tmp_path.glob(".*.tmp"))


def test_write_documents(tmp_path):
    inputs = seed_inputs(tmp_path)
    outbox = tmp_path / "outbox"
    first = write_documents(inputs, outbox, now=T1)
    assert first == {"filing": outbox / "备案表.docx", "disclosure": outbox / "改革情况公开.docx"}
    assert _text(first["filing"]).startswith("高校学生会组织深化改革评估备案表")
    assert _text(first["disclosure"]).startswith(f"{SCHOOL}学生会组织改革情况")
    inputs.verdicts[0].note = "复核后修改的备注"  # both documents show item 1, so both change
    write_documents(inputs, outbox, now=T2)
    kept = outbox / "历史" / "20261124-100005"
    assert sorted(p.name for p in kept.iterdir()) == ["备案表.docx", "改革情况公开.docx"]


def test_unchanged_documents_leave_no_history(tmp_path):
    import docx as _docx

    from sureform.outputs.documents.publish import publish_documents

    def doc(text):
        d = _docx.Document()
        d.add_paragraph(text)
        return d

    publish_documents(tmp_path, {"a.docx": doc("同样的内容")})
    publish_documents(tmp_path, {"a.docx": doc("同样的内容")})  # a nightly run with nothing new
    assert not (tmp_path / "历史").exists()
    publish_documents(tmp_path, {"a.docx": doc("新的内容")})
    assert len(list((tmp_path / "历史").iterdir())) == 1


def test_published_documents_follow_the_umask_not_0600(tmp_path):
    """The league office's other accounts on the share must be able to open them (mkstemp made them 0600)."""
    import os
    import stat

    old = os.umask(0o022)
    try:
        publish_documents(tmp_path, {"a.docx": _doc("一")})
        publish_documents(tmp_path, {"a.docx": _doc("二")})  # the first goes to 历史/
    finally:
        os.umask(old)
    modes = {p.relative_to(tmp_path).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in tmp_path.rglob("*.docx")}
    assert len(modes) == 2 and set(modes.values()) == {0o644}, modes
