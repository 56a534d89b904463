"""机构信息: sheets recognised by name or header words, records by table, errors by code and cell, template."""
from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from conftest import codes, file_report, settle

from sureform.editions import load_catalogue
from sureform.intake.grid import read_grids
from sureform.intake.kinds import detect_kind, kind_named
from sureform.intake.readers.institution import read_institution, supersede_key

CAT = load_catalogue()

SHEETS = {
    "基本信息": [["项目", "内容"], ["学校名称", "天津石油职业技术学院"], ["组织类型", "学生会"],
             ["学生人数较多或分校区较多", "是"], ["全校学生人数", 9126]],
    "部门设置": [["部门名称", "部门职责", "复核说明"], ["办公室", "负责学生会办公室的日常工作。", None],
             ["生活纪安部", "负责教室、宿舍卫生检查工作。", "经校团委复核，已调整为服务类工作"]],
    "学代会": [["届次", "召开日期", "代表人数", "选举机构", "是否选举主席团"],
            ["第六次学生代表大会", date(2020, 10, 30), 100, "学生代表大会", "是"]],
    "评议会成员": [["姓名", "类别", "单位"], ["韩雨萱", "学生代表", "石油工程系"], ["孔德明", "学工部", "学生工作部"]],
    "党委听取汇报": [["日期", "会议名称", "内容"], ["2020.10.15", "学生会专题调研座谈会", "听取学生会工作汇报"]],
    "党建规划": [["是否纳入", "文件名称"], ["√", "学院党建工作要点"]],
    "学习贯彻举措": [["日期", "举措"], ["2020年10月20日", "专题学习全国学联二十七大会议精神"]],
    "指导责任人": [["类别", "姓名", "是否为专职团干", "备注"], ["分管学生会组织的校团委责任人", "张福成", "是", None],
              ["秘书长", "赵立新", "否", "校团委干部"]],
    "学代会代表名单": [["姓名", "学号", "院系", "推荐团支部", "选举单位"],
                ["金晨阳", "2019010350", "石油工程系", "石工1901团支部", "石油工程系"]],
    "评奖评优提名": [["姓名", "学号", "类别"], ["王子涵", "2018010101", "优秀学生干部"]],
}


def write_book(path: Path, sheets: dict, names: dict | None = None) -> Path:
    """`names` renames sheets (e.g. to Sheet2) to test recognition by header words."""
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet((names or {}).get(title, title))
        for r in rows:
            ws.append(r)
    wb.save(path)
    settle(path)
    return path


def read(path: Path):
    grids = read_grids(path)
    kind = detect_kind(grids)
    assert kind is not None and kind.name == "institution"
    return read_institution(grids, path.name, CAT)


def by_table(records) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in records:
        out.setdefault(r["_table"], []).append(r)
    return out


def test_every_table_and_its_keys(tmp_path):
    records, issues = read(write_book(tmp_path / "机构信息.xlsx", SHEETS))
    assert issues == []
    t = by_table(records)
    assert {r["item"]: r["value"] for r in t["basic"]} == {
        "学校名称": "天津石油职业技术学院", "组织类型": "学生会", "学生人数较多或分校区较多": True, "全校学生人数": 9126}
    assert t["basic"][0]["_cells"] == {"item": "A2", "value": "B2"} and t["basic"][0]["_cols"] == {}
    dept = t["departments"][1]
    assert (dept["name"], dept["duties"], dept["review_note"]) == ("生活纪安部", "负责教室、宿舍卫生检查工作。",
                                                                 "经校团委复核，已调整为服务类工作")
    assert dept["_sheet"] == "部门设置" and dept["_row"] == 3 and dept["_cols"]["duties"] == "B"
    assert dept["_cells"]["duties"] == "B3"
    congress, = t["congress"]
    assert {k: congress[k] for k in ("session", "date", "delegates", "body", "elects_presidium")} == {
        "session": "第六次学生代表大会", "date": date(2020, 10, 30), "delegates": 100, "body": "学生代表大会",
        "elects_presidium": True}
    assert [(m["name"], m["category"], m["unit"]) for m in t["council"]] == [
        ("韩雨萱", "学生代表", "石油工程系"), ("孔德明", "学工部", "学生工作部")]
    report, = t["party_reports"]
    assert (report["date"], report["title"], report["content"]) == (date(2020, 10, 15), "学生会专题调研座谈会", "听取学生会工作汇报")
    plan, = t["party_plan"]
    assert (plan["included"], plan["document"]) == (True, "学院党建工作要点")
    measure, = t["study_measures"]
    assert (measure["date"], measure["measure"]) == (date(2020, 10, 20), "专题学习全国学联二十七大会议精神")
    assert [(r["category"], r["name"], r["full_time"], r["remark"]) for r in t["responsible"]] == [
        ("分管学生会组织的校团委责任人", "张福成", True, None), ("秘书长", "赵立新", False, "校团委干部")]
    delegate, = t["delegates"]
    assert {k: delegate[k] for k in ("name", "student_id", "unit", "branch", "electing_unit")} == {
        "name": "金晨阳", "student_id": "2019010350", "unit": "石油工程系", "branch": "石工1901团支部",
        "electing_unit": "石油工程系"}
    nominee, = t["nominations"]
    assert (nominee["name"], nominee["student_id"], nominee["category"]) == ("王子涵", "2018010101", "优秀学生干部")
    assert supersede_key(None, records) == "institution" and not kind_named("institution").needs_unit


def test_sheets_recognised_by_header_words_when_unnamed(tmp_path):
    names = {title: f"Sheet{i}" for i, title in enumerate(SHEETS, 1)}
    records, issues = read(write_book(tmp_path / "x.xlsx", SHEETS, names))
    assert issues == []
    assert Counter(r["_table"] for r in records) == Counter(
        basic=4, departments=2, congress=1, council=2, party_reports=1, party_plan=1, study_measures=1, responsible=2,
        delegates=1, nominations=1)


def test_basic_facts_as_labels_anywhere_with_full_width_and_title(tmp_path):
    sheets = {"基本情况": [["机构基本信息表"], [], [None, "学 校 名 称：", "天津石油职业技术学院"],
                       [None, "组织类型（学生会/研究生会）", "☑学生会"], [None, "学生人数较多、分校区较多", "Y"],
                       [None, "在校学生人数", "9126"]],
              "部门设置": SHEETS["部门设置"]}
    records, issues = read(write_book(tmp_path / "b.xlsx", sheets))
    assert issues == []
    basic = {r["item"]: (r["value"], r["_cells"]["value"]) for r in records if r["_table"] == "basic"}
    assert basic == {"学校名称": ("天津石油职业技术学院", "C3"), "组织类型": ("学生会", "C4"),
                     "学生人数较多或分校区较多": (True, "C5"), "全校学生人数": (9126, "C6")}


def test_missing_basic_sheet_is_an_error_other_sheets_optional(tmp_path):
    sheets = {k: SHEETS[k] for k in ("部门设置", "学代会")}
    records, issues = read(write_book(tmp_path / "m.xlsx", sheets))
    assert [(i.code, i.severity, i.cell) for i in issues] == [("sheet-missing", "error", None)]
    assert {r["_table"] for r in records} == {"departments", "congress"}


def test_value_errors_by_cell(tmp_path):
    sheets = dict(SHEETS)
    sheets["基本信息"] = [["项目", "内容"], ["学校名称", "某学院"], ["组织类型", "团委"], ["学生人数较多或分校区较多", "也许"],
                      ["全校学生人数", "很多"]]
    sheets["部门设置"] = [["部门名称", "部门职责"], [None, "负责宣传工作"]]
    sheets["学代会"] = [["届次", "召开日期", "代表人数", "选举机构", "是否选举主席团"], ["第六次", "十月底", 100, "学生代表大会", "是"]]
    records, issues = read(write_book(tmp_path / "e.xlsx", sheets))
    got = sorted((i.code, i.sheet, i.cell) for i in issues)
    assert got == sorted([("choice-invalid", "基本信息", "B3"), ("yes-no-invalid", "基本信息", "B4"),
                          ("number-invalid", "基本信息", "B5"), ("value-missing", "部门设置", "A2"),
                          ("date-invalid", "学代会", "B2")])
    assert all(i.severity == "error" for i in issues)


def test_required_column_missing(tmp_path):
    sheets = {"基本信息": SHEETS["基本信息"], "部门设置": [["部门名称", "备注"], ["办公室", "x"]]}
    records, issues = read(write_book(tmp_path / "c.xlsx", sheets))
    assert [(i.code, i.sheet, i.column) for i in issues] == [("column-missing", "部门设置", "部门职责")]
    assert [r["_table"] for r in records] == ["basic"] * 4


def test_institution_recognised_by_content_not_file_name(tmp_path):
    path = write_book(tmp_path / "工作人员名单.xlsx", SHEETS)
    assert detect_kind(read_grids(path)).name == "institution"


def test_roster_is_not_taken_for_institution(tmp_path):
    from conftest import HEADER, person, write_xlsx

    path = write_xlsx(tmp_path / "机构信息.xlsx", [HEADER, person()])
    assert detect_kind(read_grids(path)).name == "roster"


def test_pipeline_keeps_table_tags_and_cells_and_supersedes(env):
    from sureform.store import Store

    write_book(env.inbox / "机构信息.xlsx", SHEETS)
    f = file_report(env.run(as_of=date(2020, 11, 24)), "机构信息.xlsx")
    assert (f["status"], f["kind"], f["unit"]) == ("accepted", "institution", None)
    smaller = {k: SHEETS[k] for k in ("基本信息", "部门设置")}
    write_book(env.inbox / "机构信息v2.xlsx", smaller)
    env.run(as_of=date(2020, 11, 24))
    with Store(env.options().db_path) as store:
        current = store.current_records("institution")
    assert Counter(r["_table"] for r in current) == Counter(basic=4, departments=2)
    dept = next(r for r in current if r["_table"] == "departments")
    assert dept["_cells"]["name"] == "A2"


def test_pipeline_rejects_without_basic_sheet(env):
    write_book(env.inbox / "机构.xlsx", {k: SHEETS[k] for k in ("部门设置", "评议会成员")})
    f = file_report(env.run(as_of=date(2020, 11, 24)), "机构.xlsx")
    assert f["status"] == "rejected" and codes(f) == ["sheet-missing"]


@pytest.mark.parametrize("fill", [True, False])
def test_template_round_trip(tmp_path, fill):
    from openpyxl import load_workbook

    from sureform.outputs.templates.institution import write_institution_template

    path = write_institution_template(tmp_path / "tpl.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "基本信息" and wb.sheetnames[-1] == "填写说明"
    assert wb["基本信息"].data_validations.dataValidation and wb["指导责任人"].data_validations.dataValidation
    if fill:
        for title, rows in SHEETS.items():
            ws = wb[title]
            if title == "基本信息":
                for r, (item, value) in enumerate(rows[1:], 2):
                    assert ws.cell(r, 1).value == item
                    ws.cell(r, 2, value)
                continue
            assert [c.value for c in ws[1]][:len(rows[0])] == rows[0]
            for r, values in enumerate(rows[1:], 2):
                for c, v in enumerate(values, 1):
                    ws.cell(r, c, v)
    wb.save(path)
    records, issues = read(path)
    assert issues == []
    if fill:
        assert Counter(r["_table"] for r in records) == Counter(
            basic=4, departments=2, congress=1, council=2, party_reports=1, party_plan=1, study_measures=1,
            responsible=2, delegates=1, nominations=1)
    else:
        assert records == []


def test_counts_in_words_per_sheet_in_the_terminal_and_the_serve_log(env):
    """Issue 11: "机构信息 149 项" meant nothing; each sheet is counted in its own words."""
    from io import StringIO

    from rich.console import Console

    from sureform.outputs.terminal import file_lines, print_report

    write_book(env.inbox / "机构信息.xlsx", SHEETS)
    report = env.run(as_of=date(2020, 11, 24))
    f = file_report(report, "机构信息.xlsx")
    assert f["parts"]["departments"] == 2 and f["parts"]["council"] == 2 and f["parts"]["basic"] == 4
    assert report["master_parts"] == f["parts"]
    line = next(line for line in file_lines(report) if line.startswith("机构信息.xlsx"))
    assert "部门设置 2 个、学代会 1 次、评议会成员 2 人" in line
    out = StringIO()
    print_report(report, Console(file=out, width=80, color_system=None))
    text = out.getvalue()
    assert "评议会成员 2 人" in text and "部门设置 2 个" in text.split("汇总数据")[1]
    assert all(len(line) <= 80 for line in text.splitlines())
    # an unchanged run shows the master's words from the recorded consolidation
    again = env.run(as_of=date(2020, 11, 24))
    assert again["master_parts"] == f["parts"]
