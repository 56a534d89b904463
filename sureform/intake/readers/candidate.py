"""主席团候选人预备人选推荐表: a form (one candidate a sheet) or a table (one row a candidate).

Each record carries the candidate's identity, rank and the approval chain of item 7, a result text
and a date at each step, plus `_cells` {key: "C5"}: the cell of every value (or of the blank cell
where a value was expected). Forms have `_cols` {} and `_row` = the row of the 姓名 value.
"""
from __future__ import annotations

import re
from functools import partial

from sureform.editions import Catalogue
from sureform.intake.grid import Grid
from sureform.issues import Issue, Location, make_issue
from sureform.intake.tables import FieldSpec, Header, data_rows, find_header, reachable_fields
from sureform.intake.values import (is_blank, parse_date, parse_label, parse_name, parse_political, parse_rank,
                                    parse_student_id, parse_text)
from sureform.intake.readers.forms import Fact, find_labels, reachable_labels, read_form
from sureform.intake.readers.prose import parse_prose

KIND = "candidate"
TITLE = "主席团候选人预备人选推荐表"

IDENTITY = [
    FieldSpec("name", "姓名", ("候选人姓名", "学生姓名", "候选人"), required=True, mandatory=True),
    FieldSpec("student_id", "学号", ("学生学号", "学籍号"), required=True, mandatory=True),
    FieldSpec("unit", "院系", ("系", "系部", "所在院系", "所在系", "学院", "所在学院", "二级学院", "院(系)", "推荐院系", "系别")),
    FieldSpec("class_name", "班级", ("所在班级", "班级名称")),
    FieldSpec("political", "政治面貌", ()),
    FieldSpec("rank", "成绩排名", ("综合排名", "综合素质排名", "学习成绩综合排名", "成绩综合排名", "专业排名", "学习成绩排名", "排名")),
    FieldSpec("major_size", "专业人数", ("专业总人数", "排名人数")),
]

# (result key, result label, result synonyms, date key, date label, date synonyms), in chain order
STEPS = [
    ("branch_review_result", "班级团支部审核意见", ("班级团支部审核", "班级团支部意见", "团支部审核意见", "团支部意见", "班级团支部审核结果"),
     "branch_review_date", "班级团支部审核日期", ("团支部审核日期", "班级团支部审核时间", "团支部审核时间")),
    ("league_recommend_result", "系团总支推荐意见", ("系团总支推荐", "系团总支意见", "团总支推荐意见", "团总支意见", "系团总支推荐结果", "院系团组织推荐意见"),
     "league_recommend_date", "系团总支推荐日期", ("团总支推荐日期", "系团总支推荐时间", "团总支推荐时间")),
    ("party_consent_result", "系党组织意见", ("系党组织同意", "系党组织同意意见", "系党组织审核意见", "系党支部意见", "系党总支意见", "党支部意见", "系党组织"),
     "party_consent_date", "系党组织同意日期", ("系党组织日期", "系党组织意见日期", "系党组织审核日期", "系党支部同意日期", "系党组织同意时间")),
    ("qualification_result", "校团委资格审查意见", ("校团委资格审查", "校团委资格审查结果", "资格审查意见", "资格审查结果", "资格审查"),
     "qualification_date", "校团委资格审查日期", ("资格审查日期", "校团委资格审查时间", "资格审查时间")),
    ("joint_review_result", "学工部与团委联合审查意见", ("学工部与团委联合审查", "学工部与团委联合审查结果", "联合审查意见", "联合审查结果", "联合审查",
                                                "校党委学生工作部门和校团委联合审查意见", "联合面试结果"),
     "joint_review_date", "学工部与团委联合审查日期", ("联合审查日期", "学工部与团委联合审查时间", "联合审查时间", "联合面试日期")),
    ("party_decision_result", "校党委确定意见", ("校党委确定", "校党委意见", "校党委确定结果", "校党委审批意见", "校党委审批"),
     "party_decision_date", "校党委确定日期", ("校党委确定时间", "校党委审批日期", "校党委日期")),
]
PUBLICITY = [
    FieldSpec("publicity_start", "公示开始日期", ("公示开始时间", "公示起始日期", "公示开始", "公示起始")),
    FieldSpec("publicity_end", "公示结束日期", ("公示结束时间", "公示截止日期", "公示结束", "公示截止")),
    FieldSpec("publicity_period", "公示期间", ("公示时间", "公示日期", "公示期", "公示起止日期", "公示起止时间")),
    FieldSpec("publicity_result", "公示结果", ("公示情况", "公示意见")),
]
STEP_FIELDS = [spec for rk, rl, rs, dk, dl, ds in STEPS for spec in (FieldSpec(rk, rl, rs), FieldSpec(dk, dl, ds))]
FIELDS = IDENTITY + STEP_FIELDS + PUBLICITY
LABELS = {f.key: f.label for f in FIELDS}
SYNONYMS = {f.key: "、".join((f.label, *f.synonyms)) for f in FIELDS}
STEP_DATES = {rk: dk for rk, _, _, dk, _, _ in STEPS}
DATE_KEYS = {dk for *_, dk, _, _ in STEPS} | {"publicity_start", "publicity_end"}
RESULT_KEYS = [rk for rk, *_ in STEPS] + ["publicity_result"]
CHAIN_KEYS = {f.key for f in STEP_FIELDS + PUBLICITY}
# every key a record carries, in a stable order
RECORD_KEYS = ["name", "student_id", "unit", "class_name", "political", "rank_text", "rank_ratio"] + [
    k for rk, _, _, dk, _, _ in STEPS[:3] for k in (rk, dk)] + ["publicity_start", "publicity_end", "publicity_result"] + [
    k for rk, _, _, dk, _, _ in STEPS[3:] for k in (rk, dk)]

_DATE_IN_TEXT = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?")


# ---- recognising -------------------------------------------------------------------------------
def find_candidate_header(grid: Grid) -> Header | None:
    """A table of candidates: a header row naming the candidate and at least one chain step."""
    named = reachable_fields(grid, FIELDS)
    if "name" not in named or not CHAIN_KEYS & named:
        return None  # no such header can be on the sheet
    header = find_header(grid, FIELDS, min_matches=4)
    if header and "name" in header.columns and CHAIN_KEYS & header.columns.keys():
        return header
    return None


def _is_form(grid: Grid) -> bool:
    if "说明" in grid.name:
        return False
    shown = reachable_labels(grid, FIELDS)
    if "name" not in shown or len(CHAIN_KEYS & shown) < 2:
        return False  # not labels enough on the sheet: no need to read it as a form
    keys = {lb.key for lb in find_labels(grid, FIELDS)}
    return "name" in keys and len(CHAIN_KEYS & keys) >= 2


def looks_like_candidate(grids: list[Grid]) -> bool:
    return any(find_candidate_header(g) or _is_form(g) for g in grids)


# ---- reading -----------------------------------------------------------------------------------
def read_candidates(grids: list[Grid], rel: str, catalogue: Catalogue) -> tuple[list[dict], list[Issue]]:
    """Every candidate on every sheet: table rows, or one form a sheet."""
    records: list[dict] = []
    issues: list[Issue] = []
    for grid in grids:
        header = find_candidate_header(grid)
        if header is not None:
            _read_table(grid, header, rel, catalogue, records, issues)
        elif _is_form(grid):
            facts, blanks = read_form(grid, FIELDS, STEP_DATES)
            name = facts.get("name") or blanks.get("name")
            row = name.row if name else min((f.row for f in facts.values()), default=1)
            records.append(_record(grid, facts, blanks, row, {}, rel, catalogue, issues))
    return records, issues


def _read_table(grid: Grid, header: Header, rel: str, catalogue: Catalogue, records: list, issues: list) -> None:
    missing = [k for k in ("name", "student_id") if k not in header.columns]
    for key in missing:
        issues.append(make_issue("column-missing", Location(rel, grid.name, header.row, LABELS[key]),
                                 synonyms=SYNONYMS[key]))
    if missing:
        return
    for raw in data_rows(grid, header):
        facts, blanks = {}, {}
        for key, col in header.columns.items():
            fact = Fact(raw.values[key], raw.row, col)
            (blanks if is_blank(fact.raw) else facts)[key] = fact
        cols = {k: header.letter(k) for k in header.columns}
        records.append(_record(grid, facts, blanks, raw.row, cols, rel, catalogue, issues))


def _record(grid: Grid, facts: dict[str, Fact], blanks: dict[str, Fact], row: int, cols: dict, rel: str,
            catalogue: Catalogue, issues: list[Issue]) -> dict:
    """Parse the facts of one candidate into a record; unparseable cells become error issues."""
    rec: dict = {k: None for k in RECORD_KEYS}
    rec.update(_sheet=grid.name, _row=row, _cols=cols, _cells={})

    def where(key: str, fact: Fact | None) -> Location:
        if fact is None:
            return Location(rel, grid.name, None, LABELS[key])
        return Location(rel, grid.name, fact.row, LABELS[key], fact.cell)

    parsers = {"name": parse_name, "student_id": parse_student_id, "unit": parse_label, "class_name": parse_text,
               "political": partial(parse_political, aliases=catalogue.political_status_aliases)}
    parsers.update({k: parse_prose for k in RESULT_KEYS})
    parsers.update({k: parse_date for k in DATE_KEYS})
    for key, fact in blanks.items():
        if key in RECORD_KEYS:
            rec["_cells"][key] = fact.cell
        if (fact.row, fact.col) in grid.formula_without_value:
            issues.append(make_issue("formula-no-value", where(key, fact)))
    for key, fact in facts.items():
        if (fact.row, fact.col) in grid.formula_without_value:
            issues.append(make_issue("formula-no-value", where(key, fact)))
            continue
        parser = parsers.get(key)
        if parser is None:
            continue
        value, code = parser(fact.raw)
        rec[key] = value
        rec["_cells"][key] = fact.cell
        if code:
            issues.append(make_issue(code, where(key, fact), fact.raw))
    for key in ("name", "student_id"):
        if rec[key] is None and not _reported(issues, rel, grid.name, facts.get(key)):
            issues.append(make_issue("value-missing", where(key, facts.get(key) or blanks.get(key))))
    _rank(rec, facts, where, issues)
    _publicity_period(rec, facts, where, issues)
    _dates_in_results(rec, facts)
    return rec


def _reported(issues: list[Issue], rel: str, sheet: str, fact: Fact | None) -> bool:
    return fact is not None and any(i.file == rel and i.sheet == sheet and i.cell == fact.cell for i in issues)


def _rank(rec: dict, facts: dict[str, Fact], where, issues: list[Issue]) -> None:
    rank, size = facts.get("rank"), facts.get("major_size")
    if rank is None:
        return
    (r, n, ratio), code = parse_rank(rank.raw, size.raw if size else None)
    text, _ = parse_text(rank.raw)
    if isinstance(rank.raw, float) and 0 < rank.raw < 1:
        text = f"{rank.raw:.1%}"
    elif size is not None and text and "/" not in text and "%" not in text:
        text = f"{text}/{parse_text(size.raw)[0]}"
    rec.update(rank_text=text, rank_ratio=ratio)
    rec["_cells"].update(rank_text=rank.cell, rank_ratio=rank.cell)
    if code:
        issues.append(make_issue(code, where("rank", rank), rank.raw, rank=r, size=n))


def _publicity_period(rec: dict, facts: dict[str, Fact], where, issues: list[Issue]) -> None:
    """公示期间 `2020年9月7日至2020年9月11日` gives the start and end dates not written separately."""
    fact = facts.get("publicity_period")
    if fact is None or (rec["publicity_start"] and rec["publicity_end"]):
        return
    found = _DATE_IN_TEXT.findall(str(fact.raw)) if isinstance(fact.raw, str) else []
    if len(found) != 2:
        issues.append(make_issue("publicity-period-invalid", where("publicity_period", fact), fact.raw))
        return
    for key, text in zip(("publicity_start", "publicity_end"), found):
        if rec[key] is None:
            value, code = parse_date(text)
            if code:
                issues.append(make_issue(code, where("publicity_period", fact), fact.raw))
                return
            rec[key] = value
            rec["_cells"][key] = fact.cell


def _dates_in_results(rec: dict, facts: dict[str, Fact]) -> None:
    """A result cell such as `同意 2020年9月5日` also gives that step's date when none is written apart."""
    for rk, dk in STEP_DATES.items():
        fact = facts.get(rk)
        if fact is None or rec[dk] is not None or dk in facts or not isinstance(fact.raw, str):
            continue
        m = _DATE_IN_TEXT.search(fact.raw)
        if m:
            value, code = parse_date(m.group(0))
            if value:
                rec[dk] = value
                rec["_cells"][dk] = fact.cell


def supersede_key(unit: str | None, records: list[dict]) -> str:
    return f"candidate:{records[0].get('student_id') if records else None}"


def duplicated_candidates(rel: str, records: list[dict]) -> list[Issue]:
    """The same 学号 twice in one file: an error on each repeat, pointing at the first."""
    first: dict[str, dict] = {}
    out = []
    for rec in records:
        sid = rec.get("student_id")
        if not sid:
            continue
        if sid in first:
            cell = rec["_cells"].get("student_id")
            row = int(re.sub(r"^[A-Z]+", "", cell)) if cell else rec["_row"]
            out.append(make_issue("student-id-duplicated", Location(rel, rec["_sheet"], row, LABELS["student_id"], cell),
                                  sid, other_row=first[sid]["_row"]))
        else:
            first[sid] = rec
    return out
