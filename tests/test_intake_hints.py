"""Issue 19, points 2, 11 and 13: hidden sheets are not read (a hint names them), names with inner spaces are
normalised (a hint says so), and a run with files still being written rewrites no document."""
from __future__ import annotations

import os
import time
from io import StringIO

from openpyxl import Workbook, load_workbook

from conftest import HEADER, codes, file_report, person, settle, write_xlsx

UNIT = "石油工程系"
REL = f"{UNIT}/名单.xlsx"


def sheet_rows(path, sheet: str) -> list[list]:
    wb = load_workbook(path, read_only=True)
    return [list(r) for r in wb[sheet].iter_rows(values_only=True)]


def column(path, sheet: str, label: str) -> list:
    rows = sheet_rows(path, sheet)
    at = rows[0].index(label)
    return [r[at] for r in rows[1:]]


def roster_with_hidden_sheets(path):
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    for row in (HEADER, person(), person(name="李四", sid="2024010102")):
        ws.append(row)
    old = wb.create_sheet("旧名单")
    for row in (HEADER, person(name="周旧", sid="2024010191"), person(name="吴旧", sid="2024010192", political="群众")):
        old.append(row)
    old.sheet_state = "hidden"
    secret = wb.create_sheet("备用")
    for row in (HEADER, person(name="郑密", sid="2024010193")):
        secret.append(row)
    secret.sheet_state = "veryHidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    settle(path)
    return path


# ---- point 2: hidden sheets --------------------------------------------------------------------------------
def test_hidden_and_very_hidden_sheets_are_not_read_and_a_hint_names_them(env):
    roster_with_hidden_sheets(env.inbox / REL)
    report = env.run()
    f = file_report(report, REL)
    assert (f["status"], f["rows"]) == ("accepted", 2)
    hints = [i for i in f["issues"] if i["code"] == "sheet-hidden-skipped"]
    assert [(i["sheet"], i["value"], i["severity"]) for i in hints] == [("旧名单", None, "warning"),
                                                                         ("备用", None, "warning")]
    assert "political-status-not-allowed" not in codes(f)  # 吴旧 (群众) sits on the hidden sheet
    assert report["master"]["roster"] == 2
    names = column(env.outbox / "汇总.xlsx", "工作人员名单", "姓名")
    assert "周旧" not in names and "郑密" not in names and "张三" in names
    feedback = load_workbook(env.outbox / "反馈" / UNIT / "名单.xlsx_错误标注.xlsx")
    listed = [[c.value for c in row] for row in feedback["问题清单"].iter_rows(min_row=3)]
    assert sorted(r[2] for r in listed) == ["备用", "旧名单"]
    assert all("隐藏" in r[6] for r in listed)


def test_a_hidden_sheet_of_an_xls_is_not_read_either(env):
    import xlwt

    path = env.inbox / UNIT / "名单.xls"
    path.parent.mkdir(parents=True)
    wb = xlwt.Workbook(encoding="utf-8")
    old = [HEADER, person(name="周旧", sid="2024010191")]
    for title, rows, hidden in (("名单", [HEADER, person()], 0), ("旧名单", old, 1)):
        ws = wb.add_sheet(title)
        ws.visibility = hidden
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                ws.write(r, c, v)
    wb.save(str(path))
    settle(path)
    f = file_report(env.run(), f"{UNIT}/名单.xls")
    assert (f["status"], f["rows"]) == ("accepted", 1)
    assert [i["sheet"] for i in f["issues"] if i["code"] == "sheet-hidden-skipped"] == ["旧名单"]


# ---- point 11: names with inner spaces -------------------------------------------------------------------------
def test_inner_spaces_between_chinese_characters_are_removed_with_a_hint(env):
    env.roster(UNIT, [person(name="李 明"), person(name="王\u3000五", sid="2024010102"),
                      person(name="Anna Maria Li", sid="2024010103"), person(name="欧阳娜娜", sid="2024010104")])
    report = env.run()
    f = file_report(report, REL)
    hints = [(i["cell"], i["value"]) for i in f["issues"] if i["code"] == "name-space-removed"]
    assert hints == [("A2", "李 明"), ("A3", "王\u3000五")]
    names = column(env.outbox / "汇总.xlsx", "工作人员名单", "姓名")
    assert sorted(names) == sorted(["李明", "王五", "Anna Maria Li", "欧阳娜娜"])
    feedback = load_workbook(env.outbox / "反馈" / UNIT / "名单.xlsx_错误标注.xlsx")
    assert feedback["Sheet1"]["A2"].comment is not None and "空格" in feedback["Sheet1"]["A2"].comment.text


def test_a_candidate_form_name_with_a_space_matches_the_roster(env):
    from test_templates_filled import fill_candidate

    from sureform.outputs.templates.catalog import write_templates

    blanks = {p.name: p for p in write_templates(env.root / "模板")}
    form = fill_candidate(blanks, env.inbox, confirmed=__import__("datetime").date(2020, 9, 25))
    wb = load_workbook(form)
    cell = next(c for row in wb["推荐表"].iter_rows() for c in row if c.value == "姓名")
    wb["推荐表"].cell(cell.row, cell.column + 1, "王 主席")
    wb.save(form)
    settle(form)
    f = file_report(env.run(), form.relative_to(env.inbox).as_posix())
    hint = next(i for i in f["issues"] if i["code"] == "name-space-removed")
    assert hint["cell"] == f"{chr(ord(cell.column_letter) + 1)}{cell.row}" and hint["value"] == "王 主席"


# ---- point 13: files still arriving ------------------------------------------------------------------------
def test_a_run_with_files_still_being_written_rewrites_no_document(env):
    from rich.console import Console

    from sureform.outputs.terminal import print_report

    env.roster(UNIT, [person()])
    first = env.run()
    filing, disclosure = env.outbox / "备案表.docx", env.outbox / "改革情况公开.docx"
    assert "documents_waiting" not in first and filing.exists() and disclosure.exists()
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (filing, disclosure)}
    history = env.outbox / "历史"
    kept_before = sorted(history.rglob("*.docx")) if history.exists() else []

    env.roster("化学工程系", [person(sid="2024030101", unit="化学工程系")])  # a file that is complete
    young = env.roster("机电工程系", [person(sid="2024020101", unit="机电工程系")])
    now = time.time()
    os.utime(young, (now, now))  # still being copied
    report = env.run(stable_seconds=30)
    assert file_report(report, "化学工程系/名单.xlsx")["status"] == "accepted"
    assert file_report(report, "机电工程系/名单.xlsx")["status"] == "skipped"
    assert report["documents_waiting"] == ["机电工程系/名单.xlsx"]
    assert "filing" not in report["outputs"] and "disclosure" not in report["outputs"]
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (filing, disclosure)} == before
    assert (sorted(history.rglob("*.docx")) if history.exists() else []) == kept_before
    out = StringIO()
    print_report(report, Console(file=out, width=80, color_system=None))
    assert "备案表和公开文档暂不更新" in out.getvalue()

    settle(young)
    report = env.run(stable_seconds=30)
    assert file_report(report, "机电工程系/名单.xlsx")["status"] == "accepted"
    assert "documents_waiting" not in report and report["outputs"]["filing"]
    assert filing.read_bytes() != before[filing][1]


def test_a_first_run_with_a_file_still_arriving_writes_the_documents_only_once_it_is_read(env):
    env.roster(UNIT, [person()])
    young = env.roster("机电工程系", [person(sid="2024020101", unit="机电工程系")])
    now = time.time()
    os.utime(young, (now, now))
    report = env.run(stable_seconds=30)
    assert report["documents_waiting"] == ["机电工程系/名单.xlsx"]
    assert not (env.outbox / "备案表.docx").exists() and (env.outbox / "汇总.xlsx").exists()
    settle(young)
    report = env.run(stable_seconds=30)
    assert (env.outbox / "备案表.docx").exists() and report["master"]["roster"] == 2
    # and a run with nothing new afterwards is current again: nothing rewritten
    stamp = (env.outbox / "备案表.docx").stat().st_mtime_ns
    env.run(stable_seconds=30)
    assert (env.outbox / "备案表.docx").stat().st_mtime_ns == stamp


def test_a_file_held_open_for_writing_holds_the_documents_too(env):
    from sureform.intake import inbox as inbox_mod

    env.roster(UNIT, [person()])
    env.run()
    before = (env.outbox / "备案表.docx").read_bytes()
    src = env.roster("机电工程系", [person(sid="2024020101", unit="机电工程系")], name="源.xlsx")
    data = src.read_bytes()
    src.unlink()
    env.roster("化学工程系", [person(sid="2024030101", unit="化学工程系")])  # complete: the master changes
    path = env.inbox / "机电工程系" / "名单.xlsx"
    with open(path, "wb") as writer:  # a copy program still writing it
        writer.write(data[: len(data) // 2])
        writer.flush()
        settle(path, inbox_mod.ARRIVAL_WINDOW + 600)
        report = env.run(stable_seconds=3)
        assert file_report(report, "机电工程系/名单.xlsx")["reason"] == inbox_mod.STILL_WRITING
        assert file_report(report, "化学工程系/名单.xlsx")["status"] == "accepted"
        assert report["documents_waiting"] == ["机电工程系/名单.xlsx"] and report["master"]["roster"] == 2
        assert (env.outbox / "备案表.docx").read_bytes() == before
        writer.write(data[len(data) // 2:])
    settle(path, 8)
    report = env.run(stable_seconds=3)
    assert file_report(report, "机电工程系/名单.xlsx")["status"] == "accepted" and "documents_waiting" not in report
    assert (env.outbox / "备案表.docx").read_bytes() != before
