"""The 58 school-level staff of the sample college (天津石油职业技术学院), shared by the sample scripts.

Deterministic and import-safe: plain data, no I/O. Read with `--as-of 2020-11-24` in mind:
5 freshmen (入学年份 2020, no rank), 53 others within the top 30% of their major, 8 of them
within the top 5%; everyone 共青团员 and 入党积极分子, no failed course, no discipline record.
"""
from __future__ import annotations

from typing import NamedTuple

COLLEGE = "天津石油职业技术学院"
PRESIDIUM = "主席团"
DEPARTMENTS = ("办公室", "组织部", "宣传部", "学习部", "文体部", "生活纪安部")
UNITS = {  # 系 -> (code in 学号, 专业, class prefix)
    "石油工程系": ("01", "石油工程技术", "石工"),
    "机电工程系": ("02", "机电一体化技术", "机电"),
    "化学工程系": ("03", "应用化工技术", "化工"),
    "信息工程系": ("04", "计算机网络技术", "计网"),
    "经济管理系": ("05", "会计", "会计"),
}


class Person(NamedTuple):
    name: str
    student_id: str  # 10 digits, text
    unit: str  # 系
    major: str
    class_name: str
    year: int  # 入学年份
    post: str  # 职务
    department: str  # 所在部门
    rank: int | None  # 成绩排名 (None for freshmen)
    major_size: int | None  # 专业人数


_SURNAMES = "王李刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭"
_GIVEN = ("子涵", "浩然", "雨桐", "思远", "欣怡", "俊杰", "佳琪", "宇航", "梦瑶", "天宇", "诗琪", "博文",
          "若溪", "嘉豪", "雅静", "明轩", "晓雯", "志强", "婉清", "泽宇", "可欣", "鹏飞", "静怡", "文涛")


def _slots() -> list[tuple[str, str]]:
    """(职务, 所在部门) for everyone: presidium 1 + 3, then per department 部长 1, 副部长 2, 干事 6."""
    out = [("主席", PRESIDIUM)] + [("副主席", PRESIDIUM)] * 3
    for dept in DEPARTMENTS:
        out += [("部长", dept)] + [("副部长", dept)] * 2 + [("干事", dept)] * 6
    return out


def _people() -> list[Person]:
    units = list(UNITS)
    slots = _slots()
    heads = [i for i, (post, _) in enumerate(slots) if post == "部长"]
    freshmen = {h + 8 for h in heads[1:]}  # the last 干事 of five departments
    top = set(range(4)) | set(heads[:4])  # presidium and four 部长: top 5%
    people = []
    for i, (post, dept) in enumerate(slots):
        unit = units[i % len(units)]
        code, major, prefix = UNITS[unit]
        year = 2020 if i in freshmen else (2018 if i % 4 == 0 else 2019)
        size = 40 + (i % 3) * 4  # 40, 44 or 48 students in the major
        if year == 2020:
            rank = None
        elif i in top:
            rank = 1
        else:  # between 5% and 30%
            rank = 3 + i % 9
        klass = f"{prefix}{year % 100:02d}{1 + i % 2:02d}"
        sid = f"{year}{code}{1 + i % 2:02d}{i + 1:02d}"
        name = _SURNAMES[i] + _GIVEN[(i * 7) % len(_GIVEN)]
        people.append(Person(name, sid, unit, major, klass, year, post, dept, rank,
                             size if rank is not None else None))
    return people


PEOPLE: list[Person] = _people()
PRESIDIUM_MEMBERS = [p for p in PEOPLE if p.department == PRESIDIUM]
DEPARTMENT_HEADS = [p for p in PEOPLE if p.post == "部长"]
