"""主席团候选人预备人选推荐表: forms in several layouts, tables, errors by code and cell, supersede, template."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import codes, file_report, settle, write_csv, write_xls, write_xlsx

from sureform.editions import load_catalogue
from sureform.intake.grid import read_grids
from sureform.intake.kinds import detect_kind, kind_named
from sureform.intake.readers.candidate import RECORD_KEYS, read_candidates, supersede_key
from sureform.intake.readers.base import FileRead
from sureform.checks.batch import VALIDATORS

CHAIN_DATES = {
    "branch_review_date": date(2020, 9, 1), "league_recommend_date": date(2020, 9, 3),
    "party_consent_date": date(2020, 9, 4), "publicity_start": date(2020, 9, 7), "publicity_end": date(2020, 9, 11),
    "qualification_date": date(2020, 9, 15), "joint_review_date": date(2020, 9, 18),
    "party_decision_date": date(2020, 9, 25),
}


def read(path: Path):
    grids = read_grids(path)
    kind = detect_kind(grids)
    assert kind is not None and kind.name == "candidate"
    records, issues = read_candidates(grids, path.name, load_catalogue())
    return records, issues


def write_cells(path: Path, cells: dict, sheet: str = "推荐表", merges=()) -> Path:
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for ref, value in cells.items():
        ws[ref] = value
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    settle(path)
    return path


def template_like_cells(name="王子涵", sid="2018010101") -> dict:
    return {
        "A1": "学生会主席团候选人预备人选推荐表",
        "A3": "姓名", "B3": name, "C3": "学号", "D3": sid,
        "A4": "院系", "B4": "石油工程系", "C4": "班级", "D4": "石工1801",
        "A5": "政治面貌", "B5": "团员", "C5": "成绩排名", "D5": "3/45",
        "A8": "班级团支部审核意见", "B8": "同意", "C8": "班级团支部审核日期", "D8": date(2020, 9, 1),
        "A9": "系团总支推荐意见", "B9": "同意推荐", "C9": "系团总支推荐日期", "D9": "2020-09-03",
        "A10": "系党组织意见", "B10": "同意", "C10": "系党组织同意日期", "D10": "2020/9/4",
        "A11": "公示开始日期", "B11": "2020.9.7", "C11": "公示结束日期", "D11": "2020年9月11日",
        "A12": "公示结果", "B12": "无异议",
        "A13": "校团委资格审查意见", "B13": "合格", "C13": "校团委资格审查日期", "D13": 44089,  # Excel serial
        "A14": "学工部与团委联合审查意见", "B14": "通过", "C14": "学工部与团委联合审查日期", "D14": "20200918",
        "A15": "校党委确定意见", "B15": "同意", "C15": "校党委确定日期", "D15": "2020-09-25",
    }


def test_form_with_labels_left_of_values(tmp_path):
    (rec,), issues = read(write_cells(tmp_path / "a.xlsx", template_like_cells()))
    assert issues == []
    assert set(RECORD_KEYS) <= rec.keys()
    assert (rec["name"], rec["student_id"], rec["unit"], rec["class_name"], rec["political"]) == (
        "王子涵", "2018010101", "石油工程系", "石工1801", "共青团员")
    assert rec["rank_text"] == "3/45" and rec["rank_ratio"] == pytest.approx(3 / 45)
    assert {k: rec[k] for k in CHAIN_DATES} == CHAIN_DATES
    assert rec["publicity_result"] == "无异议" and rec["party_decision_result"] == "同意"
    assert rec["_sheet"] == "推荐表" and rec["_row"] == 3 and rec["_cols"] == {}
    assert rec["_cells"]["name"] == "B3" and rec["_cells"]["student_id"] == "D3"
    assert rec["_cells"]["qualification_date"] == "D13" and rec["_cells"]["publicity_end"] == "D11"
    assert rec["_cells"]["rank_ratio"] == "D5"


def test_form_shifted_full_width_labels_bare_date_labels_and_period(tmp_path):
    """Labels in B and E, full-width spaces and bracket notes, merged values, a 日期 label per step."""
    cells = {
        "B1": "主席团候选人预备人选推荐表", "B3": "推荐单位：机电工程系",
        "B5": "姓　　名", "C5": "李宇航", "E5": "学　　号", "F5": "2019020202",
        "B6": "院（系）", "C6": "机电工程系", "E6": "政治面貌（请选择）", "F6": "共青团员",
        "B7": "成绩排名（名次/专业人数）", "C7": "2/44",
        "B8": "班级团支部审核意见", "C8": "同意，经团支部委员会审核。", "E8": "日　　期", "F8": "2020年9月1日",
        "B9": "系团总支推荐意见", "C9": "同意推荐", "E9": "日　　期", "F9": "2020年9月3日",
        "B10": "系党组织意见", "C10": "同意", "E10": "日　　期", "F10": "2020年9月4日",
        "B11": "公示期间", "C11": "2020年9月7日至2020年9月11日", "E11": "公示结果", "F11": "无异议",
        "B12": "校团委资格审查意见", "C12": "合格", "E12": "日　　期", "F12": "2020年9月15日",
        "B13": "学工部与团委联合审查意见", "C13": "通过", "E13": "日　　期", "F13": "2020年9月18日",
        "B14": "校党委确定意见", "C14": "同意", "E14": "日　　期", "F14": "2020年9月25日",
    }
    merges = [f"C{r}:D{r}" for r in range(5, 15)]
    (rec,), issues = read(write_cells(tmp_path / "b.xlsx", cells, sheet="李宇航", merges=merges))
    assert issues == []
    assert rec["name"] == "李宇航" and rec["student_id"] == "2019020202" and rec["unit"] == "机电工程系"
    assert {k: rec[k] for k in CHAIN_DATES} == CHAIN_DATES
    assert rec["branch_review_result"] == "同意，经团支部委员会审核。"  # kept as typed
    assert rec["_row"] == 5
    assert rec["_cells"]["party_consent_date"] == "F10" and rec["_cells"]["publicity_start"] == "C11"
    assert rec["_cells"]["name"] == "C5"


def test_form_labels_over_values_and_inline_dates(tmp_path):
    cells = {
        "A1": "主席团候选人预备人选推荐表",
        "A3": "姓名", "B3": "学号", "C3": "院系", "D3": "班级", "E3": "政治面貌", "F3": "综合素质排名",
        "A4": "刘雅静", "B4": "2019030103", "C4": "化学工程系", "D4": "化工1901", "E4": "共青团员", "F4": "6.7%",
        "A6": "班级团支部意见", "B6": "同意", "D6": "日期：2020.9.1",
        "A7": "系团总支意见", "B7": "同意推荐", "D7": "日期：2020.9.3",
        "A8": "系党组织意见", "B8": "同意", "D8": "日期：2020.9.4",
        "A9": "公示开始时间", "B9": "2020.9.7", "C9": "公示结束时间", "D9": "2020.9.11",
        "A10": "公示情况", "B10": "公示期满无异议",
        "A11": "资格审查意见", "B11": "合格", "D11": "日期：2020.9.15",
        "A12": "联合审查意见", "B12": "通过", "D12": "日期：2020.9.18",
        "A13": "校党委意见", "B13": "同意", "D13": "日期：2020.9.25",
    }
    (rec,), issues = read(write_cells(tmp_path / "c.xlsx", cells))
    assert issues == []
    assert (rec["name"], rec["student_id"], rec["class_name"]) == ("刘雅静", "2019030103", "化工1901")
    assert rec["rank_ratio"] == pytest.approx(0.067) and rec["rank_text"] == "6.7%"
    assert {k: rec[k] for k in CHAIN_DATES} == CHAIN_DATES
    assert rec["_row"] == 4 and rec["_cells"]["name"] == "A4" and rec["_cells"]["branch_review_date"] == "D6"


def test_form_label_and_value_in_one_cell_id_as_number_date_in_opinion(tmp_path):
    cells = {
        "C2": "学生会主席团候选人预备人选推荐表",
        "B4": "姓名：陈鹏飞", "D4": "学号", "E4": 2019040204,
        "B5": "院系：信息工程系", "D5": "班级：计网1902", "B6": "政治面貌：共青团员",
        "D6": "成绩排名", "E6": 2, "F6": "专业人数", "G6": 40,
        "B8": "班级团支部审核意见", "C8": "同意 2020/9/1",
        "B9": "系团总支推荐意见", "C9": "同意推荐 2020/9/3",
        "B10": "系党组织意见", "C10": "同意 2020/9/4", "D10": "签字（盖章）",
        "B11": "公示开始日期", "C11": date(2020, 9, 7), "D11": "公示结束日期", "E11": date(2020, 9, 11),
        "B12": "公示结果", "C12": "无异议",
        "B13": "校团委资格审查意见", "C13": "合格", "D13": "审核日期", "E13": date(2020, 9, 15),
        "B14": "学工部与团委联合审查意见", "C14": "通过", "D14": "审核日期", "E14": date(2020, 9, 18),
        "B15": "校党委确定意见", "C15": "同意", "D15": "审核日期", "E15": date(2020, 9, 25),
    }
    (rec,), issues = read(write_cells(tmp_path / "d.xlsx", cells))
    assert issues == []
    assert rec["name"] == "陈鹏飞" and rec["student_id"] == "2019040204" and rec["class_name"] == "计网1902"
    assert rec["rank_text"] == "2/40" and rec["rank_ratio"] == pytest.approx(0.05)
    assert {k: rec[k] for k in CHAIN_DATES} == CHAIN_DATES
    assert rec["_cells"]["name"] == "B4" and rec["_cells"]["branch_review_date"] == "C8"
    assert rec["_cells"]["joint_review_date"] == "E14"


def test_one_candidate_per_sheet_and_instruction_sheet_ignored(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    for i, (name, sid) in enumerate((("甲一", "2019010001"), ("乙二", "2019010002"))):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = name
        for ref, value in template_like_cells(name, sid).items():
            ws[ref] = value
    notes = wb.create_sheet("填写说明")
    notes["A1"] = "姓名：必填"
    notes["A2"] = "班级团支部审核意见：同意"
    notes["A3"] = "系团总支推荐意见：同意"
    path = tmp_path / "two.xlsx"
    wb.save(path)
    records, issues = read(path)
    assert issues == []
    assert [(r["_sheet"], r["student_id"]) for r in records] == [("甲一", "2019010001"), ("乙二", "2019010002")]
    assert supersede_key("石油工程系", records) == "candidate:2019010001"


TABLE_HEADER = ["姓名", "学号", "院系", "班级", "政治面貌", "成绩排名", "班级团支部审核意见", "班级团支部审核日期",
                "系团总支推荐意见", "系团总支推荐日期", "系党组织意见", "系党组织同意日期", "公示开始日期", "公示结束日期",
                "公示结果", "校团委资格审查意见", "校团委资格审查日期", "学工部与团委联合审查意见",
                "学工部与团委联合审查日期", "校党委确定意见", "校党委确定日期"]


def table_row(name, sid, dates=("2020-09-01", "2020-09-03", "2020-09-04", "2020-09-07", "2020-09-11", "2020-09-15",
                                "2020-09-18", "2020-09-25")):
    d = list(dates)
    return [name, sid, "石油工程系", "石工1901", "共青团员", "3/45", "同意", d[0], "同意推荐", d[1], "同意", d[2], d[3], d[4],
            "无异议", "合格", d[5], "通过", d[6], "同意", d[7]]


def test_table_one_row_a_candidate(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [TABLE_HEADER, table_row("甲", "2019010001"), table_row("乙", "2019010002")],
                      title="主席团候选人预备人选推荐汇总表")
    records, issues = read(path)
    assert issues == []
    assert [r["student_id"] for r in records] == ["2019010001", "2019010002"]
    rec = records[1]
    assert {k: rec[k] for k in CHAIN_DATES} == CHAIN_DATES
    assert rec["_row"] == 4 and rec["_cols"]["student_id"] == "B" and rec["_cells"]["party_decision_date"] == "U4"


@pytest.mark.parametrize("writer, suffix", [(write_xls, ".xls"), (write_csv, ".csv")])
def test_table_in_old_xls_and_csv(tmp_path, writer, suffix):
    rows = [TABLE_HEADER, table_row("甲", "2019010001", ["2020年9月1日", "2020/9/3", "2020.9.4", "2020-9-7", "2020-9-11",
                                                       "2020-09-15", "2020-09-18", "2020-09-25"])]
    records, issues = read(writer(tmp_path / f"t{suffix}", rows))
    assert issues == []
    assert {k: records[0][k] for k in CHAIN_DATES} == CHAIN_DATES


def test_missing_id_and_name_bad_dates_and_bad_period(tmp_path):
    cells = template_like_cells()
    cells["D3"] = None  # 学号 label present, value blank
    del cells["A3"], cells["B3"]  # no 姓名 label at all
    cells["D8"] = "九月一日"
    cells["D13"] = "2020-13-45"
    cells.update({"A11": "公示期间", "B11": "九月上旬", "C11": None, "D11": None})
    cells["A16"] = "姓名"  # a 姓名 label below everything, value blank
    (rec,), issues = read(write_cells(tmp_path / "bad.xlsx", cells))
    got = sorted((i.code, i.cell) for i in issues)
    assert got == sorted([("value-missing", "D3"), ("value-missing", "B16"), ("date-invalid", "D8"),
                          ("date-invalid", "D13"), ("publicity-period-invalid", "B11")])
    assert all(i.severity == "error" for i in issues)
    assert rec["branch_review_date"] is None and rec["_cells"]["student_id"] == "D3"


def test_invalid_student_id_is_not_also_reported_missing(tmp_path):
    cells = template_like_cells(sid="20-19")
    (rec,), issues = read(write_cells(tmp_path / "id.xlsx", cells))
    assert [(i.code, i.cell) for i in issues] == [("student-id-invalid", "D3")]


def test_duplicate_candidate_in_one_table_is_an_error(tmp_path):
    path = write_xlsx(tmp_path / "dup.xlsx", [TABLE_HEADER, table_row("甲", "2019010001"), table_row("甲", "2019010001")])
    records, issues = read(path)
    fr = FileRead(path, "dup.xlsx", kind="candidate", records=records, issues=list(issues))
    VALIDATORS["candidate"]([fr], date(2020, 11, 24), load_catalogue())
    assert [(i.code, i.cell) for i in fr.issues] == [("student-id-duplicated", "B3")]


def test_candidate_detected_before_roster(tmp_path):
    """A candidate table has 姓名/学号/政治面貌 headers that would also satisfy the roster detector."""
    path = write_xlsx(tmp_path / "t.xlsx", [TABLE_HEADER, table_row("甲", "2019010001")])
    assert detect_kind(read_grids(path)).name == "candidate"
    form = write_cells(tmp_path / "f.xlsx", template_like_cells())
    assert detect_kind(read_grids(form)).name == "candidate"


def test_pipeline_unit_from_folder_and_resubmission_supersedes(env):
    from sureform.store import Store

    cells = template_like_cells()
    write_cells(env.inbox / "石油工程系" / "推荐表.xlsx", cells)
    report = env.run(as_of=date(2020, 11, 24))
    f = file_report(report, "石油工程系/推荐表.xlsx")
    assert f["status"] == "accepted" and f["kind"] == "candidate" and f["unit"] == "石油工程系"
    cells["B12"] = "有异议"
    write_cells(env.inbox / "石油工程系" / "推荐表v2.xlsx", cells)
    report = env.run(as_of=date(2020, 11, 24))
    assert file_report(report, "石油工程系/推荐表v2.xlsx")["status"] == "accepted"
    with Store(env.options().db_path) as store:
        current = store.current_records("candidate")
        keys = [s["supersede_key"] for s in store.current_submissions("candidate")]
    assert keys == ["candidate:2018010101"]
    assert len(current) == 1 and current[0]["publicity_result"] == "有异议"
    assert current[0]["_cells"]["publicity_result"] == "B12" and current[0]["branch_review_date"] == "2020-09-01"
    assert kind_named("candidate").needs_unit


def test_pipeline_rejects_a_form_without_student_id(env):
    cells = template_like_cells()
    cells["D3"] = None
    write_cells(env.inbox / "石油工程系" / "推荐表.xlsx", cells)
    f = file_report(env.run(as_of=date(2020, 11, 24)), "石油工程系/推荐表.xlsx")
    assert f["status"] == "rejected" and codes(f) == ["value-missing"] and f["issues"][0]["cell"] == "D3"


def test_template_round_trip(tmp_path):
    from openpyxl import load_workbook

    from sureform.outputs.templates.candidate import step_rows, write_candidate_template

    path = write_candidate_template(tmp_path / "tpl.xlsx")
    wb = load_workbook(path)
    ws = wb["推荐表"]
    assert wb.sheetnames[-1] == "填写说明" and ws.data_validations.dataValidation
    # every value cell is right of its label: fill them
    values = {"B3": "王子涵", "D3": "2018010101", "B4": "石油工程系", "D4": "石工1801", "B5": "共青团员", "D5": 3, "B6": 45}
    dates = iter([date(2020, 9, 1), date(2020, 9, 3), date(2020, 9, 4), date(2020, 9, 15), date(2020, 9, 18),
                  date(2020, 9, 25)])
    for row, rk, _, dk, _ in step_rows():
        if rk == "publicity_start":
            values[f"B{row}"], values[f"D{row}"] = date(2020, 9, 7), date(2020, 9, 11)
        elif rk == "publicity_result":
            values[f"B{row}"] = "无异议"
        else:
            values[f"B{row}"], values[f"D{row}"] = "同意", next(dates)
    for ref, v in values.items():
        ws[ref] = v
    wb.save(path)
    (rec,), issues = read(path)
    assert issues == []
    assert rec["student_id"] == "2018010101" and rec["rank_text"] == "3/45"
    assert {k: rec[k] for k in CHAIN_DATES} == CHAIN_DATES
    assert rec["publicity_result"] == "无异议"


def test_blank_template_reports_missing_name_and_id(tmp_path):
    from sureform.outputs.templates.candidate import write_candidate_template

    records, issues = read(write_candidate_template(tmp_path / "tpl.xlsx"))
    assert sorted((i.code, i.cell) for i in issues) == [("value-missing", "B3"), ("value-missing", "D3")]


def test_formula_without_a_saved_value(tmp_path):
    cells = template_like_cells()
    cells["D9"] = "=D8+2"  # openpyxl saves the formula without a computed value
    (rec,), issues = read(write_cells(tmp_path / "f.xlsx", cells))
    assert [(i.code, i.cell) for i in issues] == [("formula-no-value", "D9")]
