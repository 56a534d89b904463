"""Issue 19, point 1 (and 5): every template `sureform templates` writes, filled as a secretary would (openpyxl
on the very file: the 填写说明 sheet and the drop-downs kept, typed values), is read as its own kind; a file of
one kind never supersedes a file of another; a roster is a 院系 union's only when its 组织名称 names one; the
presidium-elected-by-congress item reads the 校党委确定 date against the last congress."""
from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import codes, file_report, settle, write_xlsx

AS_OF = date(2020, 11, 24)
UNIT = "石油工程系"
CONGRESS = date(2020, 10, 9)


@pytest.fixture(scope="module")
def blanks(tmp_path_factory) -> dict[str, Path]:
    from sureform.outputs.templates.catalog import write_templates

    return {p.name: p for p in write_templates(tmp_path_factory.mktemp("模板"))}


# ---- filling a template as a person does: find the label, type into the cell beside or below it -------------
def header_columns(ws, row: int) -> dict[str, int]:
    """Header label → column, the note in brackets (（10分）) dropped."""
    out = {}
    for cell in ws[row]:
        if isinstance(cell.value, str):
            out[cell.value.split("（")[0]] = cell.column
    return out


def fill_rows(ws, header_row: int, rows: list[dict]) -> None:
    cols = header_columns(ws, header_row)
    for r, values in enumerate(rows, header_row + 1):
        for label, value in values.items():
            ws.cell(r, cols[label], value)


def fill_beside(ws, values: dict) -> None:
    """A form: each label's value goes in the cell right of it."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value in values:
                ws.cell(cell.row, cell.column + 1, values[cell.value])


def copy_template(blank: Path, dest: Path) -> tuple:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(blank, dest)
    return load_workbook(dest), dest


def save(wb, dest: Path) -> Path:
    wb.save(dest)
    settle(dest)
    return dest


def staff_row(name, sid, post, dept, **more) -> dict:
    row = {"姓名": name, "学号": sid, "院系": UNIT, "专业": "石油工程技术", "班级": "石工1901", "入学年份": 2019,
           "学历层次": "专科", "政治面貌": "共青团员", "是否入党积极分子": "是", "职务": post, "所在部门": dept,
           "成绩排名": "3/45", "排名口径": "最近1学年", "不及格门数": 0, "违纪情况": "无",
           "推荐团组织": f"{UNIT}团总支", "审核日期": datetime(2020, 9, 20)}
    row.update(more)
    return row


SCHOOL_STAFF = [staff_row("王主席", "2019010101", "主席", "主席团"), staff_row("李 明", "2019010102", "部长", "宣传部"),
                staff_row("赵干事", "2019010103", "干事", "宣传部")]
UNION_STAFF = [staff_row("钱会长", "2019010201", "主席", "主席团", 组织名称="学生会"),
               staff_row("孙部长", "2019010202", "部长", "学习部", 组织名称="学生会", 政治面貌="群众"),
               staff_row("周干事", "2019010203", "干事", "学习部", 组织名称="学生会")]


def fill_school_roster(blanks, inbox: Path, rows=SCHOOL_STAFF, name="工作人员名单.xlsx") -> Path:
    wb, dest = copy_template(blanks["工作人员名单模板.xlsx"], inbox / UNIT / name)
    wb["工作人员名单"]["A1"] = f"{UNIT}学生在校级学生会任职的工作人员名单"
    fill_rows(wb["工作人员名单"], 2, rows)
    return save(wb, dest)


def fill_union_roster(blanks, inbox: Path) -> Path:
    wb, dest = copy_template(blanks["院系学生会工作人员名单模板.xlsx"], inbox / UNIT / "院系学生会工作人员名单.xlsx")
    wb["院系学生会工作人员名单"]["A1"] = f"{UNIT}学生会工作人员名单"
    fill_rows(wb["院系学生会工作人员名单"], 2, UNION_STAFF)
    return save(wb, dest)


def fill_candidate(blanks, inbox: Path, confirmed: date) -> Path:
    wb, dest = copy_template(blanks["主席团候选人预备人选推荐表模板.xlsx"], inbox / UNIT / "主席团候选人推荐表_王主席.xlsx")
    fill_beside(wb["推荐表"], {
        "姓名": "王主席", "学号": "2019010101", "院系": UNIT, "班级": "石工1901", "政治面貌": "共青团员",
        "成绩排名": "1/45",
        "班级团支部审核意见": "同意", "班级团支部审核日期": datetime(2020, 9, 1),
        "系团总支推荐意见": "同意推荐", "系团总支推荐日期": datetime(2020, 9, 3),
        "系党组织意见": "同意", "系党组织同意日期": datetime(2020, 9, 4),
        "公示开始日期": datetime(2020, 9, 7), "公示结束日期": datetime(2020, 9, 11), "公示结果": "无异议",
        "校团委资格审查意见": "合格", "校团委资格审查日期": datetime(2020, 9, 15),
        "学工部与团委联合审查意见": "通过", "学工部与团委联合审查日期": datetime(2020, 9, 18),
        "校党委确定意见": "同意", "校党委确定日期": datetime(confirmed.year, confirmed.month, confirmed.day),
    })
    return save(wb, dest)


def fill_scores(blanks, inbox: Path) -> Path:
    wb, dest = copy_template(blanks["述职评议评分表模板.xlsx"], inbox / "述职评议评分表.xlsx")
    ws = wb["述职评议评分表"]
    ws["B2"], ws["E2"] = "2020-2021学年第一学期", datetime(2020, 11, 20)
    cols = header_columns(ws, 4)
    row = {"被评议人姓名": "王主席", "被评议人学号": "2019010101", "职务": "主席", "评议人": "韩雨萱", "评议人类别": "学生代表"}
    for label in cols:
        if label not in row:
            row[label] = 4
    fill_rows(ws, 4, [row])
    return save(wb, dest)


def fill_institution(blanks, inbox: Path, congress: date = CONGRESS) -> Path:
    wb, dest = copy_template(blanks["机构信息模板.xlsx"], inbox / "机构信息.xlsx")
    fill_beside(wb["基本信息"], {"学校名称": "某职业技术学院", "组织类型": "学生会", "学生人数较多或分校区较多": "否",
                               "全校学生人数": 9000})
    fill_rows(wb["部门设置"], 1, [{"部门名称": "宣传部", "部门职责": "负责宣传工作。"}])
    fill_rows(wb["学代会"], 1, [{"届次": "第六次学生代表大会", "召开日期": datetime(congress.year, congress.month, congress.day),
                               "代表人数": 100, "选举机构": "学生代表大会", "是否选举主席团": "是"}])
    return save(wb, dest)


def run(inbox: Path, root: Path, edition: str = "2020") -> dict:
    from sureform.pipeline import RunOptions, run_pipeline

    return run_pipeline(RunOptions(inbox, root / "outbox", root / "state", AS_OF, edition, 0))


def sheet_rows(path: Path, sheet: str) -> list[list]:
    wb = load_workbook(path, read_only=True)
    return [list(r) for r in wb[sheet].iter_rows(values_only=True)]


# ---- the templates themselves ------------------------------------------------------------------------------
def test_the_school_roster_template_has_no_org_column_and_the_union_template_has_one(blanks):
    school = load_workbook(blanks["工作人员名单模板.xlsx"])
    union = load_workbook(blanks["院系学生会工作人员名单模板.xlsx"])
    school_head = [c.value for c in school["工作人员名单"][2] if c.value]
    union_head = [c.value for c in union["院系学生会工作人员名单"][2] if c.value]
    assert "组织名称" not in school_head and "学号" in school_head
    assert union_head[union_head.index("院系") + 1] == "组织名称"
    assert union.sheetnames == ["院系学生会工作人员名单", "填写说明"]
    org = f"{chr(64 + union_head.index('组织名称') + 1)}3"
    lists = [dv for dv in union["院系学生会工作人员名单"].data_validations.dataValidation if org in dv.sqref]
    assert lists and lists[0].formula1 == '"学生会,研究生会"'


# ---- every template filled, each read as its own kind -------------------------------------------------------
def test_every_filled_template_is_read_as_its_own_kind_and_nothing_is_superseded(blanks, tmp_path):
    inbox = tmp_path / "inbox"
    files = {"roster": fill_school_roster(blanks, inbox), "unit_roster": fill_union_roster(blanks, inbox),
             "candidate": fill_candidate(blanks, inbox, confirmed=date(2020, 9, 25)),
             "score": fill_scores(blanks, inbox), "institution": fill_institution(blanks, inbox)}
    # what a secretary leaves in place: the 填写说明 sheet, the drop-downs
    assert "填写说明" in load_workbook(files["roster"]).sheetnames
    assert load_workbook(files["unit_roster"])["院系学生会工作人员名单"].data_validations.dataValidation
    report = run(inbox, tmp_path)
    labels = {"roster": "校级学生会工作人员名单", "unit_roster": "院系学生会工作人员名单",
              "candidate": "主席团候选人预备人选推荐表", "score": "述职评议评分表", "institution": "机构信息"}
    for kind, path in files.items():
        f = file_report(report, path.relative_to(inbox).as_posix())
        assert (f["kind"], f["kind_label"], f["status"]) == (kind, labels[kind], "accepted"), f
    assert report["master"]["roster"] == 3 and report["master"]["unit_roster"] == 3

    # a new school roster supersedes the school roster only: the union's roster stays in force
    second = tmp_path / "inbox2"
    fill_school_roster(blanks, second, rows=SCHOOL_STAFF[:2], name="工作人员名单（修订）.xlsx")
    report = run(second, tmp_path)
    assert report["master"]["roster"] == 2 and report["master"]["unit_roster"] == 3
    log = sheet_rows(tmp_path / "outbox" / "汇总.xlsx", "提交记录")
    head = log[0]
    states = {(r[head.index("材料类型")], r[head.index("文件名")]): r[head.index("状态")] for r in log[1:]}
    assert states[("校级学生会工作人员名单", "工作人员名单.xlsx")] == "已被新文件替换"
    assert states[("校级学生会工作人员名单", "工作人员名单（修订）.xlsx")] == "已接收（现行）"
    for kind in ("院系学生会工作人员名单", "主席团候选人预备人选推荐表", "述职评议评分表", "机构信息"):
        assert [s for (k, _), s in states.items() if k == kind] == ["已接收（现行）"], kind


def test_feedback_and_terminal_say_which_kind_a_file_was_read_as(blanks, tmp_path):
    from io import StringIO

    from rich.console import Console

    from sureform.outputs.terminal import file_lines, print_report

    inbox = tmp_path / "inbox"
    fill_school_roster(blanks, inbox)  # 李 明: a hint, so a feedback workbook
    fill_union_roster(blanks, inbox)  # 群众: a finding
    report = run(inbox, tmp_path)
    school = file_report(report, f"{UNIT}/工作人员名单.xlsx")
    assert "name-space-removed" in codes(school)
    for name, label in (("工作人员名单.xlsx", "校级学生会工作人员名单"), ("院系学生会工作人员名单.xlsx", "院系学生会工作人员名单")):
        feedback = tmp_path / "outbox" / "反馈" / UNIT / f"{name}_错误标注.xlsx"
        first = load_workbook(feedback)["问题清单"]["A1"].value
        assert f"按“{label}”读取" in first, first
    lines = file_lines(report)
    assert any(line.startswith(f"{UNIT}/工作人员名单.xlsx：") and "按“校级学生会工作人员名单”读取" in line for line in lines)
    out = StringIO()
    print_report(report, Console(file=out, width=80, color_system=None))
    assert "校级名单" in out.getvalue() and "院系名单" in out.getvalue()


# ---- a 组织名称 column alone does not make a union roster ---------------------------------------------------------
@pytest.mark.parametrize("org", [None, "校学生会", "天津石油职业技术学院学生会"])
def test_an_org_column_without_a_union_name_is_the_school_roster_with_a_hint(tmp_path, org):
    header = ["姓名", "学号", "院系", "组织名称", "政治面貌", "职务", "所在部门", "成绩排名"]
    rows = [["王一", "2019010301", UNIT, org, "共青团员", "干事", "宣传部", "3/45"],
            ["王二", "2019010302", UNIT, org, "共青团员", "干事", "宣传部", "4/45"]]
    write_xlsx(tmp_path / "inbox" / UNIT / "名单.xlsx", [header, *rows], text_columns=("B",))
    f = file_report(run(tmp_path / "inbox", tmp_path), f"{UNIT}/名单.xlsx")
    assert (f["kind"], f["status"]) == ("roster", "accepted")
    hint = next(i for i in f["issues"] if i["code"] == "roster-org-not-union")
    assert (hint["sheet"], hint["cell"], hint["severity"]) == ("Sheet1", "D1", "warning")


@pytest.mark.parametrize("org", ["学生会", "研究生会", "石油工程系学生会"])
def test_an_org_column_naming_a_union_is_the_union_roster(tmp_path, org):
    header = ["姓名", "学号", "院系", "组织名称", "政治面貌", "职务", "所在部门", "成绩排名"]
    rows = [["王一", "2019010301", UNIT, org, "共青团员", "主席", "主席团", "3/45"]]
    write_xlsx(tmp_path / "inbox" / UNIT / "名单.xlsx", [header, *rows], text_columns=("B",))
    f = file_report(run(tmp_path / "inbox", tmp_path), f"{UNIT}/名单.xlsx")
    assert (f["kind"], f["status"]) == ("unit_roster", "accepted") and "roster-org-not-union" not in codes(f)


def test_every_kind_supersedes_only_within_itself():
    from sureform.intake.kinds import KINDS

    records = [{"student_id": "1", "semester": "2020-2021学年第一学期", "role": "charter"}]
    for kind in KINDS:
        key = kind.supersede_key(UNIT, records)
        assert key == kind.name or key.startswith(f"{kind.name}:"), (kind.name, key)


# ---- point 5: the presidium confirmed after every congress was not elected by one ------------------------------
def test_a_presidium_confirmed_after_the_last_congress_was_not_elected_by_it(blanks, tmp_path):
    inbox = tmp_path / "inbox"
    fill_school_roster(blanks, inbox)
    form = fill_candidate(blanks, inbox, confirmed=date(2020, 9, 25))
    fill_institution(blanks, inbox, congress=date(2018, 11, 16))
    cell = next(c.coordinate for row in load_workbook(form)["推荐表"].iter_rows() for c in row if c.value == "校党委确定日期")
    report = run(inbox, tmp_path)
    item = next(i for i in report["items"] if i["id"] == "8")
    assert item["verdict"] == "未达标"
    assert "2020年9月25日" in item["note"] and "2018年11月16日" in item["note"]
    found = next(e for e in item["evidence"] if e.get("code") == "presidium-confirmed-after-congress")
    assert found["file"] == form.relative_to(inbox).as_posix()
    assert found["cell"] == f"{chr(ord(cell[0]) + 1)}{cell[1:]}" and found["value"] == "2020-09-25"
    congress = next(e for e in item["evidence"] if e.get("fact") == "最近一次学代会召开日期")
    assert congress["value"] == "2018-11-16" and congress["source"] == "机构信息.xlsx 学代会!B2"


def test_a_presidium_confirmed_before_the_congress_passes(blanks, tmp_path):
    inbox = tmp_path / "inbox"
    fill_school_roster(blanks, inbox)
    fill_candidate(blanks, inbox, confirmed=date(2020, 9, 25))
    fill_institution(blanks, inbox, congress=CONGRESS)  # 2020-10-09, after the confirmation
    item = next(i for i in run(inbox, tmp_path)["items"] if i["id"] == "8")
    assert item["verdict"] == "达标", item
    assert not [e for e in item["evidence"] if e.get("code") == "presidium-confirmed-after-congress"]
