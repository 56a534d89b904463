"""The rosters, one row a person: each 系's students serving in the school-level union (校级学生会工作人员名单),
and each 系's own union and its staff (院系学生会工作人员名单, told apart by a 组织名称 column naming that union)."""
from __future__ import annotations

import re
from collections import Counter
from functools import partial

from sureform.editions import Catalogue
from sureform.intake.grid import Grid
from sureform.issues import Issue, Location, make_issue
from sureform.intake.tables import FieldSpec, Header, data_rows, find_header
from sureform.intake.values import (RANK_MAX, parse_count, parse_date, parse_discipline, parse_failed_courses,
                                    parse_label, parse_name, parse_political, parse_rank, parse_student_id, parse_text,
                                    parse_year, parse_yes_no)
from sureform.intake.readers.base import cell_location, normalise_row, record_location
from sureform.intake.values import is_blank, parse_text

KIND = "roster"

FIELDS = [
    FieldSpec("name", "姓名", ("学生姓名", "名字"), required=True, mandatory=True),
    FieldSpec("student_id", "学号", ("学生学号", "学籍号"), required=True, mandatory=True),
    FieldSpec("unit", "院系", ("系", "系部", "学院", "所在院系", "所在系", "所在学院", "二级学院", "院(系)", "学院(系)", "系别")),
    FieldSpec("major", "专业", ("所学专业", "专业名称")),
    FieldSpec("class_name", "班级", ("所在班级", "班级名称")),
    FieldSpec("year", "入学年份", ("年级", "入学年级", "入学时间", "入学年度")),
    FieldSpec("level", "学历层次", ("培养层次", "层次", "学历")),
    FieldSpec("political", "政治面貌", (), required=True, mandatory=True),
    FieldSpec("activist", "是否入党积极分子", ("入党积极分子", "积极分子", "是否积极分子")),
    FieldSpec("post", "职务", ("职位", "担任职务", "学生会职务", "现任职务"), required=True, mandatory=True),
    FieldSpec("department", "所在部门", ("部门", "所属部门", "工作部门"), required=True, mandatory=True),
    FieldSpec("rank", "成绩排名", ("专业排名", "排名", "综合排名", "名次", "综合测评排名", "成绩排名名次", "成绩排名排名", "专业排名百分比", "排名百分比")),
    FieldSpec("major_size", "专业人数", ("专业总人数", "总人数", "成绩排名专业人数", "专业排名专业人数")),
    FieldSpec("rank_basis", "排名口径", ("排名依据", "排名范围", "排名时段")),
    FieldSpec("failed_courses", "不及格门数", ("不及格科目数", "挂科门数", "不及格课程数", "不及格课程门数")),
    FieldSpec("discipline", "违纪情况", ("处分情况", "违纪处分", "是否违纪", "违纪记录")),
    FieldSpec("recommender", "推荐团组织", ("推荐单位", "推荐团支部", "推荐组织", "推荐团总支")),
    FieldSpec("review_date", "审核日期", ("审核时间",)),
    # a 院系 union's own roster (二级 table) says which organisation: 学生会 or 研究生会
    FieldSpec("org", "组织名称", ("所属组织", "学生会组织", "所在组织")),
]
LABELS = {f.key: f.label for f in FIELDS}
SYNONYMS = {f.key: "、".join((f.label, *f.synonyms)) for f in FIELDS}
ROSTER_MARKERS = {"post", "department", "political"}


def find_roster_header(grid: Grid) -> Header | None:
    if "roster_header" not in grid.derived:
        grid.derived["roster_header"] = _find_roster_header(grid)
    return grid.derived["roster_header"]


def _find_roster_header(grid: Grid) -> Header | None:
    header = find_header(grid, FIELDS, min_matches=3)
    if header and ({"student_id", "name"} & header.columns.keys()) and (ROSTER_MARKERS & header.columns.keys()):
        return header
    return None


def looks_like_roster(grids: list[Grid]) -> bool:
    return any(find_roster_header(g) for g in grids)


def looks_like_unit_roster(grids: list[Grid]) -> bool:
    """A 院系 union's own roster (院系学生会工作人员名单): a roster whose 组织名称 column holds a 院系 union's
    name (学生会, 研究生会, 石油工程系学生会 …) in most of its filled cells. A 组织名称 column that is empty or
    names the school's own union (校学生会) does not make a school roster one."""
    return any(org_column(g)[0] for g in grids)


# what a 组织名称 cell names when it is the school's own union: 校学生会, 学校研究生会, XX大学学生会, 院学生会 (a
# 学院 with 系 calls itself 院, as the seed does)
_SCHOOL_LEVEL = re.compile(r"^(?:本?校级?|学校|全校|本?院|学院|.*(?:大学|学校|职业技术学院|职业学院|专科学校))$")
UNION_NAMES = ("研究生会", "学生会")


def is_union_name(value) -> bool:
    """A 院系's 学生会 or 研究生会: `学生会`, `研究生会`, `石油工程系学生会`, `化学学院研究生会`; not the school's."""
    text, _ = parse_label(value)
    if not text:
        return False
    for name in UNION_NAMES:
        if text.endswith(name):
            prefix = text[: -len(name)]
            return not prefix or not _SCHOOL_LEVEL.match(prefix)
    return False


def org_column(grid: Grid) -> tuple[bool, list[str]]:
    """(the sheet's roster is a 院系 union's, the distinct filled 组织名称 values), memoised per sheet."""
    if "org_column" not in grid.derived:
        header = find_roster_header(grid)
        col = header.columns.get("org") if header else None
        values = [] if col is None else [v for r in range(header.row + 1, grid.height + 1)
                                         if not is_blank(v := grid.value(r, col))]
        unions = sum(1 for v in values if is_union_name(v))
        distinct = list(dict.fromkeys(str(parse_label(v)[0]) for v in values))
        grid.derived["org_column"] = (unions > 0 and unions * 2 > len(values), distinct)
    return grid.derived["org_column"]


def org_not_union(grids: list[Grid], rel: str) -> list[Issue]:
    """A hint for each roster sheet whose 组织名称 column is there but names no 院系 union: read as school-level."""
    out = []
    for grid in grids:
        header = find_roster_header(grid)
        if header is None or "org" not in header.columns:
            continue
        union, values = org_column(grid)
        if union:
            continue
        found = (f"填写的“{'、'.join(values[:3])}”{'等' if len(values) > 3 else ''}不是院系学生会（研究生会）的名称"
                 if values else "没有填写院系学生会（研究生会）的名称")
        out.append(make_issue("roster-org-not-union", Location(rel, grid.name, header.row, LABELS["org"],
                                                               f"{header.letter('org')}{header.row}"),
                              "、".join(values[:3]) or None, found=found))
    return out


def read_roster(grids: list[Grid], rel: str, catalogue: Catalogue) -> tuple[list[dict], list[Issue]]:
    """Every person on every sheet that carries a roster table, normalised, with cell-level issues."""
    parsers = {
        "name": parse_name, "student_id": parse_student_id, "unit": parse_label, "major": parse_text,
        "class_name": parse_text, "year": parse_year, "level": parse_text,
        "political": partial(parse_political, aliases=catalogue.political_status_aliases),
        "activist": parse_yes_no, "post": parse_label, "department": parse_label, "rank_basis": parse_text,
        "failed_courses": parse_failed_courses, "discipline": parse_discipline, "recommender": parse_text,
        "review_date": parse_date, "org": parse_label,
    }
    records: list[dict] = []
    issues: list[Issue] = []
    headers = [(g, h) for g in grids if (h := find_roster_header(g))]
    for grid, header in headers:
        for cell, label in header.ignored:
            first = header.letter(next(f.key for f in FIELDS if f.label == label))
            issues.append(make_issue("column-duplicated", Location(rel, grid.name, header.row, label, cell), label,
                                     first=f"{first}{header.row}", cell=cell))
        for key in (f.key for f in FIELDS if f.required):
            if key not in header.columns:
                issues.append(make_issue("column-missing", Location(rel, grid.name, header.row, LABELS[key]),
                                         synonyms=SYNONYMS[key]))
        if any(i.code == "column-missing" and i.sheet == grid.name for i in issues):
            continue
        for raw in data_rows(grid, header):
            typed_as_number = isinstance(raw.values.get("student_id"), float)
            rank_raw, size_raw = raw.values.pop("rank", ""), raw.values.pop("major_size", "")
            rec = normalise_row(raw, header, parsers, LABELS, rel, issues)
            (rank, size, ratio), code = parse_rank(rank_raw, size_raw)
            rec.update(rank=rank, major_size=size, rank_ratio=ratio, rank_text=_rank_text(rank_raw, size_raw))
            if code:
                key = "rank" if "rank" in header.columns else "major_size"
                if "major_size" in header.columns and parse_count(size_raw, RANK_MAX)[1]:
                    key = "major_size"  # the 专业人数 is what cannot be read: its own cell
                issues.append(make_issue(code, cell_location(rel, raw, header, key, LABELS),
                                         size_raw if key == "major_size" else rank_raw, rank=rank, size=size))
            rec["_id_typed_as_number"] = typed_as_number
            if (split := _split_post(rec, catalogue.posts)) is not None:
                issues.append(make_issue("post-department-split", record_location(rel, rec, "post", LABELS["post"]),
                                         split, department=rec["department"], post=rec["post"]))
            records.append(rec)
    issues += _unusual_ids(records, rel)
    if records and not looks_like_unit_roster(grids):
        issues += org_not_union(grids, rel)  # read as the school's roster: say so where 组织名称 says otherwise
    for rec in records:
        del rec["_id_typed_as_number"]
    return records, issues


# what a department's name ends with: 宣传部, 主席团, 青年志愿者服务中心, 办公室 …
DEPARTMENT_ENDINGS = ("部", "主席团", "中心", "办公室", "室", "处", "团", "队", "会")


def _split_post(rec: dict, posts) -> str | None:
    """`宣传部部长` in 职务: 职务 部长, 所在部门 宣传部 (when 所在部门 is empty or says the same); returns the
    original cell when it split it."""
    post, dept = rec.get("post"), rec.get("department")
    if not post or post in posts:
        return None
    for allowed in sorted(posts, key=len, reverse=True):
        prefix = post[: -len(allowed)] if post.endswith(allowed) else ""
        if prefix and prefix.endswith(DEPARTMENT_ENDINGS) and (not dept or dept == prefix):
            rec["post"], rec["department"] = allowed, prefix
            return post
    return None


def usual_length(ids) -> int | None:
    """The length most 学号 have, when at least two share it and they are the majority."""
    lengths = Counter(len(i) for i in ids if i)
    if not lengths:
        return None
    usual, n = lengths.most_common(1)[0]
    return usual if n >= 2 and n * 2 > sum(lengths.values()) else None


def length_guess(length: int, usual: int) -> str:
    """What was probably lost or added, in words."""
    if length < usual:
        return f"少了 {usual - length} 位，可能漏输了数字或开头的 0 已丢失"
    return f"多了 {length - usual} 位，可能多输了数字"


def _unusual_ids(records: list[dict], rel: str) -> list[Issue]:
    """A 学号 whose length differs from the file's usual length: typed as a number and shorter, leading zeros
    were probably lost; otherwise a digit was probably left out or added."""
    usual = usual_length(r.get("student_id") for r in records)
    if usual is None:
        return []
    out = []
    for r in records:
        sid = r.get("student_id")
        if not sid or len(sid) == usual:
            continue
        loc = record_location(rel, r, "student_id", LABELS["student_id"])
        if r["_id_typed_as_number"] and len(sid) < usual:
            out.append(make_issue("student-id-leading-zero-lost", loc, sid, usual=usual, missing=usual - len(sid)))
        else:
            out.append(make_issue("student-id-length-unusual", loc, sid, length=len(sid), usual=usual,
                                  guess=length_guess(len(sid), usual)))
    return out


def _rank_text(rank_raw, size_raw) -> str | None:
    r, _ = parse_text(rank_raw)
    s, _ = parse_text(size_raw)
    if r is None:
        return None
    if isinstance(rank_raw, float) and 0 < rank_raw < 1:
        return f"{rank_raw:.1%}"
    return f"{r}/{s}" if s and not is_blank(size_raw) and "/" not in r and "%" not in r else r
