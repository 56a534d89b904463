"""汇总.xlsx sheets of the school and 院系 unions' rosters, candidate forms, score sheets and institution facts,
and the derived 述职评议结果."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sureform.intake.readers.roster import FIELDS as ROSTER_FIELDS
from sureform.intake.readers.candidate import LABELS as CANDIDATE_LABELS, RECORD_KEYS as CANDIDATE_KEYS
from sureform.intake.readers.institution import BASIC_SHEET, TABLES
from sureform.intake.readers.score import LABELS as SCORE_LABELS
from sureform.rules.scoring import score_results

ORIGIN = [("_file", "来源文件"), ("_sheet", "工作表"), ("_row", "行号")]

ROSTER_COLUMNS = [("_unit", "报送单位")] + [
    (f.key if f.key != "rank" else "rank_text", f.label) for f in ROSTER_FIELDS if f.key not in ("major_size", "org")
] + [("rank_ratio", "排名比例"), ("_file", "来源文件"), ("_row", "行号")]

# a 院系 union's own roster: the roster's columns plus 组织名称 (学生会/研究生会)
UNIT_ROSTER_COLUMNS = ROSTER_COLUMNS[:1] + [("org", "组织名称")] + ROSTER_COLUMNS[1:]

_CANDIDATE_TITLES = {"rank_text": "成绩排名", "rank_ratio": "排名比例"}
CANDIDATE_COLUMNS = [("_unit", "报送单位")] + [
    (k, _CANDIDATE_TITLES.get(k) or CANDIDATE_LABELS[k]) for k in CANDIDATE_KEYS] + ORIGIN

_SCORE_FIRST = ["semester", "review_date", "person_name", "person_id", "person_post", "rater_name", "rater_category"]


def score_columns(catalogue) -> list[tuple[str, str]]:
    names = [d["name"] for d in [*catalogue.scores["daily"], *catalogue.scores["central"]]]
    return [(k, SCORE_LABELS[k]) for k in _SCORE_FIRST] + [(n, n) for n in names] + ORIGIN


RESULT_COLUMNS = [("semester", "学期"), ("person_name", "姓名"), ("person_id", "学号"), ("person_post", "职务"),
                  ("raters", "评议人数"), ("categories", "评议人类别"), ("daily", "日常考评（平均）"),
                  ("central", "集中考评（平均）"), ("result", "述职评议结果")]

TABLE_TITLES = {"basic": BASIC_SHEET, **{t.name: t.sheet for t in TABLES}}
# 机构信息 one sheet per table, each with its own columns (one sheet of every table's columns was 26 wide: it
# printed at 3 points, or on seven pages across)
INSTITUTION_SHEET = "机构信息"
INSTITUTION_COLUMNS = {"basic": [("item", "项目"), ("value", "取值")],
                       **{t.name: [(f.key, f.label) for f in t.fields] for t in TABLES}}

# Each kind sheet's column widths, declared (in characters, as Excel counts them: a Chinese character takes two),
# beside its columns above: a sheet's layout depends on nothing in the data, so a submission's rows are rendered
# once, where the file is read (`outputs.workbook.render_submission`), and never again. A longer value wraps
# and its row grows (`sheet_xml.render_rows` estimates the lines). A column not listed takes DEFAULT_WIDTH (a
# score sheet's items come from the edition); no column is narrower than its label on one line.
DEFAULT_WIDTH = 12
_ORIGIN_WIDTHS = {"_file": 40, "_sheet": 16, "_row": 6}
_ROSTER_WIDTHS = {
    "_unit": 18, "name": 10, "student_id": 14, "unit": 18, "major": 18, "class_name": 14, "year": 10, "level": 10,
    "political": 15, "activist": 8, "post": 13, "department": 18, "rank_text": 10, "rank_basis": 14,
    "failed_courses": 8, "discipline": 16, "recommender": 20, "review_date": 12, "rank_ratio": 10, **_ORIGIN_WIDTHS}
COLUMN_WIDTHS: dict[str, dict[str, int]] = {
    "roster": _ROSTER_WIDTHS,
    "unit_roster": {**_ROSTER_WIDTHS, "org": 20},
    "candidate": {
        "_unit": 18, "name": 10, "student_id": 14, "unit": 18, "class_name": 14, "political": 15, "rank_text": 10,
        "rank_ratio": 10, "publicity_start": 12, "publicity_end": 12, "publicity_result": 18,
        **{k: 12 for k in CANDIDATE_KEYS if k.endswith("_date")},
        **{k: 24 for k in CANDIDATE_KEYS if k.endswith("_result")}, **_ORIGIN_WIDTHS},
    "score": {"semester": 26, "review_date": 12, "person_name": 10, "person_id": 14, "person_post": 13,
              "rater_name": 10, "rater_category": 10, **_ORIGIN_WIDTHS},
    "institution": {  # a sheet per table: a field's width wherever it appears
        "item": 30, "value": 40, "name": 24, "category": 24, "date": 12, "duties": 50, "review_note": 30,
        "session": 30, "delegates": 10, "body": 16, "elects_presidium": 8, "unit": 18, "org": 20, "title": 36,
        "content": 50, "included": 8, "document": 40, "measure": 50, "full_time": 8, "remark": 36, "student_id": 14,
        "branch": 20, "electing_unit": 18, "detail": 40, "flag": 8, "table": 10, "verdict": 8, "basis": 40,
        **_ORIGIN_WIDTHS},
}


def declared_widths(kind: str, columns: list[tuple[str, str]]) -> dict[str, int]:
    """A kind sheet's width per column key: as declared, never narrower than its label on one line."""
    from sureform.outputs.sheet_xml import column_width, text_width

    declared = COLUMN_WIDTHS.get(kind, {})
    return {key: max(declared.get(key, DEFAULT_WIDTH), column_width(text_width(label))) for key, label in columns}


@dataclass
class Sheet:
    """One sheet of 汇总.xlsx: its title and (key, column label) pairs, and its rows: given (`rows`), or the
    current submissions' records of a `kind` (read from the store, each submission's rows rendered once and kept;
    `shape` turns a record into the row shown). `widths` fixes a column's width, `fills` colours a column's cells
    by the prefix of their text; `hidden` columns are there for support, out of sight."""

    title: str
    columns: list[tuple[str, str]]
    rows: list[dict] | None = None
    kind: str | None = None
    shape: Callable[[dict], dict] | None = None
    widths: dict[str, int] | None = None
    fills: dict[str, dict] | None = None
    where: Callable[[dict], bool] | None = None  # of a `kind`'s records, those this sheet shows (all: None)
    hidden: tuple[str, ...] = ()  # columns kept for support (the issue code), hidden from users
    key_columns: int = 2  # printed over several pages: the first columns, repeated on each (who or what a row is)


def kind_sheets(catalogue, present=None) -> list[Sheet]:
    """The sheets of the kinds' records, in order, each with its declared widths; of 机构信息's tables, those
    `present` (all: None)."""
    sheets = [
        Sheet("工作人员名单", ROSTER_COLUMNS, kind="roster"),
        Sheet("院系学生会工作人员名单", UNIT_ROSTER_COLUMNS, kind="unit_roster"),
        Sheet("主席团候选人", CANDIDATE_COLUMNS, kind="candidate"),
        Sheet("述职评议评分", score_columns(catalogue), kind="score"),
        *institution_sheets(present),
    ]
    for sheet in sheets:
        sheet.widths = declared_widths(sheet.kind, sheet.columns)
    return sheets


def sheets_of_kind(kind: str | None, catalogue) -> list[Sheet]:
    """The sheets a record of `kind` may be shown on (机构信息: one per table, `where` says which records)."""
    return [s for s in kind_sheets(catalogue) if s.kind == kind]


def master_sheets(store, catalogue) -> list[Sheet]:
    """汇总.xlsx's data sheets, in order."""
    return kind_sheets(catalogue, store.institution_parts()) + [
        Sheet("述职评议结果", RESULT_COLUMNS, result_rows(store, catalogue))]


def institution_sheets(present=None) -> list[Sheet]:
    """`机构信息·部门设置` …: one sheet per table of the current 机构信息 that has records (`present`: the
    store's `institution_parts`; None: every table), in the workbook's order."""
    return [Sheet(f"{INSTITUTION_SHEET}·{TABLE_TITLES[name]}", INSTITUTION_COLUMNS[name] + ORIGIN, kind="institution",
                  where=_of_table(name), key_columns=1)
            for name in INSTITUTION_COLUMNS if present is None or name in present]


def _of_table(name: str) -> Callable[[dict], bool]:
    return lambda record: record.get("_table") == name


def result_rows(store, catalogue) -> list[dict]:
    """述职评议结果: one row per (semester, person) from the current score sheets."""
    rows = score_results(store.current_records("score"), catalogue)
    for r in rows:
        r["categories"] = "、".join(f"{k}{v}人" for k, v in r.pop("rater_categories").items())
    return rows
