"""The form-table reader (`sureform.intake.form_tables`) on blank forms as provinces and offices really send
them: every variant of the 2021–22 改革自评表 below, built in python-docx (and one .doc made by LibreOffice),
gives the same ids, marks, rules, parameters and 备注 patterns as the same form in the `★1.` style; odd
numbering is named; a file that is not a Word form gets a Chinese message saying what it is."""
from __future__ import annotations

import copy
import os
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sureform.intake.form_tables import FormUnreadable, read_form_tables, soffice_path, split_number, verdict_choices
from sureform.rules.form_import import edition_from_form, form_findings, read_form
from sureform.rules.library import EditionError, load_edition

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "examples"))
import make_blank_forms as blanks  # noqa: E402

ITEMS = blanks.ITEMS_2022  # (mark, text, 备注) of items 1–11, as published
BOX = "□是 □否"


def published(n: int, mark: str) -> str:
    return f"{n}{mark}."


STYLES = {
    "★1.": lambda n, m: f"{m}{n}.",
    "1★.": published,
    "1.★": lambda n, m: f"{n}.{m}",
    "1★、": lambda n, m: f"{n}{m}、",
    "（1）": lambda n, m: f"{m}（{n}）",
    "１★．": lambda n, m: f"{chr(0xFF10 + n) if n < 10 else '１' + chr(0xFF10 + n - 10)}{m}．",
}


def form(path: Path, *, style=published, items=ITEMS, columns=("指标", "结论", "备注"), verdict=BOX,
         legend=blanks.LEGEND_2022, title=blanks.TITLE_2022_SCHOOL, number_column: str | None = None,
         wrap: dict[int, int] | None = None, merged_wrap=False, explanation: str | None = None,
         explanation_spans=True, where="body", auto_list=False, notes: dict[int, str] | None = None,
         drop: tuple[int, ...] = (), repeat: tuple[int, ...] = (), heading="一、改革自评表") -> Path:
    """A 改革自评表 with one school table. `wrap` {item: at}: the item's text continues on a second row from
    character `at` (the 结论 cell of that row empty, or merged with the row above when `merged_wrap`);
    `number_column`: the number in a column of its own with this header; `where`: body, textbox or nested."""
    doc = docx.Document()
    doc.add_paragraph(heading)
    doc.add_paragraph(legend)
    rows: list[tuple[str, str, str, str, bool]] = []  # number cell, text, verdict, note, continuation
    numbers = [n for n in range(1, len(items) + 1) if n not in drop]
    numbers += list(repeat)
    for n in sorted(numbers):
        mark, text, note = items[n - 1]
        note = (notes or {}).get(n, note)
        label = style(n, mark)
        at = (wrap or {}).get(n)
        first, rest = (text[:at], text[at:]) if at else (text, "")
        if number_column is not None:
            rows.append((label, first, verdict, note, False))
        elif auto_list:
            rows.append(("", f"{mark}{first}", verdict, note, False))
        else:
            rows.append(("", f"{label} {first}", verdict, note, False))
        if rest:
            rows.append(("", rest, "", "", True))
    cols = 4 if number_column is not None else 3
    extra = 1 if explanation else 0
    container = doc
    if where == "nested":
        outer = doc.add_table(rows=1, cols=1)
        container = outer.cell(0, 0)
        container.paragraphs[0].text = title
    else:
        doc.add_paragraph(title)
    table = container.add_table(rows=1 + len(rows) + extra, cols=cols)
    table.style = "Table Grid"
    header = ([number_column] if number_column is not None else []) + list(columns)
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    numbering = _list_numbering(doc) if auto_list else None
    for r, (number, text, verdict_text, note, continued) in enumerate(rows, start=1):
        cells = table.rows[r].cells
        offset = 1 if number_column is not None else 0
        if number_column is not None:
            cells[0].text = number
        cells[offset].text = text
        if numbering is not None and not continued:
            _number_paragraph(cells[offset].paragraphs[0], numbering)
        if continued and merged_wrap:
            table.cell(r - 1, offset + 1).merge(table.cell(r, offset + 1))
            table.cell(r - 1, offset + 2).merge(table.cell(r, offset + 2))
        else:
            cells[offset + 1].text = verdict_text
            cells[offset + 2].text = note
    if explanation:
        last = table.rows[-1].cells
        if explanation_spans:
            last[0].merge(last[-1]).text = explanation
        else:
            last[1 if number_column is not None else 0].text = explanation
    if where == "textbox":
        _into_text_box(doc, table)
    doc.add_paragraph()  # as Word ends every document
    doc.save(str(path))
    return path


def _list_numbering(doc) -> str:
    """A list definition `%1.` in numbering.xml; the numId."""
    numbering = doc.part.numbering_part.element
    abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                         '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>')
    numbering.insert(0, abstract)
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


def _number_paragraph(paragraph, num_id: str) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))


def _into_text_box(doc, table) -> None:
    """Move the table into a text box, as Word writes one: a DrawingML shape and its VML fallback copy."""
    tbl = table._tbl
    tbl.getparent().remove(tbl)
    mc = ('xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
          'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
          'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
          'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:v="urn:schemas-microsoft-com:vml"')
    run = parse_xml(
        f'<w:r {nsdecls("w")} {mc}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        '<wps:wsp><wps:txbx><w:txbxContent/></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor>'
        '</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent/></v:textbox></v:shape>'
        '</w:pict></mc:Fallback></mc:AlternateContent></w:r>')
    boxes = run.findall(".//" + qn("w:txbxContent"))
    for box in boxes:
        box.append(copy.deepcopy(tbl))
        box.append(parse_xml(f'<w:p {nsdecls("w")}/>'))
    doc.add_paragraph()._p.append(run)


def summary(path: Path) -> list[tuple]:
    ed = edition_from_form(read_form(path), "x")
    return [(it.get("table", "校级"), it["id"], it.get("mark", ""), it.get("rule"), it.get("params", {}),
             it.get("note")) for it in ed["items"]]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> list[tuple]:
    path = blanks.form_2022(tmp_path_factory.mktemp("ref") / "ref.docx")  # the ★1. sample
    found = summary(path)
    assert [f[1] for f in found] == [str(n) for n in range(1, 12)]
    assert [f[1] for f in found if f[2] == "★"] == ["1", "11"]
    return found


# ---- numbers and marks ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("★1. 坚持", ("1", "★", "坚持")), ("1★. 坚持", ("1", "★", "坚持")), ("1.★坚持", ("1", "★", "坚持")),
    ("11★、按期", ("11", "★", "按期")), ("（1）坚持", ("1", "", "坚持")), ("１２▲．校级", ("12", "▲", "校级")),
    ("12▲. 校级", ("12", "▲", "校级")), ("3 工作人员", ("3", "", "工作人员")), ("2019年10月以来", (None, "", "2019年10月以来")),
    ("1.5倍", (None, "", "1.5倍")), ("★坚持", (None, "★", "坚持")), ("40人", (None, "", "40人")),
])
def test_split_number(text, expected):
    assert split_number(text) == expected


def test_verdict_choices_read_ticks_boxes_and_typed_words():
    assert verdict_choices("□是 □否") == (("是", "否"), ())
    assert verdict_choices("☑是 □否") == (("是", "否"), ("是",))
    assert verdict_choices("■达标\n□未达标") == (("达标", "未达标"), ("达标",))
    assert verdict_choices("是√ 否") == (("是", "否"), ("是",))
    assert verdict_choices("否") == (("否",), ("否",))


# ---- every variant reads as the ★1. form --------------------------------------------------------------------
@pytest.mark.parametrize("style", list(STYLES))
def test_every_numbering_style_gives_the_same_edition(tmp_path, reference, style):
    path = form(tmp_path / "f.docx", style=STYLES[style])
    assert summary(path) == reference
    warnings, _ = form_findings(read_form(path))
    assert warnings == []


@pytest.mark.parametrize("header", ["序号", ""])
def test_numbers_in_their_own_column(tmp_path, reference, header):
    path = form(tmp_path / "f.docx", number_column=header, style=lambda n, m: f"{n}{m}")
    assert summary(path) == reference
    assert all(r.numbered_by == "column" for r in read_form(path).tables[0].rows)


def test_automatic_list_numbering(tmp_path, reference):
    path = form(tmp_path / "f.docx", auto_list=True)
    assert summary(path) == reference
    rows = read_form(path).tables[0].rows
    assert all(r.numbered_by == "list" for r in rows)


@pytest.mark.parametrize("merged", [False, True])
def test_wrapped_rows_continue_the_item_above(tmp_path, reference, merged):
    path = form(tmp_path / "f.docx", wrap={3: 12, 8: 40, 9: 30}, merged_wrap=merged)
    assert summary(path) == reference
    blank = read_form(path)
    rows = {r.number: r for r in blank.tables[0].rows}
    assert rows["8"].lines == 2 and rows["8"].text == ITEMS[7][1]
    assert rows["3"].note_cell.strip() == blanks.BLANK_PEOPLE
    warnings, notes = form_findings(blank)
    assert warnings == [] and any("跨行" in n for n in notes)


@pytest.mark.parametrize("spans", [True, False])
def test_an_explanation_row_is_not_an_item(tmp_path, reference, spans):
    text = "说明：请在“结论”栏对应的“□”内打“√”，并在备注栏填写实有人数、个数和召开日期。"
    path = form(tmp_path / "f.docx", explanation=text, explanation_spans=spans)
    assert summary(path) == reference
    assert read_form(path).tables[0].explanations == [text]


@pytest.mark.parametrize("where", ["textbox", "nested"])
def test_a_table_in_a_text_box_or_a_layout_table_is_found_once(tmp_path, reference, where):
    path = form(tmp_path / "f.docx", where=where)
    blank = read_form(path)
    assert len(blank.tables) == 1 and blank.tables[0].where == {"textbox": "文本框", "nested": "表格内"}[where]
    assert summary(path) == reference
    assert blank.tables[0].title == blanks.TITLE_2022_SCHOOL
    assert any("中找到" in n for n in form_findings(blank)[1])


def test_the_2020_merged_group_rows_and_full_width_numbers_of_2020(tmp_path):
    from sureform.editions import load_catalogue

    blank = read_form(blanks.form_2020(tmp_path / "f.docx"))
    rows = blank.tables[0].rows
    assert [r.number for r in rows][:5] == ["1", "2", "3a", "3b", "3c"]
    assert {r.group for r in rows[2:5]} == {"3. 机构和人员规模"} and rows[2].numbered_by == "group"
    assert form_findings(blank)[0] == []
    ed = edition_from_form(blank, "x")
    assert [it["id"] for it in ed["items"]] == [it.id for it in load_catalogue("2020").items]


def test_published_samples_import_like_the_builtin_2022(tmp_path):
    from sureform.editions import load_catalogue

    builtin = [(it.id, it.mark, it.rule, it.params, it.note) for it in load_catalogue("2022").items]
    for make in (blanks.form_2023, blanks.form_2024):
        ed = edition_from_form(read_form(make(tmp_path / f"{make.__name__}.docx")), "x")
        got = [(it["id"], it.get("mark", ""), it.get("rule"), it.get("params", {}), it.get("note")) for it in ed["items"]]
        assert got == builtin, make.__name__
        assert ed["verdict_labels"] == ["是", "否"]
    ed = edition_from_form(read_form(blanks.form_2024(tmp_path / "b.docx")), "x")
    assert ed["legend"] == "标注“★”为核心指标。" and "observation_binding" not in ed
    assert ed["items"][5]["text"] == blanks.ITEM_6_2024
    assert (HERE.parent / "examples" / "forms" / "改革自评表-2023-2024-空白.docx").is_file()
    assert (HERE.parent / "examples" / "forms" / "改革自评表-2022-2023-空白.docx").is_file()


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice is not installed")
def test_a_legacy_doc_made_by_libreoffice_imports_like_the_docx(tmp_path, reference):
    source = form(tmp_path / "空白表.docx")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice_path(), f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--convert-to", "doc", "--outdir", str(tmp_path / "doc"), str(source)],
                       check=True, capture_output=True, timeout=120)
    doc_file = tmp_path / "doc" / "空白表.doc"
    assert doc_file.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    blank = read_form(doc_file)
    assert blank.converted_from == "doc"
    assert summary(doc_file) == reference
    wps = tmp_path / "空白表.wps"  # WPS's own extension for the same format
    wps.write_bytes(doc_file.read_bytes())
    assert read_form(wps).converted_from == "wps"


# ---- never silently lose an item ---------------------------------------------------------------------------
def test_a_missing_or_repeated_item_is_named(tmp_path):
    warnings, _ = form_findings(read_form(form(tmp_path / "a.docx", drop=(1,))))
    assert warnings == ["“（一）校级学生会组织改革自评表”：第 1 项缺失"]
    warnings, _ = form_findings(read_form(form(tmp_path / "b.docx", repeat=(5,))))
    assert warnings == ["“（一）校级学生会组织改革自评表”：第 5 项重复"]


def test_an_unnumbered_row_with_its_own_verdict_in_a_numbered_table_is_said(tmp_path):
    doc = docx.Document()
    t = doc.add_table(rows=3, cols=3)
    for cell, text in zip(t.rows[0].cells, ("指标", "结论", "备注")):
        cell.text = text
    t.rows[1].cells[0].text, t.rows[1].cells[1].text = "学生会组织建立了联系服务同学的长效机制。", BOX
    t.rows[2].cells[0].text, t.rows[2].cells[1].text = "2. 工作部门不超过6个。", BOX
    doc.save(str(tmp_path / "f.docx"))
    blank = read_form(tmp_path / "f.docx")
    assert [r.number for r in blank.tables[0].rows] == ["1", "2"]
    warnings, _ = form_findings(blank)
    assert any("没有编号" in w and "第 1 项" in w for w in warnings)


def test_cli_stops_on_odd_numbering_unless_forced(tmp_path, monkeypatch, capsys):
    from sureform.cli import main

    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SUREFORM_CONFIG", raising=False)
    path = form(tmp_path / "缺项.docx", drop=(1,))
    assert main(["editions", "import", str(path)]) == 1
    out = capsys.readouterr().out
    assert "第 1 项缺失" in out and "未写入" in out and "--force" in out
    assert "★11" in out  # every row as read is still shown
    assert not (tmp_path / "editions" / "缺项.toml").exists()
    assert main(["editions", "import", str(path), "--force"]) == 0
    assert "已写入" in capsys.readouterr().out and (tmp_path / "editions" / "缺项.toml").is_file()


# ---- verdict words from the layout ---------------------------------------------------------------------------
@pytest.mark.parametrize("columns,title,legend,words,guessed", [
    (("指标", "结论", "备注"), "（一）校级学生会组织改革自评", "标注“★”为核心指标。", ["是", "否"], False),
    (("项目", "评估结论", "备注"), "校级学生会组织情况", "", ["是", "否"], False),
    (("项目", "符合标准情况", "备注"), "二级学生会组织情况", "", ["是", "否"], False),
    (("项目", "验收结论", "备注"), "校级学生会组织情况", "", ["达标", "未达标"], False),
    (("项目", "自评情况", "备注"), "情况表", "", ["达标", "未达标"], True),
])
def test_verdict_words_come_from_the_layout_when_the_cells_are_empty(tmp_path, columns, title, legend, words, guessed):
    path = form(tmp_path / "f.docx", columns=columns, title=title, legend=legend or "一张表", verdict="",
                heading="备案表" if "自评" in title else "情况汇总")
    blank = read_form(path)
    ed = edition_from_form(blank, "x")
    assert ed["verdict_labels"] == words
    warnings, notes = form_findings(blank)
    said = warnings if guessed else notes
    assert any("/".join(words) in line for line in said)
    assert not any("结论用语" in w or "结论栏" in w for w in (notes if guessed else warnings))


# ---- a filled form used as a blank ---------------------------------------------------------------------------
def test_a_filled_form_gives_the_blank_patterns_and_its_ticks_are_ignored(tmp_path, reference):
    filled = {3: "实有38人", 4: "实有5人", 5: "实有６个", 11: "召开日期为：2021年4月10日"}
    path = form(tmp_path / "去年.docx", verdict="☑是 □否", notes=filled)
    assert summary(path) == reference
    blank = read_form(path)
    assert blank.filled and blank.tables[0].rows[0].ticked == ("是",)
    assert any("已填写" in n for n in form_findings(blank)[1])


def test_wingdings_boxes_and_header_values_are_read_for_the_review(tmp_path):
    doc = docx.Document()
    doc.add_paragraph("组织名称：某某职业技术学院　☑学生会□研究生会")
    doc.add_paragraph("二级学生会组织（含二级院系、书院、分校区等学生会、研究生会）数量：12")
    t = doc.add_table(rows=2, cols=3)
    for cell, text in zip(t.rows[0].cells, ("项目", "评估结论", "备注")):
        cell.text = text
    t.rows[1].cells[0].text = "1. 工作人员不超过40人。"
    para = t.rows[1].cells[1].paragraphs[0]
    for glyph, word in (("R", "是"), ("£", "否")):
        run = para.add_run(glyph)
        run.font.name = "Wingdings 2"
        para.add_run(word)
    t.rows[1].cells[2].text = "实有51人"
    doc.save(str(tmp_path / "f.docx"))
    blank = read_form_tables(tmp_path / "f.docx")
    row = blank.tables[0].rows[0]
    assert (row.number, row.verdict_cell, row.offered, row.ticked, row.note_cell) == \
        ("1", "☑是□否", ("是", "否"), ("是",), "实有51人")
    fields = {h.key: h for h in blank.header_fields}
    assert fields["org"].value.startswith("某某职业技术学院") and fields["units"].value == "12"


# ---- files that are not Word forms ---------------------------------------------------------------------------
def _no_english(text: str) -> None:
    for word in ("Package", "not found", "zip", "Error", "error", "File"):
        assert word not in text, text


def test_files_that_are_not_word_forms_are_named_in_chinese(tmp_path, monkeypatch):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["指标", "结论"])
    wb.save(tmp_path / "表.docx")
    (tmp_path / "名单.docx").write_text("姓名,学号\n张三,2024010101\n", encoding="utf-8")
    (tmp_path / "说明.docx").write_text("这是一份说明。\n请查收。\n", encoding="gb18030")
    (tmp_path / "扫描.docx").write_bytes(b"%PDF-1.4\n...")
    (tmp_path / "坏.docx").write_bytes(b"PK\x03\x04not really")
    expected = {"表.docx": "Excel 表格", "名单.docx": "CSV", "说明.docx": "纯文本", "扫描.docx": "PDF", "坏.docx": ""}
    for name, what in expected.items():
        with pytest.raises(FormUnreadable) as caught:
            read_form_tables(tmp_path / name)
        assert what in caught.value.reason and "Word" in caught.value.reason, name
        _no_english(caught.value.reason.replace("Word", "").replace("WPS", "").replace("CSV", "").replace("PDF", "")
                    .replace("Excel", "").replace(".xlsx", "").replace(".docx", ""))


def test_a_doc_without_libreoffice_says_to_install_it_or_save_as_docx(tmp_path, monkeypatch):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "WordDocument".encode("utf-16-le") + b"\0" * 1000
    (tmp_path / "空白表.doc").write_bytes(ole)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    with pytest.raises(FormUnreadable) as caught:
        read_form_tables(tmp_path / "空白表.doc")
    assert "LibreOffice" in caught.value.reason and "另存为" in caught.value.reason and ".doc" in caught.value.reason


def test_cli_messages_for_a_workbook_named_docx(tmp_path, monkeypatch, capsys):
    from openpyxl import Workbook

    from sureform.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SUREFORM_CONFIG", raising=False)
    Workbook().save(tmp_path / "空白表.docx")
    assert main(["editions", "import", "空白表.docx"]) == 2
    err = capsys.readouterr().err
    assert "Excel 表格" in err and "另存为" in err and "Package" not in err


# ---- bounds (issue 20, point 8) ----------------------------------------------------------------------------
def test_a_zip_bomb_form_is_refused_before_it_is_unpacked(tmp_path):
    src = form(tmp_path / "f.docx")
    bomb = tmp_path / "炸弹.docx"
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            out.writestr(info, z.read(info))
        out.writestr("word/media/filler.bin", b"\0" * (120 << 20))
    with pytest.raises(FormUnreadable) as caught:
        read_form_tables(bomb)
    assert "MB" in caught.value.reason or "压缩比" in caught.value.reason


def test_more_than_200_items_per_table_is_refused(tmp_path):
    from sureform.outputs.edition_files import import_form

    many = [("", f"学生会组织第{n}项工作有记录。", "") for n in range(1, 202)]
    path = form(tmp_path / "大.docx", items=many)
    with pytest.raises(EditionError, match="200"):
        import_form(path, tmp_path, "大", force=True)


def test_parameters_beyond_what_a_rule_can_use_are_refused_at_import_and_at_load(tmp_path):
    from sureform.outputs.edition_files import import_form

    items = [("", "党组织近99999个月内听取学生会组织工作汇报，学生会组织的建设纳入了学校党建工作整体规划。", ""),
             ("", "工作人员不超过123456789012345人。", "")]
    with pytest.raises(EditionError, match="120"):
        import_form(form(tmp_path / "a.docx", items=items[:1]), tmp_path, "a", force=True)
    with pytest.raises(EditionError, match="100000"):
        import_form(form(tmp_path / "b.docx", items=items[1:]), tmp_path, "b", force=True)
    assert not (tmp_path / "editions" / "a.toml").exists()

    edition = tmp_path / "手写.toml"
    for params, limit in (("{ window_months = 99999 }", "120"), ("{ window_months = 12, plan = true }", None)):
        edition.write_text('edition = "手写"\nbase = "2020"\ntitle = "t"\n[[items]]\nid = "1"\ntext = "t"\n'
                           f'rule = "party-plan-and-hearings"\nparams = {params}\n', encoding="utf-8")
        load_edition.cache_clear()
        if limit:
            with pytest.raises(EditionError, match=limit):
                load_edition(str(edition))
        else:
            assert load_edition(str(edition)).item("1").params["window_months"] == 12
    edition.write_text('edition = "手写"\nbase = "2020"\ntitle = "t"\n[limits]\nrank_ratio = 30\n'
                       '[[items]]\nid = "1"\ntext = "t"\n', encoding="utf-8")
    load_edition.cache_clear()
    with pytest.raises(EditionError, match="rank_ratio"):
        load_edition(str(edition))


def test_a_long_name_gets_a_chinese_message(tmp_path, monkeypatch, capsys):
    from sureform.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SUREFORM_CONFIG", raising=False)
    path = form(tmp_path / "f.docx")
    assert main(["editions", "import", str(path), "--name", "名" * 300]) == 2
    err = capsys.readouterr().err
    assert "64" in err and "Traceback" not in err
    assert main(["editions", "import", str(path), "--name", "名" * 64]) == 0


# ---- the importer never crashes ------------------------------------------------------------------------------
FRAGMENTS = ["1.", "★", "▲", "1★.", "１★．", "（2）", "3、", "12▲.", "工作人员不超过40人。", "主席团成员不超过五人。",
             "说明：", "注：", "实有人", "实有38人", "召开日期为：", "□是 □否", "☑是", "达标", "未达标", "指标", "结论",
             "备注", "项目", "序号", "近99999个月", "前250%", "", " ", "\u3000", "　１", "2019年10月以来召开了代表大会", "a" * 30]
cell_text = st.lists(st.sampled_from(FRAGMENTS), max_size=3).map("".join)


@st.composite
def tables(draw):
    cols = draw(st.integers(1, 5))
    rows = draw(st.integers(1, 8))
    header = draw(st.sampled_from([["指标", "结论", "备注"], ["序号", "项目", "评估结论", "备注"], None]))
    grid = [[draw(cell_text) for _ in range(cols)] for _ in range(rows)]
    merges = draw(st.lists(st.tuples(st.integers(0, rows - 1), st.integers(0, cols - 1), st.integers(0, 2),
                                     st.integers(0, 2)), max_size=3))
    return header, grid, merges, draw(st.sampled_from(["body", "textbox", "nested"]))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(tables())
def test_the_importer_never_crashes_on_generated_tables(spec):
    from sureform.outputs.edition_files import import_form

    header, grid, merges, where = spec
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        doc = docx.Document()
        doc.add_paragraph("改革自评表")
        cols = max(len(header or []), len(grid[0]))
        container = doc.add_table(rows=1, cols=2).cell(0, 1) if where == "nested" else doc
        table = container.add_table(rows=len(grid) + (1 if header else 0), cols=cols)
        if header:
            for cell, text in zip(table.rows[0].cells, header):
                cell.text = text
        start = 1 if header else 0
        for r, row in enumerate(grid):
            for c, text in enumerate(row):
                table.cell(start + r, c).text = text
        for r, c, down, right in merges:
            try:
                table.cell(start + r, c).merge(table.cell(min(start + r + down, len(table.rows) - 1),
                                                          min(c + right, cols - 1)))
            except Exception:
                pass  # python-docx refuses some shapes: not the reader's concern
        if where == "textbox":
            _into_text_box(doc, table)
        doc.save(str(work / "f.docx"))
        try:
            read_form(work / "f.docx")
            import_form(work / "f.docx", work, "x", force=True)
        except EditionError as exc:
            assert str(exc) and "Traceback" not in str(exc)
        else:
            tomllib.loads((work / "editions" / "x.toml").read_text(encoding="utf-8"))


# ---- more layouts ----------------------------------------------------------------------------------------
def test_one_table_with_both_sections_header_fields_inside_and_a_closing_explanation(tmp_path):
    doc = docx.Document()
    doc.add_paragraph("改革自评表")
    t = doc.add_table(rows=8, cols=3)
    t.style = "Table Grid"
    r = t.rows
    r[0].cells[0].merge(r[0].cells[2]).text = "组织名称：　　　　　　□学生会□研究生会"
    for cell, text in zip(r[1].cells, ("指标", "结论", "备注")):
        cell.text = text
    r[2].cells[0].merge(r[2].cells[2]).text = blanks.TITLE_2022_SCHOOL
    r[3].cells[0].text, r[3].cells[1].text, r[3].cells[2].text = "1★. 工作人员不超过40人。", BOX, "实有N人"
    r[4].cells[0].text, r[4].cells[1].text = "2. 主席团成员不超过5人。", BOX
    r[5].cells[0].merge(r[5].cells[2]).text = blanks.TITLE_2022_UNITS
    r[6].cells[0].text, r[6].cells[1].text, r[6].cells[2].text = "1. 工作人员不超过30人。", BOX, "实有N人"
    r[7].cells[0].merge(r[7].cells[2]).text = "说明：请在“结论”栏对应的“□”内打“√”。"
    doc.add_paragraph()
    doc.save(str(tmp_path / "f.docx"))
    blank = read_form(tmp_path / "f.docx")
    assert [(t.title, [(x.number, x.mark) for x in t.rows]) for t in blank.tables] == [
        (blanks.TITLE_2022_SCHOOL, [("1", "★"), ("2", "")]), (blanks.TITLE_2022_UNITS, [("1", "")])]
    assert blank.tables[1].explanations == ["说明：请在“结论”栏对应的“□”内打“√”。"]
    assert [h.key for h in blank.header_fields] == ["org"]
    ed = edition_from_form(blank, "x")
    assert [(t["id"], t.get("per_unit", False)) for t in ed["tables"]] == [("校级", False), ("二级", True)]
    assert [(it.get("table", "校级"), it["id"], it.get("params")) for it in ed["items"]] == \
        [("校级", "1", {"limit": 40}), ("校级", "2", {"limit": 5}), ("二级", "1", {"limit": 30})]
    assert "header_fields" not in ed  # 组织名称 is the college's, not the edition's
    assert form_findings(blank)[0] == []


def test_a_number_cell_merged_down_over_rows_with_their_own_verdicts_is_a_group(tmp_path):
    doc = docx.Document()
    t = doc.add_table(rows=5, cols=4)
    for cell, text in zip(t.rows[0].cells, ("序号", "项目", "验收结论", "备注")):
        cell.text = text
    rows = [("1", "工作机构架构为“主席团+工作部门”模式。", ""), ("2", "工作人员不超过40人。", "实有人"),
            ("", "主席团成员不超过5人。", "实有人"), ("3", "开展了春、秋季学生会组织工作人员全员培训。", "")]
    for row, (number, text, note) in zip(t.rows[1:], rows):
        row.cells[0].text, row.cells[1].text, row.cells[2].text, row.cells[3].text = number, text, "□达标 □未达标", note
    t.cell(2, 0).merge(t.cell(3, 0))
    doc.add_paragraph()
    doc.save(str(tmp_path / "f.docx"))
    blank = read_form(tmp_path / "f.docx")
    assert [(r.number, r.group) for r in blank.tables[0].rows] == [("1", None), ("2a", "2."), ("2b", "2."), ("3", None)]
    assert form_findings(blank)[0] == []


def test_an_unmerged_group_is_read_but_stops_the_import(tmp_path):
    from test_editions_import import simple_form

    path = simple_form(tmp_path / "f.docx", [("1. 工作机构架构为“主席团+工作部门”模式。", ""), ("2. 机构和人员规模", ""),
                                             ("工作人员不超过30人。", "实有 N 人"), ("主席团成员不超过3人。", "实有 N 人")])
    blank = read_form(path)
    assert [r.number for r in blank.tables[0].rows] == ["1", "2a", "2b"]
    warnings, _ = form_findings(blank)
    assert len(warnings) == 1 and "首列没有合并" in warnings[0]


def test_a_conversion_that_hangs_is_ended_with_everything_it_started(tmp_path, monkeypatch):
    fake = tmp_path / "bin"
    fake.mkdir()
    pidfile = tmp_path / "child.pid"
    (fake / "soffice").write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pidfile}\nwait\n", encoding="utf-8")
    (fake / "soffice").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:/usr/bin:/bin")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "WordDocument".encode("utf-16-le") + b"\0" * 1000
    (tmp_path / "空白表.doc").write_bytes(ole)
    with pytest.raises(FormUnreadable) as caught:
        read_form_tables(tmp_path / "空白表.doc", seconds=1)
    assert "超过 1 秒" in caught.value.reason and "另存为" in caught.value.reason
    child = int(pidfile.read_text())
    for _ in range(50):  # the orphaned child is killed with its group (and reaped by init)
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        import time

        time.sleep(0.1)
    else:
        status = Path(f"/proc/{child}/stat").read_text().split()[2] if Path(f"/proc/{child}").exists() else "gone"
        assert status in ("Z", "gone"), status


def _split_table(path: Path, at: int, repeat_header: bool, header_inside: bool = False) -> Path:
    """The form's table cut in two before row `at` (a page break in a form converted from PDF): the second part
    right after the first, with or without the header row repeated; or the header row repeated inside it."""
    doc = docx.Document(str(path))
    tbl = doc.tables[0]._tbl
    rows = tbl.findall(qn("w:tr"))
    if header_inside:
        rows[at - 1].addnext(copy.deepcopy(rows[0]))
    else:
        second = copy.deepcopy(tbl)
        for tr in second.findall(qn("w:tr"))[1 if repeat_header else 0: at]:
            second.remove(tr)
        for tr in rows[at:]:
            tbl.remove(tr)
        tbl.addnext(second)
    out = path.with_name("split-" + path.name)
    doc.save(str(out))
    return out


@pytest.mark.parametrize("repeat_header,inside", [(False, False), (True, False), (True, True)])
def test_a_table_split_at_a_page_break_is_read_as_one(tmp_path, reference, repeat_header, inside):
    path = _split_table(form(tmp_path / "f.docx"), 7, repeat_header, inside)
    blank = read_form(path)
    assert len(blank.tables) == 1
    assert summary(path) == reference
    assert form_findings(blank)[0] == []


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=2000), st.sampled_from([".docx", ".doc", ".wps"]),
       st.sampled_from([b"", b"PK\x03\x04", b"%PDF", "指标,结论\n".encode("gb18030")]))
def test_any_bytes_are_refused_in_chinese_or_read(data, suffix, head):
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / f"f{suffix}"
        path.write_bytes(head + data)
        try:
            read_form_tables(path, seconds=20)
        except FormUnreadable as exc:
            assert exc.reason and "Traceback" not in exc.reason


def test_unnumbered_rows_of_a_table_with_empty_verdicts_stay_items(tmp_path):
    from test_editions_import import simple_form

    path = simple_form(tmp_path / "f.docx", [("工作人员不超过40人", "实有N人"), ("主席团成员不超过5人", "实有N人"),
                                             ("工作部门不超过6个", "实有N个")], verdict="")
    rows = read_form(path).tables[0].rows
    assert [(r.number, r.numbered_by) for r in rows] == [("1", "order"), ("2", "order"), ("3", "order")]


def test_a_wrapped_sub_row_of_the_2020_group_continues_it(tmp_path):
    path = blanks.form_2020(tmp_path / "f.docx")
    doc = docx.Document(str(path))
    table = doc.tables[0]
    tr = table.rows[3]._tr  # 3a
    extra = copy.deepcopy(tr)
    first = extra.findall(qn("w:tc"))[0]
    first.find(qn("w:tcPr")).find(qn("w:vMerge")).attrib.clear()  # merged on down from 3a's group cell
    for tc, text in zip(extra.findall(qn("w:tc")), ("", "（续）", "", "")):
        for t in tc.iter(qn("w:t")):
            t.text = ""
        if text:
            next(tc.iter(qn("w:t"))).text = text
    tr.addnext(extra)
    doc.save(str(tmp_path / "g.docx"))
    rows = read_form(tmp_path / "g.docx").tables[0].rows
    assert [r.number for r in rows][:5] == ["1", "2", "3a", "3b", "3c"]
    assert rows[2].text.endswith("（续）") and rows[2].lines == 2


def test_a_blank_2021_header_is_not_an_answer_and_a_filled_one_is():
    from sureform.intake.form_tables import FormDocument, HeaderField

    blank = FormDocument("f", header_fields=[HeaderField("org", "组织名称", "　　　□学生会□研究生会"),
                                             HeaderField("reviewed", "是否已由省级团委、学联核查（复评）", "□是□否")])
    assert not blank.filled
    assert FormDocument("f", header_fields=[HeaderField("reviewed", "核查", "☑是□否")]).filled
    assert FormDocument("f", header_fields=[HeaderField("units", "数量", "12")]).filled


def test_numbering_from_a_list_style(tmp_path):
    doc = docx.Document()
    t = doc.add_table(rows=4, cols=3)
    for c, x in zip(t.rows[0].cells, ("指标", "结论", "备注")):
        c.text = x
    for i, (mark, text, note) in enumerate(ITEMS[:3], start=1):
        t.rows[i].cells[0].text = mark + text
        t.rows[i].cells[0].paragraphs[0].style = "List Number"  # numbered by the style, not the paragraph
        t.rows[i].cells[1].text, t.rows[i].cells[2].text = BOX, note
    doc.add_paragraph()
    doc.save(str(tmp_path / "f.docx"))
    rows = read_form(tmp_path / "f.docx").tables[0].rows
    assert [(r.number, r.mark, r.numbered_by) for r in rows] == [("1", "★", "list"), ("2", "", "list"), ("3", "", "list")]


def test_a_utf16_text_file_named_docx_is_said_to_be_text(tmp_path):
    (tmp_path / "f.docx").write_bytes("\ufeff这是一段说明。\n".encode("utf-16-le"))
    with pytest.raises(FormUnreadable, match="纯文本"):
        read_form_tables(tmp_path / "f.docx")


def test_a_group_heading_spanning_the_verdict_column_has_no_verdict(tmp_path):
    doc = docx.Document()
    t = doc.add_table(rows=4, cols=3)
    for c, x in zip(t.rows[0].cells, ("项目", "评估结论", "备注")):
        c.text = x
    t.rows[1].cells[0].text, t.rows[1].cells[1].text = "1. 工作机构架构为“主席团+工作部门”模式。", BOX
    t.cell(2, 0).merge(t.cell(2, 1)).text = "2. 机构和人员规模（请选择是否达标）"
    t.rows[3].cells[0].text, t.rows[3].cells[1].text, t.rows[3].cells[2].text = "工作人员不超过40人。", BOX, "实有N人"
    doc.add_paragraph()
    doc.save(str(tmp_path / "f.docx"))
    rows = read_form(tmp_path / "f.docx").tables[0].rows
    assert [(r.number, r.group, r.offered) for r in rows] == [("1", None, ("是", "否")),
                                                              ("2a", "2. 机构和人员规模（请选择是否达标）", ("是", "否"))]


def _soffice_convert(source: Path, fmt: str, outdir: Path) -> Path:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice_path(), f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--convert-to", fmt, "--outdir", str(outdir), str(source)],
                       check=True, capture_output=True, timeout=120)
    return outdir / f"{source.stem}.{fmt.split(':')[0]}"


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice is not installed")
def test_the_2020_form_as_a_doc_keeps_its_merged_group(tmp_path):
    from sureform.editions import load_catalogue

    doc_file = _soffice_convert(blanks.form_2020(tmp_path / "备案表.docx"), "doc", tmp_path / "doc")
    ed = edition_from_form(read_form(doc_file), "x")
    builtin = load_catalogue("2020")
    assert [(it["id"], it.get("rule"), it.get("params", {}), it.get("note")) for it in ed["items"]] == \
        [(it.id, it.rule, it.params, it.note) for it in builtin.items]


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice is not installed")
def test_a_macro_enabled_document_goes_through_libreoffice(tmp_path, reference):
    source = form(tmp_path / "f.docx")
    docm = tmp_path / "空白表.docm"
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(docm, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"document.macroEnabled.main+xml")
            out.writestr(info, data)
    blank = read_form(docm)
    assert blank.converted_from == "docm"
    assert summary(docm) == reference


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789０１２３★▲.．、（）() 　坚持a说明：")), max_size=12))
def test_split_number_gives_half_width_ids_and_keeps_the_text(text):
    number, mark, body = split_number(text)
    assert number is None or (number.isascii() and number.isdigit() and not number.startswith("0") or number == "0")
    assert mark in ("", "★", "▲")
    assert body == body.strip() and len(body) <= len(text)


@pytest.mark.parametrize("style", ["1★.", "１★．"])
def test_the_2021_layout_rebuilt_from_the_builtin_edition_imports_as_it(tmp_path, style):
    """The 2021 评估备案表 (header fields, 校级 and 二级 tables, 问题不足 row) written from the built-in edition's
    own texts, numbered in the published style, gives the built-in items back."""
    from sureform.editions import load_catalogue

    cat = load_catalogue("2021")
    blanks_of = {"实有{n}": "实有N", "实有 {n} 人": "实有 N 人", "召开日期为：{date}": "召开日期为：", None: ""}
    doc = docx.Document()
    doc.add_paragraph(cat.title)
    doc.add_paragraph("组织名称：　　　　　　□学生会□研究生会")
    for field in cat.header_fields:
        doc.add_paragraph(f"{field.label}：" + ("□是□否" if field.key == "reviewed" else ""))
    for table in cat.tables:
        doc.add_paragraph(table.title)
        items = cat.items_of(table.id)
        t = doc.add_table(rows=1 + len(items) + (table.id == "二级"), cols=3)
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, table.columns):
            cell.text = text
        for row, it in zip(t.rows[1:], items):
            row.cells[0].text = f"{STYLES[style](int(it.id), it.mark)} {it.text}"
            row.cells[1].text = "" if table.id == "二级" else BOX
            row.cells[2].text = blanks_of[it.note]
        if table.id == "二级":
            t.rows[-1].cells[0].text = "问题不足（选填）"
    doc.add_paragraph()
    doc.save(str(tmp_path / "f.docx"))
    blank = read_form(tmp_path / "f.docx")
    ed = edition_from_form(blank, "x")
    assert [(it.get("table", "校级"), it["id"], it.get("rule"), it.get("params", {}), it.get("note")) for it in ed["items"]] \
        == [(it.table, it.id, it.rule, it.params, it.note) for it in cat.items]
    assert ed["verdict_labels"] == ["是", "否"] and ed["columns"] == ["项目", "评估结论", "备注"]
    assert [(h["key"], h["label"]) for h in ed["header_fields"]] == [(h.key, h.label) for h in cat.header_fields]
    assert [(t["id"], t["title"], t["columns"]) for t in ed["tables"]] == \
        [(t.id, t.title, list(t.columns)) for t in cat.tables]
    assert form_findings(blank)[0] == []


def test_symbol_boxes_and_checkbox_controls_are_ticks(tmp_path):
    """WPS inserts its boxes as symbols (w:sym, Wingdings 2); Word 2010+ as checkbox content controls (☒/☐)."""
    doc = docx.Document()
    t = doc.add_table(rows=3, cols=3)
    for c, x in zip(t.rows[0].cells, ("指标", "结论", "备注")):
        c.text = x
    t.rows[1].cells[0].text = "1★. 工作人员不超过40人。"
    p = t.rows[1].cells[1].paragraphs[0]._p
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:sym w:font="Wingdings 2" w:char="F052"/></w:r>'))
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t>是</w:t></w:r>'))
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:sym w:font="Wingdings 2" w:char="F0A3"/></w:r>'))
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t>否</w:t></w:r>'))
    t.rows[2].cells[0].text = "2. 主席团成员不超过5人。"
    p = t.rows[2].cells[1].paragraphs[0]._p
    for glyph, word in (("☐", "是"), ("☒", "否")):
        p.append(parse_xml(f'<w:sdt {nsdecls("w")}><w:sdtPr/><w:sdtContent><w:r><w:t>{glyph}</w:t></w:r>'
                           '</w:sdtContent></w:sdt>'))
        p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t>{word}</w:t></w:r>'))
    doc.add_paragraph()
    doc.save(str(tmp_path / "f.docx"))
    rows = read_form_tables(tmp_path / "f.docx").tables[0].rows
    assert [(r.number, r.mark, r.verdict_cell, r.ticked) for r in rows] == \
        [("1", "★", "☑是□否", ("是",)), ("2", "", "☐是☒否", ("否",))]


def test_a_short_closing_remark_spanning_the_table_is_no_new_table(tmp_path):
    path = form(tmp_path / "f.docx", explanation="以上内容请如实填写")
    blank = read_form(path)
    assert len(blank.tables) == 1 and blank.tables[0].explanations == ["以上内容请如实填写"]


def test_a_numbered_heading_spanning_the_table_groups_the_rows_below(tmp_path):
    doc = docx.Document()
    t = doc.add_table(rows=7, cols=3)
    for c, x in zip(t.rows[0].cells, ("项目", "验收结论", "备注")):
        c.text = x
    t.rows[1].cells[0].text, t.rows[1].cells[1].text = "1. 坚持全心全意服务同学。", "□达标 □未达标"
    t.rows[2].cells[0].text, t.rows[2].cells[1].text = "2. 工作机构架构为“主席团+工作部门”模式。", "□达标 □未达标"
    t.cell(3, 0).merge(t.cell(3, 2)).text = "3. 机构和人员规模"
    t.rows[4].cells[0].text, t.rows[4].cells[1].text, t.rows[4].cells[2].text = "工作人员不超过40人。", "□达标 □未达标", "实有人"
    t.rows[5].cells[0].text, t.rows[5].cells[1].text, t.rows[5].cells[2].text = "主席团成员不超过5人。", "□达标 □未达标", "实有人"
    t.cell(6, 0).merge(t.cell(6, 2)).text = "4. 除主席、副主席、部长、副部长、干事外未设其他职务。"  # lost its 结论 cell
    doc.add_paragraph()
    doc.save(str(tmp_path / "f.docx"))
    blank = read_form(tmp_path / "f.docx")
    assert [(r.number, r.group) for r in blank.tables[0].rows] == \
        [("1", None), ("2", None), ("3a", "3. 机构和人员规模"), ("3b", "3. 机构和人员规模")]
    warnings, _ = form_findings(blank)
    assert len(warnings) == 1 and "第 7 行" in warnings[0] and "未读入" in warnings[0]


def test_the_filing_form_sureform_writes_reads_back_and_imports_as_its_edition(tmp_path):
    """A filled form not made for this test: the sample run's own 备案表.docx. Every item comes back with the
    verdict ticked, and used as a blank it gives the 2020 edition back (ticks ignored, 实有人 58 → 实有人 {n})."""
    import shutil
    from datetime import date

    from sureform.editions import load_catalogue
    from sureform.pipeline import RunOptions, run_pipeline

    shutil.copytree(HERE.parent / "examples" / "inbox", tmp_path / "inbox")
    report = run_pipeline(RunOptions(tmp_path / "inbox", tmp_path / "outbox", tmp_path / "state", date(2020, 11, 24),
                                     "2020", 0))
    filed = read_form_tables(tmp_path / "outbox" / "备案表.docx")
    assert filed.filled and len(filed.tables) == 1
    rows = {r.number: r for r in filed.tables[0].rows}
    for item in report["items"]:
        label = item.get("label") or item["verdict"]
        assert rows[item["id"]].ticked == ((label,) if label in ("达标", "未达标") else ()), item["id"]
    assert rows["3a"].note_cell.startswith("实有人 ")
    ed = edition_from_form(read_form(tmp_path / "outbox" / "备案表.docx"), "x")
    builtin = load_catalogue("2020")
    assert [(it["id"], it.get("rule"), it.get("params", {}), it.get("note")) for it in ed["items"]] == \
        [(it.id, it.rule, it.params, it.note) for it in builtin.items]
    assert any("已填写" in n for n in form_findings(read_form(tmp_path / "outbox" / "备案表.docx"))[1])


def test_a_form_whose_text_is_absurdly_large_is_refused_before_it_is_parsed(tmp_path):
    import random

    src = form(tmp_path / "f.docx")
    big = tmp_path / "大.docx"
    rnd = random.Random(1)
    filler = "".join(rnd.choice("学生会组织改革自评表指标结论备注") for _ in range(8 << 20))  # 24 MB, compresses ~3:1
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"</w:body>", f"<w:p><w:r><w:t>{filler}</w:t></w:r></w:p></w:body>".encode())
            out.writestr(info, data)
    with pytest.raises(FormUnreadable, match="document.xml"):
        read_form_tables(big)
