"""述职评议评分表: one row a (rater, evaluated person) pair, from the 评议会 via the league office.

Sub-score columns are named after the catalogue's [scores] (政治态度1 … 纪律作风2, 总结材料, 述职汇报);
real headers read 政治态度（一）, 政治态度(二), 政治态度1, 政治态度 with 10分 below it, 日常考评 above
them… A header without its ordinal takes 1, 2 in order of appearance. 学期 and 评议日期 may be
columns or written once on the sheet (`学期：2020-2021学年第一学期`).
"""
from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

from sureform.editions import Catalogue
from sureform.intake.grid import Grid
from sureform.issues import Issue, Location, make_issue
from sureform.intake.labels import clean_text, compact
from sureform.intake.semesters import parse_semester
from sureform.intake.tables import SCAN_ROWS, FieldSpec, Header, data_rows, match_field
from sureform.intake.values import is_blank, parse_date, parse_label, parse_name, parse_student_id, parse_text
from sureform.intake.readers.base import normalise_row
from sureform.intake.readers.forms import read_form
from sureform.editions import load_catalogue

KIND = "score"

FIELDS = [
    FieldSpec("semester", "学期", ("评议学期", "述职学期", "考评学期", "学年学期")),
    FieldSpec("review_date", "评议日期", ("评议时间", "述职日期", "述职评议日期", "评分日期", "述职时间")),
    FieldSpec("person_name", "被评议人姓名", ("被评议人", "述职人", "述职人姓名", "被评人", "被考评人", "姓名"), required=True),
    FieldSpec("person_id", "被评议人学号", ("述职人学号", "学号")),
    FieldSpec("person_post", "职务", ("被评议人职务", "述职人职务", "担任职务")),
    FieldSpec("rater_name", "评议人", ("评议人姓名", "评分人", "评分人姓名", "评委", "评委姓名", "打分人"), required=True),
    FieldSpec("rater_category", "评议人类别", ("类别", "评委类别", "评分人类别", "评议人身份", "身份"), required=True),
]
LABELS = {f.key: f.label for f in FIELDS}
SYNONYMS = {f.key: "、".join((f.label, *f.synonyms)) for f in FIELDS}
SHEET_FACTS = [f for f in FIELDS if f.key in ("semester", "review_date")]
RATER_ALIASES = {
    "学生": "学生代表", "学生代表": "学生代表", "学生评委": "学生代表",
    "学工部": "学工部", "学生工作部": "学工部", "党委学生工作部": "学工部", "学生处": "学工部", "校党委学生工作部门": "学工部",
    "团委": "团委", "校团委": "团委", "院团委": "团委",
}
MIN_SCORE_COLUMNS = 6

_NOTE = re.compile(r"[(（\[【]?\d+(?:\.\d+)?分[)）\]】]?")
_PREFIX = re.compile(r"^(?:日常考评|集中考评)[-_·:：/]?")
_SUFFIX = re.compile(r"(?:得分|分数|评分|分值)$")
_ORDINAL = re.compile(r"^(.+?)[(（]?([一二三四五12345])?[)）]?$")
_ORD = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}


def score_names(catalogue: Catalogue) -> list[tuple[str, float]]:
    """(name, maximum) of every sub-score, 日常考评 first, in catalogue order."""
    s = catalogue.scores
    return [(d["name"], float(d["max"])) for d in [*s["daily"], *s["central"]]]


def _score_label(text, names: frozenset[str]) -> tuple[str, int | None] | None:
    """(base, ordinal) when a header names a sub-score; ordinal None when it was not written."""
    return _score_label_of(text if isinstance(text, str) else str(text), names)


@lru_cache(maxsize=8192)
def _score_label_of(text: str, names: frozenset[str]) -> tuple[str, int | None] | None:
    s = _SUFFIX.sub("", _PREFIX.sub("", _NOTE.sub("", compact(text))))
    if not s:
        return None
    if s in names:
        m = re.fullmatch(r"(.*?)(\d)", s)
        return (m.group(1), int(m.group(2))) if m else (s, None)
    m = _ORDINAL.match(s)
    if not m:
        return None
    base, ordinal = m.group(1), m.group(2)
    n = None if ordinal is None else _ORD.get(ordinal) or int(ordinal)
    # base followed by one digit (what `re.fullmatch(re.escape(base) + r"\d", x)` said, without compiling a
    # pattern for every cell of every sheet: detection looks at them all)
    if (n is not None and f"{base}{n}" in names) or (n is None and any(
            len(x) == len(base) + 1 and x.startswith(base) and x[-1].isdecimal() for x in names)):
        return base, n
    return None


def _score_columns(grid: Grid, row: int, names: frozenset[str]) -> dict[str, int]:
    """Sub-score name -> column in one header row (looking at the row above for two-row headers)."""
    found: dict[str, int] = {}
    seen_base: dict[str, int] = {}
    for c in range(1, grid.width + 1):
        here, above = grid.value(row, c), grid.value(row - 1, c) if row > 1 else ""
        if is_blank(here):
            continue
        hit = _score_label(here, names)
        if (hit is None or hit[1] is None) and not is_blank(above) and above != here:
            hit = _score_label(clean_text(above) + clean_text(here), names) or hit
        if hit is None:
            continue
        base, n = hit
        if n is None and base not in names:
            seen_base[base] = seen_base.get(base, 0) + 1
            n = seen_base[base]
        name = base if n is None else f"{base}{n}"
        if name in names and name not in found:
            found[name] = c
    return found


@lru_cache(maxsize=16)
def _first_chars(names: frozenset[str]) -> frozenset[str] | None:
    """The first characters of the sub-score names, when none of them can be composed by NFKC from others (so a
    text shows one only if one of its parts does); None otherwise, and rows are not screened."""
    firsts = frozenset(n[0] for n in names if n)
    return firsts if all(not unicodedata.decomposition(ch) for ch in firsts) else None


def _shows_any(value, chars: frozenset[str]) -> bool:
    """Whether the text of a cell, as `compact` sees it (NFKC), holds one of `chars`."""
    text = value if isinstance(value, str) else str(value)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return not chars.isdisjoint(text)


def _may_have_score_columns(grid: Grid, row: int, firsts: frozenset[str]) -> bool:
    """Whether a row has MIN_SCORE_COLUMNS cells that `_score_columns` could read as sub-scores: a name (after
    its prefix and notes are dropped) starts with a sub-score name's first character, so its text, or the text
    above it that it is joined to, must show one."""
    cells = grid.rows[row - 1]
    above = grid.rows[row - 2] if row > 1 else []
    possible = 0
    for c, here in enumerate(cells):
        if _shows_any(here, firsts):  # (a blank cell shows none)
            possible += 1
        else:
            over = above[c] if c < len(above) else ""
            if over != here and _shows_any(over, firsts) and not is_blank(here):
                possible += 1
        if possible >= MIN_SCORE_COLUMNS:
            return True
    return False


def find_score_header(grid: Grid, catalogue: Catalogue) -> Header | None:
    memo = ("score_header", catalogue.edition)
    if memo not in grid.derived:
        grid.derived[memo] = _find_score_header(grid, catalogue)
    return grid.derived[memo]


def _find_score_header(grid: Grid, catalogue: Catalogue) -> Header | None:
    names = frozenset(n for n, _ in score_names(catalogue))
    firsts = _first_chars(names)
    best: tuple[int, dict] | None = None
    for r in range(1, grid.height + 1):  # the first SCAN_ROWS rows, else the whole used range
        if r > SCAN_ROWS and best is not None:
            break
        if firsts is not None and not _may_have_score_columns(grid, r, firsts):
            continue
        cols = _score_columns(grid, r, names)
        if len(cols) >= MIN_SCORE_COLUMNS and (best is None or len(cols) >= len(best[1])):
            best = (r, cols)
    if best is None:
        return None
    row, columns = best
    used = set(columns.values())
    for c in range(1, grid.width + 1):
        if c in used:
            continue
        here, above = grid.value(row, c), grid.value(row - 1, c) if row > 1 else ""
        spec = None
        if not is_blank(above) and not is_blank(here) and above != here:
            spec = match_field(clean_text(above) + clean_text(here), FIELDS)  # 评议人 over 姓名
        spec = spec or match_field(here, FIELDS)
        if spec is None and is_blank(here) and not is_blank(above):
            spec = match_field(above, FIELDS)  # a label merged down over the header's two rows
        if spec is not None and spec.key not in columns:
            columns[spec.key] = c
    return Header(grid.name, row, columns)


def looks_like_score(grids: list[Grid]) -> bool:
    cat = load_catalogue()
    return any(find_score_header(g, cat) for g in grids)


# ---- values -------------------------------------------------------------------------------------
def parse_score(value):
    if is_blank(value):
        return None, None
    if isinstance(value, bool):
        return None, "score-invalid"
    if isinstance(value, int) and abs(value) >= 10**15:
        return None, "score-invalid"
    try:
        n = float(value) if isinstance(value, (int, float)) else float(compact(value))
    except (ValueError, OverflowError):
        return None, "score-invalid"
    return (n, None) if math.isfinite(n) else (None, "score-invalid")  # never NaN or an infinity


def parse_semester_text(value):
    if is_blank(value):
        return None, None
    sem = parse_semester(value)
    return (sem.label, None) if sem else (None, "semester-invalid")


def parse_rater_category(value):
    s, _ = parse_label(value)
    return (RATER_ALIASES.get(s, s) if s else None), None


# ---- reading ------------------------------------------------------------------------------------
def read_scores(grids: list[Grid], rel: str, catalogue: Catalogue) -> tuple[list[dict], list[Issue]]:
    """Every (rater, person) row of every sheet carrying a score table."""
    names = [n for n, _ in score_names(catalogue)]
    parsers = {"semester": parse_semester_text, "review_date": parse_date, "person_name": parse_name,
               "person_id": parse_student_id, "person_post": parse_label, "rater_name": parse_name,
               "rater_category": parse_rater_category, **{n: parse_score for n in names}}
    labels = {**LABELS, **{n: n for n in names}}
    records: list[dict] = []
    issues: list[Issue] = []
    for grid in grids:
        header = find_score_header(grid, catalogue)
        if header is None:
            continue
        missing = [k for k in [*(f.key for f in FIELDS if f.required), *names] if k not in header.columns]
        sheet_facts, sheet_blanks = _sheet_facts(grid, header)
        if "semester" not in header.columns and "semester" not in sheet_facts and "semester" not in sheet_blanks:
            missing.insert(0, "semester")
        for key in missing:
            issues.append(make_issue("column-missing", Location(rel, grid.name, header.row, labels[key]),
                                     synonyms=SYNONYMS.get(key, key)))
        if missing:
            continue
        shared = {}
        for key, fact in sheet_blanks.items():
            shared[key] = (None, fact.cell)
            if key == "semester":
                issues.append(make_issue("value-missing", Location(rel, grid.name, fact.row, LABELS[key], fact.cell)))
        for key, fact in sheet_facts.items():
            value, code = parsers[key](fact.raw)
            shared[key] = (value, fact.cell)
            if code:
                issues.append(make_issue(code, Location(rel, grid.name, fact.row, LABELS[key], fact.cell), fact.raw))
        for raw in data_rows(grid, header):
            rec = normalise_row(raw, header, parsers, labels, rel, issues)
            rec["_cells"] = {k: f"{letter}{raw.row}" for k, letter in rec["_cols"].items()}
            for key, (value, cell) in shared.items():
                rec[key] = value
                rec["_cells"][key] = cell
            rec.setdefault("review_date", None)
            rec.setdefault("person_id", None)
            rec.setdefault("person_post", None)
            records.append(rec)
    return records, issues


def _sheet_facts(grid: Grid, header: Header) -> tuple[dict, dict]:
    """学期 / 评议日期 written once on the sheet when they are not columns: (facts, blank labels)."""
    specs = [f for f in SHEET_FACTS if f.key not in header.columns]
    if not specs:
        return {}, {}
    return read_form(grid, specs, {})


def supersede_key(unit: str | None, records: list[dict]) -> str:
    return f"score:{records[0].get('semester') if records else None}"


