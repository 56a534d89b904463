"""Write the sample 工作人员名单 of each 系 into examples/inbox/, each in a different real-world shape.

Run: .venv/bin/python examples/make_samples_roster.py
The shapes are the ones secretaries really send: a title row and merged headers, an old .xls with
学号 typed as numbers, a GB18030 CSV saved by WPS, full-width labels and a two-row header, and a
file dropped at the inbox root whose 系 comes from its 院系 column.
"""
from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from seed_people import PEOPLE, Person  # noqa: E402

INBOX = HERE / "inbox"
REVIEW = date(2020, 9, 25)


def by_unit(unit: str) -> list[Person]:
    return [p for p in PEOPLE if p.unit == unit]


def _recommender(p: Person) -> str:
    return f"{p.unit}团总支"


def write_title_and_merged_header(path: Path, people: list[Person]) -> None:
    """石油工程系: a title row, merged title cell, 学号 as text, ranks as 3/45, dates as date cells."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append([f"{people[0].unit}校级学生会工作人员名单"])
    ws.merge_cells("A1:P1")
    ws.append(["填报单位：" + people[0].unit + "团总支", "", "", "", "", "", "", "", "", "", "", "", "填报日期：2020年9月25日"])
    ws.append(["序号", "姓名", "学号", "院系", "专业", "班级", "入学年份", "学历层次", "政治面貌", "是否入党积极分子",
               "职务", "所在部门", "成绩排名", "排名口径", "不及格门数", "违纪情况", "推荐团组织", "审核日期"])
    for n, p in enumerate(people, 1):
        ws.append([n, p.name, p.student_id, p.unit, p.major, p.class_name, p.year, "专科", "共青团员", "是", p.post,
                   p.department, f"{p.rank}/{p.major_size}" if p.rank else "", "最近1学年", 0, "无", _recommender(p),
                   REVIEW])
        ws.cell(ws.max_row, 18).number_format = "yyyy-mm-dd"
    ws.append(["填表说明：一年级新生暂无成绩排名。"])
    wb.save(path)


def write_old_xls(path: Path, people: list[Person]) -> None:
    """机电工程系: .xls from an old template, 学号 typed as numbers, 名次 + 专业人数, 年级 as 2019级."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    header = ["姓名", "学号", "系部", "专业", "班级", "年级", "政治面貌", "入党积极分子", "担任职务", "所属部门", "专业排名",
              "专业人数", "不及格科目数", "违纪情况", "推荐单位", "审核日期"]
    for c, h in enumerate(header):
        ws.write(0, c, h)
    for r, p in enumerate(people, 1):
        row = [p.name, int(p.student_id), p.unit, p.major, p.class_name, f"{p.year}级", "共青团员", "是", p.post,
               p.department, p.rank if p.rank else "", p.major_size if p.rank else "", 0, "", _recommender(p),
               "2020.9.25"]
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.save(str(path))


def write_wps_csv(path: Path, people: list[Person]) -> None:
    """化学工程系: CSV saved by WPS in GB18030, 团员 for 共青团员, √ for 是, ranks as percentages."""
    rows = [["姓名", "学号", "院系", "专业", "班级", "入学年份", "政治面貌", "是否入党积极分子", "职务", "所在部门",
             "成绩排名", "不及格门数", "违纪情况", "推荐团组织", "审核日期"]]
    for p in people:
        rank = f"{p.rank / p.major_size:.1%}" if p.rank else ""
        rows.append([p.name, p.student_id, p.unit, p.major, p.class_name, str(p.year), "团员", "√", p.post,
                     p.department, rank, "0", "无", _recommender(p), "2020年9月25日"])
    with open(path, "w", encoding="gb18030", newline="") as f:
        csv.writer(f).writerows(rows)


def write_two_row_header(path: Path, people: list[Person]) -> None:
    """信息工程系: full-width labels with spaces, bracketed notes, a two-row header with 成绩排名 merged."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "工作人员"
    top = ["姓　名", "学　号", "院　系", "班　级", "入学年份", "政治面貌（请选择）", "是否入党积极分子", "职务（请选择）",
           "所在部门", "成绩排名", "", "不及格门数", "推荐团组织", "审核日期"]
    sub = ["", "", "", "", "", "", "", "", "", "名次", "专业人数", "", "", ""]
    ws.append(top)
    ws.append(sub)
    for c, label in enumerate(top, 1):
        if label and c not in (10, 11):
            ws.merge_cells(start_row=1, start_column=c, end_row=2, end_column=c)
    ws.merge_cells("J1:K1")
    for p in people:
        ws.append([p.name, p.student_id, p.unit, p.class_name, p.year, "共青团员", "Y", p.post, p.department,
                   p.rank or "", p.major_size or "", 0, _recommender(p), "2020/09/25"])
    wb.save(path)


def write_root_file(path: Path, people: list[Person]) -> None:
    """经济管理系: dropped at the inbox root; the 系 comes from the 学院 column; ranks as decimals."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "经管系"
    ws.append(["学生姓名", "学生学号", "学院", "专业", "入学年份", "政治面貌", "入党积极分子", "职位", "部门", "成绩排名",
               "不及格门数", "推荐团组织", "审核日期"])
    for p in people:
        ws.append([p.name, p.student_id, p.unit, p.major, f"{p.year}级", "共青团员", "✓", p.post, p.department,
                   round(p.rank / p.major_size, 4) if p.rank else "", 0, _recommender(p), date(2020, 9, 25)])
    wb.save(path)


def main() -> None:
    writers = {
        "石油工程系": ("石油工程系/工作人员名单.xlsx", write_title_and_merged_header),
        "机电工程系": ("机电工程系/工作人员名单.xls", write_old_xls),
        "化学工程系": ("化学工程系/工作人员名单.csv", write_wps_csv),
        "信息工程系": ("信息工程系/工作人员名单.xlsx", write_two_row_header),
        "经济管理系": ("经济管理系工作人员名单.xlsx", write_root_file),
    }
    for unit, (rel, writer) in writers.items():
        path = INBOX / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        writer(path, by_unit(unit))
        print(path.relative_to(HERE))


if __name__ == "__main__":
    main()
