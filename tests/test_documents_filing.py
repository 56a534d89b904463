"""The 备案表: form layout, check boxes, notes, official-document page and fonts."""
from __future__ import annotations

import sys
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

sys.path.insert(0, str(Path(__file__).parent / "fixtures_docs"))
from docs_seed import ITEM1_NOTE, PENDING_ITEM, PENDING_NOTE, SCHOOL, expected_verdicts, seed_inputs  # noqa: E402

from sureform.editions import load_catalogue  # noqa: E402
from sureform.outputs.documents import build_filing  # noqa: E402
from sureform.outputs.documents.form import conclusion_lines, conclusion_text, org_type_line  # noqa: E402
from sureform.model import ItemVerdict  # noqa: E402

BOXES = {"达标": "☑达标\n□未达标", "未达标": "□达标\n☑未达标", "待补充": "□达标\n□未达标"}


@pytest.fixture
def filing(tmp_path):
    path = tmp_path / "备案表.docx"
    build_filing(seed_inputs()).save(path)
    return docx.Document(str(path))


def _rows(doc):
    """(label, item text, conclusion, note) for each body row of the form table."""
    table = doc.tables[0]
    return [tuple(cell.text for cell in row.cells) for row in table.rows[1:]]


def test_title_and_organisation_line(filing):
    paragraphs = [p.text for p in filing.paragraphs if p.text.strip()]
    assert paragraphs[0] == "高校学生会组织深化改革评估备案表"
    assert paragraphs[1] == f"组织名称：{SCHOOL} ☑学生会□研究生会"


def test_graduate_union_ticks_the_other_box():
    assert org_type_line("某大学", "研究生会", ["学生会", "研究生会"]) == "组织名称：某大学 □学生会☑研究生会"
    with pytest.raises(ValueError):
        org_type_line("某大学", "团委", ["学生会", "研究生会"])


def test_header_row(filing):
    header = [cell.text for cell in filing.tables[0].rows[0].cells]
    assert header == ["项目", "项目", "验收结论", "备注"]  # 项目 spans the label and text columns


def test_every_item_in_catalogue_order_with_its_boxes(filing):
    cat = load_catalogue("2020")
    rows = _rows(filing)
    assert len(rows) == len(cat.items) == 17
    expected = expected_verdicts()
    for row, item in zip(rows, cat.items):
        label, text, conclusion, _ = row
        assert item.text in (label, text)
        assert conclusion == BOXES[expected[item.id]], item.id
        assert conclusion.count("☑") == (0 if expected[item.id] == "待补充" else 1)
        assert "\uf0fe" not in conclusion and "\uf0a8" not in conclusion  # no Wingdings code points


def test_item_3_label_spans_three_sub_rows(filing):
    cat = load_catalogue("2020")
    rows = _rows(filing)
    sub = [i for i, item in enumerate(cat.items) if item.id in ("3a", "3b", "3c")]
    assert [rows[i][0] for i in sub] == ["3. 机构和人员规模"] * 3
    assert [rows[i][1] for i in sub] == [cat.item(x).text for x in ("3a", "3b", "3c")]
    # one merged cell: the second and third sub-rows continue it
    trs = filing.tables[0]._tbl.tr_lst
    first_tc = trs[1 + sub[0]].tc_lst[0]
    assert first_tc.vMerge == "restart"
    for i in sub[1:]:
        assert trs[1 + i].tc_lst[0].vMerge == "continue"
    # ordinary items: label and text merged across two grid columns
    assert trs[1].tc_lst[0].grid_span == 2


def test_notes(filing):
    cat = load_catalogue("2020")
    notes = {item.id: row[3] for item, row in zip(cat.items, _rows(filing))}
    assert notes["1"] == ITEM1_NOTE
    assert notes["3a"] == "实有人 58"
    assert notes["3b"] == "实有人 4"
    assert notes["3c"] == "实有个 6"
    assert notes["9"] == "召开日期为：2020年10月15日"
    assert notes[PENDING_ITEM] == PENDING_NOTE
    assert notes["2"] == ""


def test_note_falls_back_to_the_catalogue_format_and_missing_verdicts_are_pending(tmp_path):
    inputs = seed_inputs()
    inputs.verdicts = [ItemVerdict(id="3a", verdict="达标", actual=37)]
    path = tmp_path / "f.docx"
    build_filing(inputs).save(path)
    rows = _rows(docx.Document(str(path)))
    cat = load_catalogue("2020")
    by_id = {item.id: row for item, row in zip(cat.items, rows)}
    assert by_id["3a"][3] == "实有人 37"
    assert by_id["5"][2] == BOXES["待补充"]
    assert by_id["5"][3].startswith("待补充")


def test_bad_verdicts_are_refused():
    inputs = seed_inputs()
    inputs.verdicts = [ItemVerdict(id="1", verdict="合格")]
    with pytest.raises(ValueError):
        build_filing(inputs)
    inputs.verdicts = [ItemVerdict(id="99", verdict="达标")]
    with pytest.raises(ValueError):
        build_filing(inputs)


def test_conclusion_helpers():
    assert conclusion_text("达标") == "☑达标 □未达标"
    assert conclusion_text("未达标") == "□达标 ☑未达标"
    assert conclusion_text("待补充") == "□达标 □未达标"
    assert conclusion_lines("达标") == ["☑达标", "□未达标"]


def test_every_run_names_its_east_asian_font(filing):
    runs = [run for p in filing.paragraphs for run in p.runs]
    runs += [run for cell in filing.tables[0]._cells for p in cell.paragraphs for run in p.runs]
    runs += [run for p in filing.sections[0].footer.paragraphs for run in p.runs]
    assert runs
    for run in runs:
        rfonts = run._element.rPr.rFonts
        assert rfonts is not None and rfonts.get(qn("w:eastAsia")), run.text
    normal = filing.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    title_run = filing.paragraphs[0].runs[0]
    assert title_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert title_run.font.size == Pt(22)
    cell_run = filing.tables[0].rows[1].cells[0].paragraphs[0].runs[0]
    assert cell_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_page_is_a4_with_official_margins(filing):
    for section in filing.sections:
        assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
        assert abs(section.top_margin - Mm(37)) < Mm(0.1)
        assert abs(section.bottom_margin - Mm(35)) < Mm(0.1)
        assert abs(section.left_margin - Mm(28)) < Mm(0.1)
        assert abs(section.right_margin - Mm(26)) < Mm(0.1)


def test_footer_has_a_centred_page_field(filing):
    footer = filing.sections[0].footer
    xml = footer._element.xml
    assert "PAGE" in "".join(t.text for t in footer._element.iter(qn("w:instrText")))
    assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
    para = footer.paragraphs[0]
    assert para.alignment == 1  # centred
    assert para.text.startswith("— ") and para.text.endswith(" —")
