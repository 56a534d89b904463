"""Issue 11: what a secretary and the league office meet in their first hour, each tried as they would."""
import shutil
from pathlib import Path

from openpyxl import load_workbook

from conftest import codes, file_report, issue, person, settle, write_xlsx

REL = "石油工程系/名单.xlsx"
FEEDBACK = "退回/石油工程系/名单.xlsx_错误标注.xlsx"


def run_rows(env, rows, unit="石油工程系"):
    env.roster(unit, rows)
    return file_report(env.run(), f"{unit}/名单.xlsx")


# ---- 1. every issue reaches the sender -------------------------------------------------------------
def test_a_hint_alone_gets_a_feedback_file_and_reaches_the_summary(env):
    f = run_rows(env, [person(sid="0190401101"), person(sid=190401103.0, name="李四"),
                       person(sid="0190401104", name="王五")])
    assert f["status"] == "accepted"
    assert issue(f, "student-id-leading-zero-lost")["severity"] == "finding"
    wb = load_workbook(env.outbox / FEEDBACK)
    assert wb.sheetnames[0] == "问题清单"
    assert wb["Sheet1"]["B3"].comment is not None
    ws = load_workbook(env.outbox / "汇总.xlsx")["待整改问题"]
    assert "student-id-leading-zero-lost" in [c.value for c in ws["J"]]


def test_a_text_id_of_another_length_is_a_finding(env):
    f = run_rows(env, [person(sid="0190401101"), person(sid="019040110", name="李四"),
                       person(sid="0190401104", name="王五")])
    i = issue(f, "student-id-length-unusual")
    assert (i["severity"], i["cell"]) == ("finding", "B3")
    assert "少了 1 位" in i["message"]


def test_hints_only_are_listed_in_the_summary(env):
    rows = [person(), person(sid="2024010102", name="李四")]
    rows[1][2] = "化学工程系"  # 院系 differs from the folder: a hint
    f = run_rows(env, rows)
    assert f["status"] == "accepted" and issue(f, "unit-mismatch")["severity"] == "warning"
    assert (env.outbox / FEEDBACK).exists()
    ws = load_workbook(env.outbox / "汇总.xlsx")["待整改问题"]
    assert "提示" in [c.value for c in ws["B"]]


def test_one_units_id_pattern_against_the_master(env):
    run_rows(env, [person(sid=f"20240101{n:02d}", name=f"甲{n}") for n in range(1, 4)], unit="化学工程系")
    f = run_rows(env, [person(sid=f"240101{n:02d}", name=f"乙{n}") for n in range(1, 4)])
    assert issue(f, "student-id-pattern-unusual")["severity"] == "finding"


# ---- 2. a feedback workbook dropped back in ------------------------------------------------------
def test_feedback_file_dropped_back_replaces_the_old_one(env):
    run_rows(env, [person(political="群众"), person(sid="2024010102", name="李四")])
    fb = env.outbox / FEEDBACK
    assert fb.exists()
    # the secretary fixes the red cell in the feedback file and drops it back
    wb = load_workbook(fb)
    wb["Sheet1"]["E2"] = "共青团员"
    back = env.inbox / "石油工程系" / fb.name
    wb.save(back)
    settle(back)
    report = env.run()
    f = file_report(report, f"石油工程系/{fb.name}")
    assert f["status"] == "accepted" and codes(f) == []
    assert f["rows"] == 2
    assert not fb.exists()  # nothing left to fix: the old marks leave 退回/
    assert not list((env.outbox / "退回").rglob("*_错误标注_错误标注*"))
    assert list((env.outbox / "历史").rglob(fb.name))


def test_feedback_resent_with_a_remaining_problem_keeps_one_list_and_fresh_marks(env):
    run_rows(env, [person(political="群众"), person(sid="2024010102", name="李四", post="秘书长")])
    fb = env.outbox / FEEDBACK
    wb = load_workbook(fb)
    wb["Sheet1"]["E2"] = "共青团员"  # fixed; F3 (秘书长) not
    back = env.inbox / "石油工程系" / fb.name
    wb.save(back)
    settle(back)
    env.run()
    assert fb.exists() and not list((env.outbox / "退回").rglob("*_错误标注_错误标注*"))
    wb = load_workbook(fb)
    assert [s for s in wb.sheetnames if s.startswith("问题清单")] == ["问题清单"]
    sheet = wb["Sheet1"]
    assert sheet["E2"].comment is None and sheet["E2"].fill.fill_type is None
    assert sheet["F3"].comment is not None


# ---- 3. the same bytes again ------------------------------------------------------------------
def _accepted_then_copied_back(env, tmp_path) -> Path:
    """A roster accepted, then the same bytes copied back into the inbox (mtime kept, as Explorer does)."""
    path = env.roster("石油工程系", [person()])
    keep = tmp_path / "keep.xlsx"
    shutil.copy2(path, keep)
    env.run()
    shutil.copy2(keep, path)
    return path


def test_a_copy_that_keeps_the_mtime_is_a_duplicate(env, tmp_path):
    _accepted_then_copied_back(env, tmp_path)  # as Explorer or cp -p does: same bytes, same mtime
    f = file_report(env.run(), REL)
    assert f["status"] == "duplicate"
    assert "已收到" in issue(f, "file-duplicate")["message"]


def test_an_older_version_sent_again_is_current_again(env, tmp_path):
    path = env.roster("石油工程系", [person(name="张三"), person(name="李四", sid="2024010102")])
    old = tmp_path / "old.xlsx"
    shutil.copy2(path, old)
    env.run()
    newer = tmp_path / "newer.xlsx"
    shutil.copy2(env.roster("石油工程系", [person(name="王五", sid="2024010103")]), newer)
    assert file_report(env.run(), REL)["status"] == "accepted"
    shutil.copy2(old, path)  # the older version, sent again: the latest arrival wins
    report = env.run()
    f = file_report(report, REL)
    assert f["status"] == "reinstated"
    assert "现重新作为现行版本" in issue(f, "file-reinstated")["message"]
    assert report["master"]["roster"] == 2
    ws = load_workbook(env.outbox / "汇总.xlsx")["工作人员名单"]
    col = [c.value for c in ws[1]].index("姓名")
    names = [r[col] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["张三", "李四"]
    shutil.copy2(newer, path)  # and the newer one again: it wins back
    report = env.run()
    assert file_report(report, REL)["status"] == "reinstated" and report["master"]["roster"] == 1


def test_submission_log_lists_duplicates_and_reinstatements(env, tmp_path):
    _accepted_then_copied_back(env, tmp_path)
    assert file_report(env.run(), REL)["status"] == "duplicate"
    ws = load_workbook(env.outbox / "汇总.xlsx")["提交记录"]
    header = [c.value for c in ws[1]]
    states = [dict(zip(header, (c.value for c in r)))["状态"] for r in ws.iter_rows(min_row=2)]
    assert len(states) == 2 and states[0].startswith("重复（同 ") and states[1] == "已接收（现行）"


def test_a_duplicate_left_by_a_killed_run_is_recorded_once(env, tmp_path):
    from sureform.pipeline import commit_batch, read_batch, scan, validate_batch
    from sureform.store import Store

    path = _accepted_then_copied_back(env, tmp_path)
    opts = env.options()  # a run killed after its commit, before its release: the file is still in the inbox
    commit_batch(validate_batch(read_batch(scan(opts).files, opts), opts), opts)
    f = file_report(env.run(), REL)
    assert f["status"] == "duplicate" and not path.exists()
    with Store(env.state / "master.sqlite") as store:
        assert len(store.all_arrivals()) == 1


# ---- 4. post and department in one cell ---------------------------------------------------------
def test_post_and_department_in_one_cell_are_split(env):
    f = run_rows(env, [person(post="宣传部部长", dept="")])
    assert f["status"] == "accepted"
    assert "post-not-allowed" not in codes(f)
    i = issue(f, "post-department-split")
    assert (i["severity"], i["cell"]) == ("warning", "F2")
    ws = load_workbook(env.outbox / "汇总.xlsx")["工作人员名单"]
    row = [c.value for c in ws[2]]
    assert "部长" in row and "宣传部" in row


def test_a_post_outside_the_vocabulary_is_a_finding_that_does_not_say_remove(env):
    f = run_rows(env, [person(post="秘书长")])
    i = issue(f, "post-not-allowed")
    assert i["severity"] == "finding" and "移出" not in i["message"]


# ---- 6. 汇总.xlsx for people ------------------------------------------------------------------
def test_submission_log_lists_rejections_in_chinese_with_short_times(env):
    env.roster("石油工程系", [person(sid="12-34")])
    env.run()
    env.roster("化学工程系", [person()])
    env.run()
    wb = load_workbook(env.outbox / "汇总.xlsx")
    ws = wb["提交记录"]
    header = [c.value for c in ws[1]]
    assert "内容指纹" not in header
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    assert {r["状态"] for r in rows} == {"退回", "已接收（现行）"}
    assert all(len(r["接收时间"]) == 16 and "T" not in r["接收时间"] for r in rows)
    assert {r["单位"] for r in rows} == {"石油工程系", "化学工程系"}
    for ws in wb.worksheets:
        # one page wide where that stays readable, else at a readable scale over several pages with the first
        # columns repeated (test_outputs_public measures it in LibreOffice's PDF)
        assert ws.page_setup.orientation == "landscape" and ws.print_title_rows
        if ws.sheet_properties.pageSetUpPr.fitToPage:
            assert ws.page_setup.fitToWidth in (1, None) and ws.page_setup.fitToHeight == 0
        else:
            assert ws.page_setup.scale >= 75 and ws.print_title_cols


def test_rank_ratio_is_a_percentage_and_verdicts_are_coloured(env):
    run_rows(env, [person(rank="3/45")])
    wb = load_workbook(env.outbox / "汇总.xlsx")
    ws = wb["工作人员名单"]
    col = [c.value for c in ws[1]].index("排名比例") + 1
    cell = ws.cell(2, col)
    assert isinstance(cell.value, float) and "%" in cell.number_format
    verdicts = wb["评估结论"]
    col = [c.value for c in verdicts[1]].index("结论") + 1
    assert any(verdicts.cell(r, col).fill.fill_type == "solid" for r in range(2, verdicts.max_row + 1))


def test_summary_rows_are_as_tall_as_their_wrapped_text(env):
    """LibreOffice and WPS do not grow a row for wrapped text themselves: 汇总.xlsx says each row's height."""
    run_rows(env, [person(rank="3/45")])
    ws = load_workbook(env.outbox / "汇总.xlsx")["评估结论"]
    col = [c.value for c in ws[1]].index("要求") + 1  # 40 characters wide: an item's text of 60 Chinese takes 3 lines
    tall = [r for r in range(2, ws.max_row + 1) if len(str(ws.cell(r, col).value or "")) > 60]
    assert tall
    for r in tall:
        assert ws.row_dimensions[r].height and ws.row_dimensions[r].height >= 16 * 3
    assert len({ws.row_dimensions[r].height for r in range(2, ws.max_row + 1)}) > 1  # each row its own height
    col = [c.value for c in ws[1]].index("依据") + 1
    assert not any("True" in str(ws.cell(r, col).value) or "False" in str(ws.cell(r, col).value)
                   for r in range(2, ws.max_row + 1))


def test_feedback_issue_list_is_wrapped_coloured_and_prints_landscape(env):
    run_rows(env, [person(political="群众")])
    ws = load_workbook(env.outbox / FEEDBACK)["问题清单"]
    assert [c.value for c in ws[2]][-1] == "代码"
    assert ws["G3"].alignment.wrap_text and ws["B3"].fill.fill_type == "solid"
    assert ws.page_setup.orientation == "landscape"


# ---- 5. every 未达标 says why in one line: see test_verdicts_structure (item 1), test_verdicts_selection (item 9)


# ---- 8. terminal and serve ------------------------------------------------------------------------
def test_terminal_summary_fits_80_columns_and_counts_in_words(env):
    from io import StringIO

    from rich.console import Console

    from sureform.outputs.terminal import print_report

    env.roster("石油工程系", [person(), person(sid="2024010102", name="李四")], name="二〇二〇年秋季学期工作人员名单（修订）.xlsx")
    report = env.run()
    out = StringIO()
    print_report(report, Console(file=out, width=80, color_system=None))
    text = out.getvalue()
    table = text[: text.index("汇总数据")]
    assert "2 人" in text and " 行" not in text
    assert "名单" in table and "已接收" in table
    assert not any(line.strip() in ("学", "名", "工") for line in table.splitlines())


def test_serve_log_line_per_file_says_what_happened(env):
    from sureform.outputs.terminal import file_lines

    env.roster("石油工程系", [person(), person(sid="2024010102", name="李四")])
    env.roster("化学工程系", [person(sid="12-34")])
    env.roster("机电工程系", [person(sid="2024010109", unit="机电工程系", political="群众")])
    lines = file_lines(env.run())
    assert "石油工程系/名单.xlsx：已接收，2 人，按“校级学生会工作人员名单”读取" in lines
    bad = next(line for line in lines if line.startswith("化学工程系/名单.xlsx"))
    assert "退回" in bad and "错误 1 处" in bad and "退回标注：" in bad and "_错误标注.xlsx" in bad
    kept = next(line for line in lines if line.startswith("机电工程系/名单.xlsx"))
    assert "已接收" in kept and "问题 1 处" in kept and "；标注：" in kept and "退回" not in kept.split("outbox")[0]


def test_developer_messages_are_debug_only(env, caplog):
    import logging

    env.roster("石油工程系", [person()])
    with caplog.at_level(logging.INFO, logger="sureform"):
        env.run()
    assert not [r for r in caplog.records if r.levelno >= logging.INFO and "document given" in r.getMessage()]


# ---- 9. templates print on one landscape page wide, title visible ------------------------------------
def test_templates_print_landscape_one_page_wide_with_title(tmp_path):
    from sureform.outputs.templates.catalog import write_templates

    for path in write_templates(tmp_path / "模板"):
        if path.suffix != ".xlsx":
            continue
        wb = load_workbook(path)
        for ws in wb.worksheets:
            assert ws.page_setup.orientation == "landscape", (path.name, ws.title)
            assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        first = wb.worksheets[0]
        if first["A1"].font.sz and first["A1"].font.sz >= 13:
            assert (first.row_dimensions[1].height or 0) >= first["A1"].font.sz * 1.5
    roster = load_workbook(next((tmp_path / "模板").rglob("*名单*.xlsx")))
    assert roster.worksheets[0].print_title_rows
