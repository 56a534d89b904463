"""Write the sample 二级 organisations (each 院系's own 学生会) into examples/inbox/: two unions' rosters, and the
rows of their facts for the 机构信息 workbook's 二级组织信息 sheet (make_samples_inputs.py writes that sheet).

石油工程系学生会 meets every item of the 2021 二级 table; 机电工程系学生会 has 32 staff and a 4th presidium
member, a 全体学生大会 held too long ago and no spring training. Read with `--as-of 2020-11-24`.
Run: .venv/bin/python examples/make_samples_units.py
"""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from seed_people import _GIVEN, _SURNAMES, UNITS  # noqa: E402

INBOX = HERE / "inbox"
HEADER = ["姓名", "学号", "院系", "组织名称", "专业", "班级", "入学年份", "政治面貌", "职务", "所在部门", "成绩排名",
          "不及格门数", "推荐团组织", "审核日期"]
UNIT_DEPARTMENTS = {"石油工程系": ("办公室", "宣传部", "学习部"), "机电工程系": ("办公室", "宣传部", "学习部", "文体部")}
SIZES = {"石油工程系": 18, "机电工程系": 32}
PRESIDIUM_SIZES = {"石油工程系": 3, "机电工程系": 4}


def people(unit: str) -> list[list]:
    code, major, prefix = UNITS[unit]
    depts = UNIT_DEPARTMENTS[unit]
    rows = []
    for i in range(SIZES[unit]):
        if i < PRESIDIUM_SIZES[unit]:
            post, dept = ("主席" if i == 0 else "副主席"), "主席团"
        else:
            j = i - PRESIDIUM_SIZES[unit]
            dept = depts[j % len(depts)]
            post = "部长" if j < len(depts) else "干事"
        name = _SURNAMES[(i * 7 + len(unit)) % len(_SURNAMES)] + _GIVEN[(i * 5 + 3) % len(_GIVEN)]
        sid = f"2019{code}9{i + 1:03d}"
        rows.append([name, sid, unit, "学生会", major, f"{prefix}1901", 2019, "共青团员", post, dept,
                     f"{(i % 9) + 1}/40", 0, f"{prefix}1901团支部", date(2020, 9, 28)])
    return rows


def write_unit_roster(unit: str) -> Path:
    from openpyxl import Workbook

    path = INBOX / unit / "院系学生会工作人员名单.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append([f"{unit}学生会工作人员名单"])
    ws.append(HEADER)
    for row in people(unit):
        ws.append(row)
        ws.cell(ws.max_row, len(HEADER)).number_format = "yyyy-mm-dd"
    wb.save(path)
    return path


def unit_fact_rows() -> list[tuple]:
    """院系 · 组织名称 · 类别 · 日期 · 名称/姓名 · 说明 · 是否 (the 二级组织信息 sheet)."""
    rows = []
    for unit, duties in (("石油工程系", "负责{d}的日常工作，服务本系同学。"), ("机电工程系", "负责{d}的日常工作，服务本系同学。")):
        rows += [(unit, "学生会", "部门", None, d, duties.format(d=d), None) for d in UNIT_DEPARTMENTS[unit]]
    rows += [
        ("石油工程系", "学生会", "学生代表大会", date(2020, 10, 9), "石油工程系第三次学生代表大会", "学生代表大会", "是"),
        ("石油工程系", "学生会", "春季培训", date(2020, 4, 10), "学生会工作人员春季全员培训", None, None),
        ("石油工程系", "学生会", "秋季培训", date(2020, 10, 20), "学生会工作人员秋季全员培训", None, None),
        ("石油工程系", "学生会", "党组织听取汇报", date(2020, 9, 25), "系党总支会议", "听取系学生会工作汇报", None),
        ("石油工程系", "学生会", "团组织负责人", None, "王建国", "系团总支书记", None),
        ("石油工程系", "学生会", "秘书长", None, "刘晓明", "系团总支老师", "是"),
        ("机电工程系", "学生会", "全体学生大会", date(2019, 3, 15), "机电工程系全体学生大会", "全体学生大会", "是"),
        ("机电工程系", "学生会", "秋季培训", date(2020, 10, 22), "学生会工作人员秋季全员培训", None, None),
        ("机电工程系", "学生会", "党组织听取汇报", date(2020, 6, 18), "系党总支会议", "听取系学生会工作汇报", None),
        ("机电工程系", "学生会", "团组织负责人", None, "陈志刚", "系团总支书记", None),
        ("机电工程系", "学生会", "秘书长", None, "孙丽", "系团总支老师", "是"),
    ]
    return rows


def main() -> None:
    for unit in SIZES:
        print(write_unit_roster(unit).relative_to(HERE))


if __name__ == "__main__":
    main()
