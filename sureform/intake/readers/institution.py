"""机构信息: the league office's workbook of institution facts, several small sheets.

Each sheet is recognised by its name (`部门设置`) or else by its header words, never by the file
name. Every data row becomes a record tagged `_table` (basic, departments, congress, council,
party_reports, party_plan, study_measures, responsible, delegates, nominations). 基本信息 is a
项目/内容 list read as label → value; its records are {item: canonical 项目, value: normalised}.
Only 基本信息 is required; a missing other sheet leaves its item 待补充 later.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from sureform.editions import Catalogue
from sureform.intake.grid import Grid
from sureform.issues import Issue, Location, make_issue
from sureform.intake.labels import label_key
from sureform.intake.tables import FieldSpec, Header, data_rows, find_header, reachable_fields
from sureform.intake.values import (parse_count, parse_date, parse_label, parse_name, parse_student_count,
                                    parse_student_id, parse_text, parse_yes_no)
from sureform.intake.readers.base import normalise_row
from sureform.intake.readers.forms import reachable_labels, read_form
from sureform.intake.readers.prose import parse_prose
from sureform.intake.grid import column_letter

KIND = "institution"


@dataclass(frozen=True)
class Table:
    name: str  # the `_table` tag
    sheet: str  # canonical sheet name
    sheet_synonyms: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    markers: frozenset[str]  # header keys that must all be present to recognise the sheet by its header
    required: bool = False


def _f(key, label, *synonyms, mandatory=False, required=False):
    return FieldSpec(key, label, synonyms, required=required or mandatory, mandatory=mandatory)


_SCHOOL_TABLES = [
    Table("departments", "部门设置", ("工作部门", "部门", "部门职责", "机构设置"), (
        _f("name", "部门名称", "部门", "工作部门", "名称", mandatory=True),
        _f("duties", "部门职责", "职责", "主要职责", "工作职责", required=True),
        _f("review_note", "复核说明", "复核意见", "校团委复核说明"),
    ), frozenset({"name", "duties"})),
    Table("congress", "学代会", ("学生代表大会", "学代会记录", "学代会召开情况", "代表大会"), (
        _f("session", "届次", "会议名称", "大会名称", "届别"),
        _f("date", "召开日期", "召开时间", "开会日期", "会议日期", required=True),
        _f("delegates", "代表人数", "代表数", "出席代表人数", "代表总数"),
        _f("body", "选举机构", "选举主体", "选举产生机构", "选举组织"),
        _f("elects_presidium", "是否选举主席团", "选举主席团", "是否选举产生主席团"),
    ), frozenset({"date", "body"})),
    Table("council", "评议会成员", ("评议会", "述职评议会", "评议会名单", "评议会组成"), (
        _f("name", "姓名", "成员姓名", mandatory=True),
        _f("category", "类别", "成员类别", "身份", required=True),
        _f("unit", "单位", "所在单位", "院系", "部门", "工作单位"),
    ), frozenset({"name", "category", "unit"})),
    Table("party_reports", "党委听取汇报", ("党委听取汇报记录", "听取汇报", "党委指导"), (
        _f("date", "日期", "会议日期", "时间", "召开日期", required=True),
        _f("title", "会议名称", "会议", "名称", "主题"),
        _f("content", "内容", "会议内容", "主要内容", "汇报内容"),
    ), frozenset({"date", "title"})),
    Table("party_plan", "党建规划", ("党建工作规划", "纳入党建规划"), (
        _f("included", "是否纳入", "是否纳入党建规划", "纳入党建规划", "是否纳入党建工作整体规划", required=True),
        _f("document", "文件名称", "文件", "规划文件", "文件名"),
    ), frozenset({"included"})),
    Table("study_measures", "学习贯彻举措", ("学习贯彻", "学习举措", "学习贯彻全国学联二十七大精神举措"), (
        _f("date", "日期", "时间", "开展日期"),
        _f("measure", "举措", "措施", "举措内容", "内容", "具体举措", mandatory=True),
    ), frozenset({"date", "measure"})),
    Table("responsible", "指导责任人", ("校团委指导学生会主要责任人", "责任人", "指导学生会主要责任人"), (
        _f("category", "类别", "职责类别", required=True),
        _f("name", "姓名", "责任人姓名", required=True),
        _f("full_time", "是否为专职团干", "是否专职团干", "专职团干", "是否专职"),
        _f("remark", "备注", "说明"),
    ), frozenset({"category", "name", "full_time"})),
    Table("delegates", "学代会代表名单", ("代表名单", "学代会代表"), (
        _f("name", "姓名", mandatory=True),
        _f("student_id", "学号"),
        _f("unit", "院系", "系", "系部", "所在院系", "学院"),
        _f("branch", "推荐团支部", "推荐团组织", "推荐单位"),
        _f("electing_unit", "选举单位", "选举产生单位", "选举院系"),
    ), frozenset({"name", "electing_unit"})),
    Table("nominations", "评奖评优提名", ("评奖评优", "提名名单", "评优提名"), (
        _f("name", "姓名", mandatory=True),
        _f("student_id", "学号"),
        _f("category", "类别", "提名类别", "奖项", "评优类别", "奖项类别", required=True),
    ), frozenset({"name", "student_id", "category"})),
]
# the 院系 unions (二级 table), one row a fact of one union: 类别 says which (代表大会, 全体学生大会, 春季培训,
# 秋季培训, 党组织听取汇报, 部门, 团组织负责人, 秘书长, 评奖评优提名 …)
UNIT_FACTS = Table("unit_facts", "二级组织信息", ("二级学生会组织信息", "院系学生会情况", "二级组织", "院系学生会"), (
    _f("unit", "院系", "学院", "系", "系部", "所在院系", mandatory=True),
    _f("org", "组织名称", "组织", "学生会组织"),
    _f("category", "类别", "事项", "项目", required=True),
    _f("date", "日期", "召开日期", "时间"),
    _f("name", "名称/姓名", "名称", "姓名", "部门名称", "会议名称"),
    _f("detail", "说明", "内容", "职责", "部门职责", "选举机构"),
    _f("flag", "是否", "是否选举主席团", "是否团委老师"),
), frozenset({"unit", "category"}))
# decisions the league office makes by hand (items no rule kind decides: 人工判定)
SELF_ASSESSMENT = Table("self_assessment", "自评补充", ("人工判定", "自评"), (
    _f("table", "表", "表格"),
    _f("item", "指标号", "项目号", "序号", "指标", "项目", mandatory=True),
    _f("unit", "院系", "二级组织"),
    _f("verdict", "结论", "评估结论", "是否符合", required=True),
    _f("basis", "依据", "说明", "理由"),
), frozenset({"item", "verdict"}))
TABLES = [*_SCHOOL_TABLES, UNIT_FACTS, SELF_ASSESSMENT]

BASIC_SHEET = "基本信息"
BASIC_SYNONYMS = ("基本情况", "学校基本信息", "基本")
BASIC_ITEMS = (  # (canonical 项目, synonyms)
    FieldSpec("学校名称", "学校名称", ("学校", "高校名称", "学校全称", "组织名称", "院校名称")),
    FieldSpec("组织类型", "组织类型", ("组织类别", "类型", "学生会或研究生会")),
    FieldSpec("学生人数较多或分校区较多", "学生人数较多或分校区较多",
              ("学生人数较多、分校区较多", "学生人数较多", "分校区较多", "是否学生人数较多或分校区较多",
               "是否为学生人数较多或分校区较多的高校", "学生人数较多或分校区较多的高校")),
    FieldSpec("全校学生人数", "全校学生人数", ("学生人数", "在校学生人数", "在校生人数", "全日制在校生人数", "学生总数")),
    FieldSpec("是否已由省级团委、学联核查（复评）", "是否已由省级团委、学联核查（复评）",
              ("是否已由省级团委学联核查", "是否已核查", "是否复评", "省级核查")),
    FieldSpec("自评公开链接", "自评公开链接", ("公开链接", "自评链接", "公开网址")),
)
SHEETS = {BASIC_SHEET: "basic", **{t.sheet: t.name for t in TABLES}}


def _is_basic(grid: Grid) -> bool:
    if label_key(grid.name) in {label_key(s) for s in (BASIC_SHEET, *BASIC_SYNONYMS)}:
        return True
    if not {"学校名称", "组织类型"} <= reachable_labels(grid, list(BASIC_ITEMS)):
        return False  # neither label on the sheet: no need to read it as a form
    facts, _ = read_form(grid, list(BASIC_ITEMS), {})
    return {"学校名称", "组织类型"} <= facts.keys()


def _table_by_name(grid: Grid) -> Table | None:
    k = label_key(grid.name)
    for t in TABLES:
        if k in {label_key(s) for s in (t.sheet, *t.sheet_synonyms)}:
            return t
    return None


def _table_by_header(grid: Grid) -> tuple[Table, Header] | None:
    """The table whose marker headers a sheet carries, the one matching most columns if several."""
    best = None
    for t in TABLES:
        if not t.markers <= reachable_fields(grid, list(t.fields)):
            continue  # a marker header named nowhere on the sheet
        h = find_header(grid, list(t.fields), min_matches=max(2, len(t.markers)))
        if h and t.markers <= h.columns.keys() and (best is None or len(h.columns) > len(best[1].columns)):
            best = (t, h)
    return best


def recognise(grid: Grid) -> tuple[str, Table | None, Header | None] | None:
    """('basic', None, None) or (table name, table, header or None); None for other sheets."""
    if "说明" in grid.name:
        return None
    t = _table_by_name(grid)
    if t is not None:
        return t.name, t, find_header(grid, list(t.fields), min_matches=1)
    if _is_basic(grid):
        return "basic", None, None
    hit = _table_by_header(grid)
    return (hit[0].name, hit[0], hit[1]) if hit else None


def looks_like_institution(grids: list[Grid]) -> bool:
    found = {r[0] for g in grids if (r := recognise(g))}
    return "basic" in found or len(found) >= 2


# ---- reading ------------------------------------------------------------------------------------
def read_institution(grids: list[Grid], rel: str, catalogue: Catalogue) -> tuple[list[dict], list[Issue]]:
    records: list[dict] = []
    issues: list[Issue] = []
    seen: set[str] = set()
    for grid in grids:
        hit = recognise(grid)
        if hit is None:
            continue
        name, table, header = hit
        if name in seen:
            continue  # a second sheet of the same table is not read twice
        seen.add(name)
        if name == "basic":
            records += _read_basic(grid, rel, catalogue, issues)
        else:
            records += _read_table(grid, table, header, rel, issues)
    issues += _too_many_units(records, rel)
    if "basic" not in seen:
        issues.append(make_issue("sheet-missing", Location(rel, None), sheet=BASIC_SHEET,
                                 expected="项目、内容（" + "、".join(f.label for f in BASIC_ITEMS) + "）"))
    return records, issues


UNITS_MAX = 500  # 二级 organisations one school can have: far beyond any college's (a few dozen at most)


def _too_many_units(records: list[dict], rel: str) -> list[Issue]:
    """More 院系 in 二级组织信息 (or 自评补充) than any school has: the file's error, before a form of thousands of
    tables is built from it."""
    out = []
    for table in (UNIT_FACTS, SELF_ASSESSMENT):
        rows = [r for r in records if r.get("_table") == table.name and r.get("unit")]
        units = {label_key(r["unit"]) for r in rows}
        if len(units) > UNITS_MAX:
            out.append(make_issue("units-too-many", Location(rel, rows[0].get("_sheet")), len(units),
                                  sheet=table.sheet, maximum=UNITS_MAX))
    return out


def _read_basic(grid: Grid, rel: str, catalogue: Catalogue, issues: list[Issue]) -> list[dict]:
    org_types = list(catalogue.vocabulary.get("org_types", ["学生会", "研究生会"]))
    parsers = {"学校名称": parse_prose, "组织类型": partial(_parse_choice, allowed=org_types),
               "学生人数较多或分校区较多": parse_yes_no, "全校学生人数": parse_student_count}
    facts, _ = read_form(grid, list(BASIC_ITEMS), {})
    out = []
    for spec in BASIC_ITEMS:
        fact = facts.get(spec.key)
        if fact is None:
            continue
        value, code = parsers[spec.key](fact.raw)
        if code:
            loc = Location(rel, grid.name, fact.row, spec.label, fact.cell)
            issues.append(make_issue(code, loc, fact.raw, allowed="、".join(org_types)))
        label_cell = _label_cell(grid, fact, spec)
        out.append({"_table": "basic", "item": spec.key, "value": value, "_sheet": grid.name, "_row": fact.row,
                    "_cols": {}, "_cells": {"item": label_cell, "value": fact.cell}})
    return out


def _label_cell(grid: Grid, fact, spec: FieldSpec) -> str | None:
    """The cell holding the 项目 label of a basic fact: left of the value, else above it, else itself."""
    for c in range(fact.col - 1, 0, -1):
        if label_key(grid.value(fact.row, c)) in spec.keys:
            return f"{column_letter(c)}{fact.row}"
    if fact.row > 1 and label_key(grid.value(fact.row - 1, fact.col)) in spec.keys:
        return f"{column_letter(fact.col)}{fact.row - 1}"
    return fact.cell


def _parse_choice(value, allowed: list[str]):
    s, _ = parse_label(value)
    if s is None:
        return None, None
    for a in allowed:
        if s == a or s in (f"☑{a}", f"√{a}"):
            return a, None
    return None, "choice-invalid"


PARSERS = {
    "departments": {"name": parse_label, "duties": parse_prose, "review_note": parse_prose},
    "congress": {"session": parse_prose, "date": parse_date, "delegates": parse_count, "body": parse_label,
                 "elects_presidium": parse_yes_no},
    "council": {"name": parse_name, "category": parse_label, "unit": parse_text},
    "party_reports": {"date": parse_date, "title": parse_prose, "content": parse_prose},
    "party_plan": {"included": parse_yes_no, "document": parse_prose},
    "study_measures": {"date": parse_date, "measure": parse_prose},
    "responsible": {"category": parse_text, "name": parse_name, "full_time": parse_yes_no, "remark": parse_prose},
    "delegates": {"name": parse_name, "student_id": parse_student_id, "unit": parse_label, "branch": parse_text,
                  "electing_unit": parse_text},
    "nominations": {"name": parse_name, "student_id": parse_student_id, "category": parse_label},
    "unit_facts": {"unit": parse_label, "org": parse_label, "category": parse_label, "date": parse_date,
                   "name": parse_text, "detail": parse_prose, "flag": parse_yes_no},
    "self_assessment": {"table": parse_label, "item": parse_label, "unit": parse_label, "verdict": parse_label,
                        "basis": parse_prose},
}


def _read_table(grid: Grid, table: Table, header: Header | None, rel: str, issues: list[Issue]) -> list[dict]:
    labels = {f.key: f.label for f in table.fields}
    missing = [f for f in table.fields if f.required and (header is None or f.key not in header.columns)]
    for f in missing:
        issues.append(make_issue("column-missing", Location(rel, grid.name, header.row if header else None, f.label),
                                 synonyms="、".join((f.label, *f.synonyms))))
    if missing or header is None:
        return []
    out = []
    for raw in data_rows(grid, header):
        rec = normalise_row(raw, header, PARSERS[table.name], labels, rel, issues)
        rec["_table"] = table.name
        rec["_cells"] = {k: f"{letter}{raw.row}" for k, letter in rec["_cols"].items()}
        for f in table.fields:
            rec.setdefault(f.key, None)
            if f.mandatory and rec[f.key] is None and not _failed(issues, rel, grid.name, rec["_cells"].get(f.key)):
                loc = Location(rel, grid.name, raw.row, f.label, rec["_cells"].get(f.key))
                issues.append(make_issue("value-missing", loc))
        out.append(rec)
    return out


def _failed(issues: list[Issue], rel: str, sheet: str, cell: str | None) -> bool:
    return cell is not None and any(i.file == rel and i.sheet == sheet and i.cell == cell for i in issues)


def supersede_key(unit: str | None, records: list[dict]) -> str:
    return "institution"
