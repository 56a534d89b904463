"""汇总.xlsx's rows are rendered once per submission, kept in the store and spliced in (outputs.sheet_xml): a
workbook written again after a new file holds exactly what a fresh one would, its cells typed and styled as
before, and any text a sender typed comes back as that text."""
from __future__ import annotations

import re
import sqlite3
import zipfile
import zlib
from datetime import date

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from pathlib import Path

from conftest import Env, person, settle
from sureform.outputs.sheet_xml import row_height, text_width, wrapped_lines
from sureform.outputs.workbook import write_master_workbook
from sureform.outputs.workbook_sheets import Sheet

SUMMARY = "汇总.xlsx"


def _sheet(env: Env, title: str):
    return load_workbook(env.outbox / SUMMARY)[title]


def _cells(path, title: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(title).to_python()


def _blocks(env: Env) -> dict[tuple[int, str], tuple[str, int]]:
    db = env.options().db_path
    with sqlite3.connect(db) as conn:
        return {(sid, sheet): (layout, rows) for sid, sheet, layout, rows in
                conn.execute("SELECT submission_id, sheet, layout, rows FROM sheet_rows")}


def test_rows_written_again_after_a_new_file_are_what_a_fresh_run_writes(tmp_path):
    first = Env(tmp_path / "kept")
    first.roster("石油工程系", [person("张三", "2024010101", post="部长"), person("李四", "2024010102")])
    first.roster("化学工程系", [person("王五", "2024020101", unit="化学工程系", post="部长")])
    first.run()
    before = _blocks(first)
    assert {sheet for _, sheet in before} == {"工作人员名单"}
    assert sum(rows for _, rows in before.values()) == 3

    # a third 系 arrives, whose text is wider than anything before: every block is rendered for the new widths
    long_dept = "学生权益服务与社会实践部" * 2
    first.roster("机械工程系", [person("赵六", "2024030101", unit="机械工程系", post="部长", dept=long_dept)])
    first.run()
    after = _blocks(first)
    assert len(after) == 3
    assert len({layout for layout, _ in after.values()}) == 1  # one layout: the old blocks were rendered again

    fresh = Env(tmp_path / "fresh")
    fresh.roster("石油工程系", [person("张三", "2024010101", post="部长"), person("李四", "2024010102")])
    fresh.roster("化学工程系", [person("王五", "2024020101", unit="化学工程系", post="部长")])
    fresh.roster("机械工程系", [person("赵六", "2024030101", unit="机械工程系", post="部长", dept=long_dept)])
    fresh.run()
    for title in ("工作人员名单", "评估依据", "待整改问题"):
        kept, made = _cells(first.outbox / SUMMARY, title), _cells(fresh.outbox / SUMMARY, title)
        if title == "工作人员名单":
            assert [r[1] for r in kept[1:]] == ["王五", "赵六", "张三", "李四"]  # by 系, then as sent
        assert [r[:-2] for r in kept] == [r[:-2] for r in made]  # 来源文件 and 行号 aside
    a, b = _sheet(first, "工作人员名单"), _sheet(fresh, "工作人员名单")
    assert [a.row_dimensions[r].height for r in range(1, 6)] == [b.row_dimensions[r].height for r in range(1, 6)]
    assert {k: d.width for k, d in a.column_dimensions.items()} == {k: d.width for k, d in b.column_dimensions.items()}
    assert a.auto_filter.ref == b.auto_filter.ref == f"A1:{a.cell(1, a.max_column).column_letter}5"
    assert a.freeze_panes == "A2" and a.print_title_rows == "$1:$1"


def test_a_block_is_kept_while_its_layout_holds_and_dropped_with_its_submission(env):
    env.roster("石油工程系", [person("张三", "2024010101", post="部长")])
    env.roster("化学工程系", [person("王五", "2024020101", unit="化学工程系", post="部长")])
    env.run()
    db = env.options().db_path
    tampered = zlib.compress('<row r="\x00"><c r="B\x00" t="inlineStr"><is><t>原样保留</t></is></c></row>'.encode())
    with sqlite3.connect(db) as conn:
        (kept_id,), (old_id,) = conn.execute("SELECT id FROM submissions ORDER BY unit = '石油工程系' DESC")
        conn.execute("UPDATE sheet_rows SET xml = ? WHERE submission_id = ?", (tampered, kept_id))
    # a new version of 化学工程系's roster, no wider than before: 石油工程系's kept block is used as it is
    env.roster("化学工程系", [person("王六", "2024020102", unit="化学工程系", post="部长")])
    env.run()
    names = [r[1] for r in _cells(env.outbox / SUMMARY, "工作人员名单")[1:]]
    assert names == ["王六", "原样保留"]  # 化学工程系 sorts first; the tampered block proves it was not rendered again
    kept = {sid for sid, _ in _blocks(env)}
    assert kept_id in kept and old_id not in kept and len(kept) == 2  # the superseded one's block is gone


def test_any_text_comes_back_as_that_text(tmp_path):
    odd = ["=1+1", "-3", "@SUM(A1)", "+86 138", "a & b < c > d", "  leading and trailing  ", "一\n二\r\n三",
           "_x0041_ stays", "emoji 😀 ok", "tab\there", "x" * 40000, "\x00\x1a control", 12, 2.5, True, None]
    dest = tmp_path / SUMMARY
    write_master_workbook(dest, [Sheet("文本", [("n", "序号"), ("text", "内容")],
                                       [{"n": str(i), "text": v} for i, v in enumerate(odd)])], [], [])
    ws = load_workbook(dest)["文本"]
    got = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(2, ws.max_row + 1)}
    text = {row[0]: row[1] for row in _cells(dest, "文本")[1:]}  # calamine reads Excel's _xHHHH_ escapes too
    for i, typed in enumerate(odd):
        cell = got[str(i)]
        if isinstance(typed, str):
            assert text[str(i)] == typed.replace("\x00", "").replace("\x1a", "")[:32767], typed[:20]
            assert cell.data_type == "s"  # never a formula, never a number
            assert cell.quotePrefix == typed.startswith(("=", "+", "-", "@")), typed
        elif typed is True:
            assert cell.value == "是"
        else:
            assert cell.value == typed
    assert ws.row_dimensions[2 + odd.index("一\n二\r\n三")].height == row_height(3)
    with zipfile.ZipFile(dest) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_dates_and_percentages_are_real_values_with_their_formats(env):
    env.roster("石油工程系", [person("张三", "2024010101", post="部长", rank="3/45", reviewed="2026-09-20")])
    env.run()
    ws = _sheet(env, "工作人员名单")
    by_label = {ws.cell(1, c).value: ws.cell(2, c) for c in range(1, ws.max_column + 1)}
    assert by_label["审核日期"].value.date() == date(2026, 9, 20)
    assert by_label["审核日期"].number_format == "yyyy-mm-dd"
    assert abs(by_label["排名比例"].value - 3 / 45) < 1e-12 and by_label["排名比例"].number_format == "0.0%"
    assert by_label["姓名"].alignment.wrap_text and by_label["姓名"].alignment.vertical == "top"
    assert ws.cell(1, 1).font.b


def test_a_day_excel_cannot_show_is_written_as_its_text(tmp_path):
    dest = tmp_path / SUMMARY
    write_master_workbook(dest, [Sheet("日期", [("n", "序号"), ("date", "日期")],
                                       [{"n": "1", "date": "1899-05-04"}, {"n": "2", "date": "2026-09-20"}])], [], [])
    ws = load_workbook(dest)["日期"]
    assert (ws["B2"].value, ws["B2"].data_type) == ("1899-05-04", "s")
    assert ws["B3"].value.date() == date(2026, 9, 20) and ws["B3"].number_format == "yyyy-mm-dd"


def test_row_heights_follow_wrapped_text():
    assert text_width("ab") == 2 and text_width("中文") == 4 and text_width("“中”") == 6
    assert wrapped_lines("短", 10) == 1
    assert wrapped_lines("一\n二\n三", 10) == 3
    assert wrapped_lines("中" * 40, 10) == 10  # 80 wide in 8 usable
    assert row_height(2) == 36 and row_height(1000) == 408.75  # whole pixels, padding, at most Excel's 409 pt


def test_consolidation_checks_again_only_what_is_new(env):
    """The roster schema's issues are kept per submission under (date, edition, code): a later run checks only
    new submissions; another filing date checks everything again."""
    env.roster("石油工程系", [person("张三", "2024010101", post="部长", political="群众")])
    env.roster("化学工程系", [person("王五", "2024020101", unit="化学工程系", post="部长")])
    env.run()
    db = env.options().db_path
    with sqlite3.connect(db) as conn:
        (stamp,) = conn.execute("SELECT stamp FROM roster_checks WHERE issues LIKE '%群众%'").fetchone()
        conn.execute("UPDATE roster_checks SET issues = replace(issues, '群众', '（已保存的结果）')")
        assert conn.execute("SELECT count(*) FROM roster_checks").fetchone()[0] == 2
    env.roster("机械工程系", [person("赵六", "2024030101", unit="机械工程系", post="部长")])
    env.run()
    messages = [r[8] for r in _cells(env.outbox / SUMMARY, "待整改问题")[1:]]
    assert any("（已保存的结果）" in m for m in messages)  # 石油工程系's kept issue, not checked again
    env.run(as_of=date(2026, 12, 1))  # another date: every roster checked again, the kept ones replaced
    messages = [r[8] for r in _cells(env.outbox / SUMMARY, "待整改问题")[1:]]
    assert not any("（已保存的结果）" in m for m in messages) and any("群众" in m for m in messages)
    with sqlite3.connect(db) as conn:
        assert {s for (s,) in conn.execute("SELECT stamp FROM roster_checks")} != {stamp}
        assert conn.execute("SELECT count(*) FROM roster_checks").fetchone()[0] == 3


def _record(sid: int, row: int, student_id: str, political: str = "共青团员", unit: str = "甲系", **more) -> dict:
    return {"student_id": student_id, "name": f"人{student_id[-3:]}", "post": "干事", "department": "宣传部",
            "political": political, "year": 2023, "rank_ratio": 0.1, "rank_text": "4/40", "failed_courses": 0,
            "_sheet": "Sheet1", "_row": row, "_file": f"{unit}/名单.xlsx", "_submission": sid, "_unit": unit, **more}


def test_kept_checks_are_those_a_fresh_check_finds_on_any_subset_and_order():
    from sureform.editions import load_catalogue
    from sureform.rules.view import KeptChecks, roster_findings

    catalogue = load_catalogue()
    roster = [_record(1, 2, "2024010101", "群众"), _record(1, 3, "2024010102"), _record(1, 4, "2024010101"),
              _record(2, 2, "2024020101", unit="乙系"), _record(2, 3, "2024020102", "无", unit="乙系", failed_courses=2)]
    kept = KeptChecks()
    first = roster_findings(roster, date(2026, 11, 24), catalogue, kept)
    assert first == roster_findings(roster, date(2026, 11, 24), catalogue)
    assert set(kept.fresh) == {1, 2}
    again = KeptChecks(known=kept.fresh)
    subset = [roster[4], roster[2], roster[0]]  # another order, a part of each submission (a 院系's own view)
    assert sorted(map(repr, roster_findings(subset, date(2026, 11, 24), catalogue, again))) == \
        sorted(map(repr, roster_findings(subset, date(2026, 11, 24), catalogue)))
    assert again.fresh == {}  # nothing checked again
    twice = roster + [_record(2, 3, "2024020103", "群众", unit="乙系")]  # two rows at one place: checked, never kept
    fresh = KeptChecks(known=kept.fresh)
    assert roster_findings(twice, date(2026, 11, 24), catalogue, fresh) == \
        roster_findings(twice, date(2026, 11, 24), catalogue)
    assert 2 not in fresh.fresh


def test_a_column_is_wide_enough_for_its_widest_value_on_one_line():
    from sureform.outputs.sheet_xml import column_width

    for display in range(0, 120):
        assert wrapped_lines("x" * display, column_width(display)) == 1
        assert wrapped_lines("中" * (display // 2), column_width(display)) == 1
    assert wrapped_lines("x" * 12, column_width(10)) == 2  # wider than the column: wrapped


def test_rows_of_values_that_fit_keep_the_default_height(env):
    env.roster("石油工程系", [person("张三", "2024010101", post="部长"), person("李四", "2024010102")])
    env.run()
    ws = _sheet(env, "工作人员名单")
    assert [ws.row_dimensions[r].height for r in (2, 3)] == [None, None]  # one line each: nothing to grow
    widths = {ws.cell(1, c).value: ws.column_dimensions[ws.cell(1, c).column_letter].width
              for c in range(1, ws.max_column + 1)}
    assert widths["排名比例"] < 14  # sized for 6.7%, not for 0.06666666666666667


def _worksheets(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")}


def test_rows_rendered_where_read_are_those_the_master_renders(tmp_path):
    """Every kind's rows are rendered in the reader process and kept at commit; a workbook written from the
    master alone (no block kept) holds the very same worksheets, byte for byte."""
    import shutil

    from sureform import pipeline
    from sureform.outputs.workbook import write_summary_workbook
    from sureform.store import Store

    env = Env(tmp_path / "sample")
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "inbox", env.inbox, dirs_exist_ok=True)
    for p in env.inbox.rglob("*"):
        settle(p)
    env.roster("石油工程系", [person("张三", "2024010101", post="部长", dept="=HYPERLINK(\"x\")"),
                            person("李四", "2024010102", dept="学生权益服务与社会实践部" * 3)], name="补充名单.xlsx")
    env.run(as_of=date(2020, 11, 24))
    opts = env.options(as_of=date(2020, 11, 24))
    with sqlite3.connect(opts.db_path) as conn:
        kept = {sheet for (sheet,) in conn.execute("SELECT DISTINCT sheet FROM sheet_rows")}
        assert {"工作人员名单", "主席团候选人", "述职评议评分", "机构信息·部门设置"} <= kept
        conn.execute("DELETE FROM sheet_rows")
    again = tmp_path / "again"
    with Store(opts.db_path) as store:
        write_summary_workbook(store, pipeline.consolidate(opts), opts.catalogue(), again,
                               pipeline.built_from(opts)["code"])
    assert _worksheets(again / SUMMARY) == _worksheets(env.outbox / SUMMARY)


def test_the_styles_a_reader_renders_with_are_those_the_workbook_registers(tmp_path):
    """Else every block rendered where it was read would be rendered again by the workbook."""
    import xlsxwriter

    from sureform.outputs.workbook import _styles, cell_styles

    wb = xlsxwriter.Workbook(str(tmp_path / "styles.xlsx"))
    assert _styles(wb) == cell_styles()
    wb.close()


def test_a_kind_sheet_takes_its_declared_widths_and_a_longer_value_wraps(env):
    from sureform.editions import load_catalogue
    from sureform.outputs.sheet_xml import column_width
    from sureform.outputs.workbook_sheets import COLUMN_WIDTHS, kind_sheets

    for sheet in kind_sheets(load_catalogue()):
        for key, label in sheet.columns:  # every column declared (a score item: the default), its label on one line
            assert sheet.widths[key] >= column_width(text_width(label)), (sheet.title, key)
            assert key in COLUMN_WIDTHS[sheet.kind] or sheet.kind == "score", (sheet.title, key)
    long_dept = "学生权益服务与社会实践部" * 3  # 72 wide in an 18-wide column: 5 lines
    env.roster("石油工程系", [person("张三", "2024010101", post="部长"), person("李四", "2024010102", dept=long_dept)])
    env.run()
    ws = _sheet(env, "工作人员名单")
    sheet = kind_sheets(load_catalogue())[0]
    assert [ws.cell(1, c).value for c in range(1, ws.max_column + 1)] == [label for _, label in sheet.columns]
    number = load_workbook(env.outbox / SUMMARY, read_only=True).sheetnames.index("工作人员名单") + 1
    xml = _worksheets(env.outbox / SUMMARY)[f"xl/worksheets/sheet{number}.xml"].decode()
    widths = {}
    for low, high, width in re.findall(r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"', xml):
        widths.update({c: float(width) for c in range(int(low), int(high) + 1)})
    # as xlsxwriter writes a width: the characters plus its 5 pixels of padding
    assert [round(widths[c]) for c in range(1, len(sheet.columns) + 1)] == \
        [round(sheet.widths[key] + 0.71) for key, _ in sheet.columns]
    assert ws.row_dimensions[2].height is None
    assert ws.row_dimensions[3].height == row_height(wrapped_lines(long_dept, sheet.widths["department"])) == \
        row_height(5)
