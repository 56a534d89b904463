"""The public disclosure carries no per-student data: no 学号, no rank, no student names."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "fixtures_docs"))
from docs_seed import CHARTER_BOLD, PARTY_GUIDANCE, seed_inputs  # noqa: E402

from docx import Document  # noqa: E402

from sureform.outputs.documents import build_disclosure, document_texts  # noqa: E402
from sureform.outputs.documents.extract import find_forbidden  # noqa: E402

# what a roster holds about each student: never in the disclosure
STUDENT_IDS = {"2021010101", "2020030215", "2019110342", "02021010101"}
RANKS = {"3/45", "6.7%", "0.067", "前10%", "12/80", "第3名"}
STUDENT_NAMES = {"王小明", "刘思雨", "陈嘉怡"}


def test_document_texts_reads_body_tables_composed_parts_footer_and_picture(tmp_path):
    path = tmp_path / "公开.docx"
    build_disclosure(seed_inputs(tmp_path)).save(path)
    texts = document_texts(path)
    joined = "\n".join(texts)
    assert PARTY_GUIDANCE in texts
    assert CHARTER_BOLD in texts  # composed part
    assert "91.38%" in texts  # table cell
    assert any(t.startswith("— ") for t in texts)  # footer
    assert any("主席团（4人）" in t for t in texts)  # picture description
    assert "☑达标\n□未达标" in joined


def test_document_texts_sees_headers_and_split_runs(tmp_path):
    doc = Document()
    doc.sections[0].header.paragraphs[0].text = "页眉 2021010101"
    para = doc.add_paragraph()
    para.add_run("20210")
    para.add_run("10101")
    path = tmp_path / "x.docx"
    doc.save(path)
    texts = document_texts(path)
    assert find_forbidden(texts, {"2021010101"})
    assert "页眉 2021010101" in texts and "2021010101" in texts


def test_disclosure_has_no_student_ids_ranks_or_names(tmp_path):
    path = tmp_path / "公开.docx"
    build_disclosure(seed_inputs(tmp_path)).save(path)
    texts = document_texts(path)
    assert texts
    assert find_forbidden(texts, STUDENT_IDS | RANKS | STUDENT_NAMES) == []
