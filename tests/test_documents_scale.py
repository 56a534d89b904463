"""Issue 20 points 8 (documents part) and 9: documents for an edition with many items or units are built in time
linear in their size, and a 机构信息 with more 院系 than any school has is refused.

The speed itself is measured by `bench/units_scale.py`, never asserted here. What is held here: the item tables'
rows, written as XML with their spans in place (`style.append_rows`), are exactly what python-docx's own
`write_cell` and `merge` make of the same cells; and the cap's message.
"""
from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import file_report

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "inbox"


def _normalised(xml: str) -> str:
    return re.sub(r' xmlns:\w+="[^"]*"', "", xml)


def _python_docx_row(table, specs):
    """One row as the code before `append_rows` wrote it: `write_cell` into each cell, `merge` for a span."""
    from sureform.outputs.documents import style

    row = table.add_row()
    for c, w in zip(row.cells, (style.Mm(24), style.Mm(74), style.Mm(22), style.Mm(36))):
        c.width = w
    cells, column = [], 0
    for spec in specs:
        cell = row.cells[column]
        if spec.span > 1:
            cell = cell.merge(row.cells[column + spec.span - 1])
        cells.append(cell)
        column += spec.span
    for cell, spec in zip(cells, specs):
        style.write_cell(cell, spec.lines, font=spec.font, size=spec.size, bold=spec.bold, align=spec.align)
    row._tr.get_or_add_trPr().append(style.OxmlElement("w:cantSplit"))
    return row._tr


@pytest.mark.parametrize("lines", [
    "1. 坚持全心全意服务同学", ["☑是", "□否"], "", " 前后有空格 ", "甲\t乙\n丙\r丁", "a & b < c > d \"e\"",
    "控制\x07字符", ["一", "", "三"], "　全角空格开头",
])
def test_append_rows_writes_what_write_cell_and_merge_write(lines):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from lxml import etree

    from sureform.outputs.documents import style

    for specs in ([style.CellSpec(lines.replace("\x07", "") if isinstance(lines, str) else lines, span=2),
                   style.CellSpec(["☑是", "□否"], align=WD_ALIGN_PARAGRAPH.CENTER), style.CellSpec("实有58")],
                  [style.CellSpec(lines if isinstance(lines, list) else lines.replace("\x07", "")),
                   style.CellSpec("项目", font=style.TABLE_HEADER_FONT, align=WD_ALIGN_PARAGRAPH.CENTER),
                   style.CellSpec("x", bold=True), style.CellSpec("y", bold=None)]):
        doc = style.new_document()
        fast = style.new_table(doc, rows=0, widths=[style.Mm(24), style.Mm(74), style.Mm(22), style.Mm(36)])
        style.append_rows(fast, [specs])
        slow = style.new_table(doc, rows=0, widths=[style.Mm(24), style.Mm(74), style.Mm(22), style.Mm(36)])
        expected = _python_docx_row(slow, specs)
        got = fast._tbl.tr_lst[-1]
        assert _normalised(etree.tostring(got, encoding="unicode")) == \
            _normalised(etree.tostring(expected, encoding="unicode"))
    if isinstance(lines, str) and "\x07" in lines:  # a character XML cannot hold is dropped, never a crash
        doc = style.new_document()
        table = style.new_table(doc, rows=0, widths=[style.Mm(24), style.Mm(74), style.Mm(22), style.Mm(36)])
        style.append_rows(table, [[style.CellSpec(lines, span=4)]])
        assert "控制字符" in etree.tostring(table._tbl, encoding="unicode")


def test_a_group_of_sub_items_is_one_vertically_merged_label(tmp_path):
    """2020's item 3 (3a–3c): the label cell starts a vertical merge continued by the next two rows, which keep
    with the next row; no row splits across pages and the header repeats."""
    import docx

    shutil.copytree(EXAMPLES, tmp_path / "inbox")
    from sureform.pipeline import RunOptions, run_pipeline

    run_pipeline(RunOptions(tmp_path / "inbox", tmp_path / "outbox", tmp_path / "state", date(2020, 11, 24), "2020", 0))
    doc = docx.Document(str(tmp_path / "outbox" / "备案表.docx"))
    table = doc.tables[0]
    xml = table._tbl.xml
    assert xml.count('w:vMerge w:val="restart"') == 1 and xml.count("<w:vMerge/>") == 2
    assert xml.count("<w:cantSplit/>") == len(table.rows) and xml.count("<w:tblHeader/>") == 1
    labels = [row.cells[0].text for row in table.rows]
    group = [t for t in labels if t.startswith("3")]
    assert len(group) == 3 and len(set(group)) == 1  # one merged label over the three sub-rows


def test_more_unions_than_any_school_has_are_refused(tmp_path):
    """501 院系 in 二级组织信息: 机构信息.xlsx is rejected with one Chinese error on the sheet; the rest of the sample
    is accepted and the run exits normally."""
    from openpyxl import load_workbook

    from sureform.intake.readers.institution import UNITS_MAX
    from sureform.pipeline import RunOptions, run_pipeline

    inbox = tmp_path / "inbox"
    shutil.copytree(EXAMPLES, inbox)
    wb = load_workbook(inbox / "机构信息.xlsx")
    ws = wb["二级组织信息"]
    for n in range(UNITS_MAX - 1):  # with the sample's two: one more than the cap
        ws.append([f"第{n + 1:04d}系", "学生会", "部门", None, "办公室", "负责办公室的日常工作。", None])
    wb.save(inbox / "机构信息.xlsx")
    report = run_pipeline(RunOptions(inbox, tmp_path / "outbox", tmp_path / "state", date(2020, 11, 24), "2021", 0))
    f = file_report(report, "机构信息.xlsx")
    assert f["status"] == "rejected"
    errors = [i for i in f["issues"] if i["severity"] == "error"]
    assert [(i["code"], i["sheet"], i["value"]) for i in errors] == [("units-too-many", "二级组织信息", "501")]
    assert "500" in errors[0]["message"] and "二级组织信息" in errors[0]["message"]
    assert file_report(report, "石油工程系/工作人员名单.xlsx")["status"] == "accepted"


def test_at_the_cap_the_institution_is_read(tmp_path):
    """Exactly 500 院系 is still read (the cap refuses only what no school has)."""
    from sureform.intake.grid import read_grids
    from sureform.intake.readers.institution import UNITS_MAX, read_institution
    from sureform.editions import load_catalogue
    from openpyxl import load_workbook

    wb = load_workbook(EXAMPLES / "机构信息.xlsx")
    ws = wb["二级组织信息"]
    for n in range(UNITS_MAX - 2):
        ws.append([f"第{n + 1:04d}系", "学生会", "部门", None, "办公室", "负责办公室的日常工作。", None])
    wb.save(tmp_path / "机构信息.xlsx")
    records, issues = read_institution(read_grids(tmp_path / "机构信息.xlsx"), "机构信息.xlsx", load_catalogue("2021"))
    assert "units-too-many" not in [i.code for i in issues]
    assert len({r["unit"] for r in records if r.get("_table") == "unit_facts"}) == UNITS_MAX
