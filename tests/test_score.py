"""述职评议评分表: header variants, the score schema's codes by cell, results arithmetic, semesters, template."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import codes, file_report, settle, write_csv, write_xlsx

from sureform.editions import load_catalogue
from sureform.intake.grid import read_grids
from sureform.intake.kinds import detect_kind, kind_named
from sureform.intake.readers.score import read_scores, supersede_key
from sureform.rules.scoring import score_results
from sureform.intake.semesters import Semester, in_last_month, parse_semester, semester_of
from sureform.intake.readers.base import FileRead
from sureform.checks.score import check_scores
from sureform.checks.batch import run_validators

CAT = load_catalogue()
NAMES = ["政治态度1", "政治态度2", "道德品行1", "道德品行2", "学习情况1", "学习情况2", "工作成效1", "工作成效2",
         "纪律作风1", "纪律作风2", "总结材料", "述职汇报"]
FULL = [10, 10, 10, 10, 10, 5, 20, 10, 10, 5, 50, 50]
HEADER = ["学期", "评议日期", "被评议人姓名", "被评议人学号", "职务", "评议人", "评议人类别", *NAMES]
SEM = "2020-2021学年第一学期"


def row(person="王子涵", pid="2018010101", rater="甲", category="学生代表", scores=FULL, day="2020-12-28", sem=SEM,
        post="主席"):
    return [sem, day, person, pid, post, rater, category, *scores]


def read(path: Path):
    grids = read_grids(path)
    kind = detect_kind(grids)
    assert kind is not None and kind.name == "score"
    return read_scores(grids, path.name, CAT)


def validate(path: Path):
    """Read, then the batch validation as the pipeline runs it (a cell that failed to parse is not also empty)."""
    records, issues = read(path)
    fr = FileRead(path, path.name, kind="score", records=records, issues=list(issues))
    run_validators([fr], date(2020, 11, 24), CAT)
    return records, fr.issues


def test_plain_table_reads_every_key(tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", [HEADER, row(), row(rater="乙", category="校团委")], title="述职评议评分表")
    records, issues = validate(path)
    assert issues == []
    rec = records[1]
    assert (rec["semester"], rec["review_date"], rec["person_name"], rec["person_id"], rec["person_post"]) == (
        SEM, date(2020, 12, 28), "王子涵", "2018010101", "主席")
    assert rec["rater_name"] == "乙" and rec["rater_category"] == "团委"  # alias
    assert [rec[n] for n in NAMES] == [float(x) for x in FULL]
    assert rec["_row"] == 4 and rec["_cols"]["述职汇报"] == "S" and rec["_cells"]["rater_category"] == "G4"
    assert supersede_key(None, records) == f"score:{SEM}"
    assert not kind_named("score").needs_unit


@pytest.mark.parametrize("labels", [
    ["政治态度（一）", "政治态度（二）", "道德品行（一）", "道德品行（二）", "学习情况（一）", "学习情况（二）",
     "工作成效（一）", "工作成效（二）", "纪律作风（一）", "纪律作风（二）", "总结材料（50分）", "述职汇报（50分）"],
    ["政治态度(一)", "政治态度(二)", "道德品行(1)", "道德品行(2)", "学习情况一", "学习情况二", "工作成效1", "工作成效2",
     "纪律作风 1", "纪律作风 2", "总结材料得分", "述职汇报得分"],
    ["政治态度\n10分", "政治态度\n10分", "道德品行\n10分", "道德品行\n10分", "学习情况\n10分", "学习情况\n5分",
     "工作成效\n20分", "工作成效\n10分", "纪律作风\n10分", "纪律作风\n5分", "总结材料\n50分", "述职汇报\n50分"],
])
def test_sub_score_header_variants(tmp_path, labels):
    header = HEADER[:7] + labels
    records, issues = validate(write_xlsx(tmp_path / "s.xlsx", [header, row()]))
    assert issues == []
    assert [records[0][n] for n in NAMES] == [float(x) for x in FULL]


def test_two_row_header_and_semester_written_once_above(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "学生会工作人员述职评议评分表"
    ws["A2"] = "学期：2020—2021学年第1学期"
    ws["F2"] = "评议日期"
    ws["G2"] = date(2021, 1, 8)
    ws.append(["被评议人", None, None, "评议人", None] + ["日常考评"] * 10 + ["集中考评"] * 2)
    ws.append(["姓名", "学号", "职务", "姓名", "类别", "政治态度", "政治态度", "道德品行", "道德品行", "学习情况", "学习情况",
               "工作成效", "工作成效", "纪律作风", "纪律作风", "总结材料", "述职汇报"])
    for a, b in (("A3", "C3"), ("D3", "E3"), ("F3", "O3"), ("P3", "Q3")):
        ws.merge_cells(f"{a}:{b}")
    ws.append(["王子涵", "2018010101", "主席", "甲", "学生代表", *FULL])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    records, issues = validate(path)
    assert issues == []
    rec = records[0]
    assert rec["semester"] == SEM and rec["review_date"] == date(2021, 1, 8)
    assert rec["person_name"] == "王子涵" and rec["rater_name"] == "甲" and rec["rater_category"] == "学生代表"
    assert rec["_cells"]["semester"] == "A2" and rec["_cells"]["review_date"] == "G2" and rec["_row"] == 5


def test_csv_with_person_id_blank(tmp_path):
    records, issues = validate(write_csv(tmp_path / "s.csv", [HEADER, row(pid="")]))
    assert issues == [] and records[0]["person_id"] is None


def test_score_above_maximum_and_negative_and_not_a_number(tmp_path):
    scores = list(FULL)
    scores[0] = 11  # 政治态度1 > 10
    scores[5] = 5.5  # 学习情况2 > 5
    scores[9] = -1  # 纪律作风2 < 0
    scores[10] = "优"  # 总结材料 not a number
    records, issues = validate(write_xlsx(tmp_path / "s.xlsx", [HEADER, row(scores=scores)]))
    got = sorted((i.code, i.cell, i.column) for i in issues)
    assert got == sorted([("score-above-maximum", "H2", "政治态度1"), ("score-above-maximum", "M2", "学习情况2"),
                          ("score-negative", "Q2", "纪律作风2"), ("score-invalid", "R2", "总结材料")])
    assert all(i.severity == "error" for i in issues)
    above = next(i for i in issues if i.cell == "H2")
    assert above.value == "11" and "10" in above.message  # names its maximum


def test_blank_sub_score_is_missing(tmp_path):
    scores = list(FULL)
    scores[11] = None
    records, issues = validate(write_xlsx(tmp_path / "s.xlsx", [HEADER, row(scores=scores)]))
    assert [(i.code, i.cell, i.column) for i in issues] == [("value-missing", "S2", "述职汇报")]


def test_rater_category_invalid_and_duplicate_rater(tmp_path):
    rows = [HEADER, row(rater="甲"), row(rater="乙", category="老师"), row(rater="甲")]
    records, issues = validate(write_xlsx(tmp_path / "s.xlsx", rows))
    assert sorted((i.code, i.cell) for i in issues) == [("rater-category-invalid", "G3"), ("score-row-duplicated", "F4")]


def test_review_date_outside_last_month_is_a_warning_once_per_date(tmp_path):
    rows = [HEADER, row(day="2020-11-20"), row(rater="乙", day="2020-11-20")]
    records, issues = validate(write_xlsx(tmp_path / "s.xlsx", rows))
    assert [(i.code, i.severity, i.cell) for i in issues] == [("review-date-outside-last-month", "warning", "B2")]
    inside = [HEADER, row(day="2020-12-15"), row(rater="乙", day="2021-01-31"),
              row(rater="丙", sem="2020-2021学年第二学期", day="2021-06-01")]
    assert validate(write_xlsx(tmp_path / "in.xlsx", inside))[1] == []
    late = [HEADER, row(sem="2020-2021学年第二学期", day="2021-05-31")]
    assert codes_of(validate(write_xlsx(tmp_path / "late.xlsx", late))[1]) == ["review-date-outside-last-month"]


def codes_of(issues) -> list[str]:
    return [i.code for i in issues]


def test_semester_invalid_and_missing_columns(tmp_path):
    records, issues = validate(write_xlsx(tmp_path / "s.xlsx", [HEADER, row(sem="第一学期")]))
    assert [(i.code, i.cell) for i in issues] == [("semester-invalid", "A2")]
    header = [h for h in HEADER if h not in ("学期", "评议人类别")]
    data = [v for h, v in zip(HEADER, row()) if h not in ("学期", "评议人类别")]
    records, issues = read(write_xlsx(tmp_path / "m.xlsx", [header, data]))
    assert records == [] and sorted(i.column for i in issues if i.code == "column-missing") == ["学期", "评议人类别"]


def test_score_results_average_over_raters():
    def rec(person, pid, rater, daily, central):
        d = dict(zip(NAMES[:10], daily))
        d.update(zip(NAMES[10:], central))
        return dict(d, semester=SEM, person_name=person, person_id=pid, person_post="主席", rater_name=rater,
                    rater_category="学生代表")

    a = [10, 10, 10, 10, 10, 5, 20, 10, 10, 5]  # 100
    b = [8, 8, 8, 8, 8, 4, 16, 8, 8, 4]  # 80
    records = [rec("王子涵", "2018010101", "甲", a, [50, 40]), rec("王子涵", "2018010101", "乙", b, [30, 40]),
               rec("李宇航", None, "甲", b, [45, 45])]
    results = {r["person_name"]: r for r in score_results(records, CAT)}
    wang = results["王子涵"]
    assert wang["daily"] == pytest.approx(90) and wang["central"] == pytest.approx(80)
    assert wang["result"] == pytest.approx(0.5 * 90 + 0.5 * 80) and wang["raters"] == 2
    assert wang["semester"] == SEM and wang["person_id"] == "2018010101"
    li = results["李宇航"]
    assert li["result"] == pytest.approx(0.5 * 80 + 0.5 * 90) and li["raters"] == 1 and li["person_id"] is None


def test_semesters():
    assert parse_semester("2020-2021学年第一学期") == Semester(2020, 1)
    assert parse_semester("2020—2021学年第2学期") == Semester(2020, 2)
    assert parse_semester("2020-2021-1") == Semester(2020, 1)
    assert parse_semester("2020年秋季学期") == Semester(2020, 1)
    assert parse_semester("2021年春季学期") == Semester(2020, 2)
    assert parse_semester("2020-2022学年第一学期") is None and parse_semester("第一学期") is None
    assert semester_of(date(2020, 11, 24)) == Semester(2020, 1) == semester_of(date(2021, 1, 15))
    assert semester_of(date(2021, 3, 1)) == Semester(2020, 2)
    assert Semester(2020, 1).last_month() == (date(2020, 12, 15), date(2021, 1, 31))
    assert Semester(2020, 2).last_month() == (date(2021, 6, 1), date(2021, 7, 31))
    assert in_last_month(Semester(2020, 1), date(2020, 12, 28)) and not in_last_month(Semester(2020, 1), date(2020, 12, 14))


def test_score_sheet_is_not_taken_for_a_roster(tmp_path):
    """姓名/学号/职务 headers would satisfy the roster detector: score is tried first."""
    header = ["姓名", "学号", "职务", "评议人", "类别", *NAMES]
    path = write_xlsx(tmp_path / "s.xlsx", [header, row()[2:5] + ["甲", "学生代表", *FULL]])
    assert detect_kind(read_grids(path)).name == "score"


def test_pipeline_accepts_with_warning_and_rejects_above_maximum(env):
    write_xlsx(env.inbox / "评分.xlsx", [HEADER, row(day="2020-11-20"), row(rater="乙", day="2020-11-20")])
    f = file_report(env.run(as_of=date(2020, 11, 24)), "评分.xlsx")
    assert (f["status"], f["kind"], f["unit"], codes(f)) == ("accepted", "score", None, ["review-date-outside-last-month"])
    scores = list(FULL)
    scores[6] = 25
    write_xlsx(env.inbox / "评分2.xlsx", [HEADER, row(scores=scores)])
    f = file_report(env.run(as_of=date(2020, 11, 24)), "评分2.xlsx")
    assert f["status"] == "rejected" and codes(f) == ["score-above-maximum"] and f["issues"][0]["cell"] == "N2"


def test_template_round_trip(tmp_path):
    from openpyxl import load_workbook

    from sureform.outputs.templates.score import HEADER_ROW, write_score_template

    path = write_score_template(tmp_path / "tpl.xlsx")
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    assert wb.sheetnames[-1] == "填写说明" and len(ws.data_validations.dataValidation) >= 13
    ws["B2"] = SEM
    ws["E2"] = date(2020, 12, 28)
    for r, (rater, category) in enumerate((("甲", "学生代表"), ("乙", "学工部")), HEADER_ROW + 1):
        for c, v in enumerate(["王子涵", "2018010101", "主席", rater, category, *FULL], 1):
            ws.cell(r, c, v)
    wb.save(path)
    settle(path)
    records, issues = validate(path)
    assert issues == []
    assert [(r["semester"], r["review_date"], r["rater_category"]) for r in records] == [
        (SEM, date(2020, 12, 28), "学生代表"), (SEM, date(2020, 12, 28), "学工部")]
    assert [records[0][n] for n in NAMES] == [float(x) for x in FULL]
    result, = score_results(records, CAT)
    assert result["result"] == pytest.approx(100)


def test_check_scores_reads_records_back_from_the_store(tmp_path):
    """Master records carry dates as ISO text; the schema reads them the same."""
    records, _ = read(write_xlsx(tmp_path / "s.xlsx", [HEADER, row(day="2020-11-20")]))
    stored = [dict(r, review_date=r["review_date"].isoformat()) for r in records]
    by_pos = check_scores([("s.xlsx", r) for r in stored], CAT)
    assert [(i.code, i.cell) for i in by_pos[0]] == [("review-date-outside-last-month", "B2")]
