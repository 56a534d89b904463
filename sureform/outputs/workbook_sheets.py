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


def master_sheets(store, catalogue) -> list[Sheet]:
    """汇总.xlsx's data sheets, in order."""
    return [
        Sheet("工作人员名单", ROSTER_COLUMNS, kind="roster"),
        Sheet("院系学生会工作人员名单", UNIT_ROSTER_COLUMNS, kind="unit_roster"),
        Sheet("主席团候选人", CANDIDATE_COLUMNS, kind="candidate"),
        Sheet("述职评议评分", score_columns(catalogue), kind="score"),
        *institution_sheets(store),
        Sheet("述职评议结果", RESULT_COLUMNS, result_rows(store, catalogue)),
    ]


def institution_sheets(store) -> list[Sheet]:
    """`机构信息·部门设置` …: one sheet per table of the current 机构信息 that has records, in the workbook's order."""
    present = store.institution_parts()
    return [Sheet(f"{INSTITUTION_SHEET}·{TABLE_TITLES[name]}", INSTITUTION_COLUMNS[name] + ORIGIN, kind="institution",
                  where=_of_table(name), key_columns=1)
            for name in INSTITUTION_COLUMNS if name in present]


def _of_table(name: str) -> Callable[[dict], bool]:
    return lambda record: record.get("_table") == name


def result_rows(store, catalogue) -> list[dict]:
    """述职评议结果: one row per (semester, person) from the current score sheets."""
    rows = score_results(store.current_records("score"), catalogue)
    for r in rows:
        r["categories"] = "、".join(f"{k}{v}人" for k, v in r.pop("rater_categories").items())
    return rows
