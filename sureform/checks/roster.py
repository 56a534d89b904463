"""Batch validation of rosters: one pandera call for every roster row of a run, failures mapped to cells."""
from __future__ import annotations

from collections import Counter, defaultdict
from itertools import chain
from datetime import date

from sureform.editions import Catalogue
from sureform.issues import Issue, make_issue
from sureform.intake.readers.base import record_location
from sureform.intake.readers.roster import LABELS, length_guess
from sureform.intake.values import FAILED_COURSES_MAX, academic_year_start, finite_number
from sureform.checks.roster_schema import CHECK_COLUMNS, RosterSchema, using_catalogue
from sureform.checks.failures import failed_checks

STRING_COLUMNS = ["file", "student_id", "name", "post", "department", "political", "discipline", "level", "unit"]


# what the master re-checks as of the filing date (the stored ones of these may be out of date)
RECHECKED_CODES = frozenset({"post-not-allowed", "political-status-not-allowed", "failed-course", "rank-above-limit",
                             "rank-missing", "discipline-record", "student-id-duplicated", "person-on-two-rosters",
                             "student-id-pattern-unusual"})


def roster_frame(records: list[tuple[str, dict]], as_of: date, catalogue: Catalogue):
    """The frame pandera validates: one row per (file, record), origin columns kept."""
    import pandas as pd

    first_year = academic_year_start(as_of, catalogue.limits.get("academic_year_start_month", 9))
    rows = []
    for file, rec in records:
        level = rec.get("level") or ""
        rows.append({
            "file": file, "row": int(rec.get("_row") or 0), "student_id": rec.get("student_id"),
            "name": rec.get("name"), "post": rec.get("post"), "department": rec.get("department"),
            "political": rec.get("political"), "discipline": rec.get("discipline"), "level": level,
            "unit": rec.get("unit"),
            "is_freshman": rec.get("year") == first_year,
            "is_graduate": any(w in level for w in ("研究生", "硕士", "博士")),
            "rank_ratio": finite_number(rec.get("rank_ratio"), 1.5),
            "rank_unparsed": bool(rec.get("rank_text")) and rec.get("rank_ratio") is None,
            "failed_courses": finite_number(rec.get("failed_courses"), FAILED_COURSES_MAX + 1),
        })
    df = pd.DataFrame(rows, columns=list(rows[0].keys()) if rows else None)
    for c in STRING_COLUMNS:
        if c in df:
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    if len(df):
        df["rank_ratio"] = df["rank_ratio"].astype(float)
        df["failed_courses"] = df["failed_courses"].astype(float)
        df["is_freshman"] = df["is_freshman"].astype(bool)
        df["is_graduate"] = df["is_graduate"].astype(bool)
        df["rank_unparsed"] = df["rank_unparsed"].astype(bool)
    return df


def check_rosters(records: list[tuple[str, dict]], as_of: date, catalogue: Catalogue) -> dict[int, list[Issue]]:
    """Issues by position in `records` from the roster schema (lazy validation, one call)."""
    out: dict[int, list[Issue]] = defaultdict(list)
    if not records:
        return out
    with using_catalogue(catalogue):
        failures = failed_checks(RosterSchema, roster_frame(records, as_of, catalogue), CHECK_COLUMNS)
    first_rows: dict[tuple[str, object], object] = {}  # (file, 学号) → its first row, for "另见第 N 行"
    if any(code == "student-id-duplicated" for code, _, _ in failures):
        for file, rec in records:
            first_rows.setdefault((file, rec.get("student_id")), rec.get("_row"))
    for code, pos, key in failures:
        file, rec = records[pos]
        out[pos].append(_issue(code, key, file, rec, first_rows, catalogue))
    return out


DEPARTMENT_ENDINGS = ("部", "中心", "办公室", "室", "处", "队", "团", "组")


def _issue(code: str, key: str, file: str, rec: dict, first_rows: dict, catalogue: Catalogue) -> Issue:
    loc = record_location(file, rec, key, LABELS.get(key, key))
    params: dict = {}
    value = rec.get(key)
    if code == "post-not-allowed":
        params["allowed"] = "、".join(catalogue.posts)
        # only a 职务 that names a department (宣传部, 主席团) is told where department names go: not 部长助理
        looks_like_department = str(value or "").strip().endswith(DEPARTMENT_ENDINGS)
        params["hint"] = "；部门名称请填在“所在部门”一列" if looks_like_department else ""
    elif code == "rank-above-limit":
        value = rec.get("rank_text")
        params["percent"] = f"前{rec['rank_ratio']:.1%}"
        params["limit"] = f"{catalogue.limits['rank_ratio']:.0%}"
    elif code == "rank-missing":
        value = rec.get("rank_text")
        params["year"] = rec.get("year") or "未填写"
        params["limit"] = f"{catalogue.limits['rank_ratio']:.0%}"
    elif code == "student-id-duplicated":
        params["other_row"] = first_rows[(file, value)]
    return make_issue(code, loc, value, **params)


def cross_unit_duplicates(new: list[tuple[str, str, dict]], others: list[tuple[str, str, str]]) -> dict[int, list[Issue]]:
    """A person (学号) on two units' rosters: a finding on each new row that repeats someone elsewhere.

    `new` are (unit, file, record) triples; `others` are (unit, file, 学号) of the rest of the current master
    (only the 学号 are compared: a master of 60,000 rows is not decoded for it).
    """
    where: dict[str, list[tuple[str, str]]] = defaultdict(list)  # 学号 → (unit, file), two units at most
    for unit, file, sid in chain(others, ((u, f, rec.get("student_id")) for u, f, rec in new)):
        if sid:
            seen = where[sid]
            if len(seen) < 2 and all(u != unit for u, _ in seen):
                seen.append((unit, file))
    out: dict[int, list[Issue]] = defaultdict(list)
    for pos, (unit, file, rec) in enumerate(new):
        sid = rec.get("student_id")
        for other_unit, other_file in where.get(sid, ()):
            if other_unit != unit:
                loc = record_location(file, rec, "student_id", LABELS["student_id"])
                out[pos].append(make_issue("person-on-two-rosters", loc, sid, name=rec.get("name") or "",
                                           other_unit=other_unit, other_file=other_file))
                break
    for pos, issue in unit_id_patterns(new, others).items():
        out[pos].append(issue)
    return out


def _usual(lengths: Counter) -> int | None:
    """`usual_length` over counted lengths: the length most 学号 have, when at least two share it and they are
    the majority."""
    if not lengths:
        return None
    usual, n = lengths.most_common(1)[0]
    return usual if n >= 2 and n * 2 > sum(lengths.values()) else None


def unit_id_patterns(new: list[tuple[str, str, dict]], others: list[tuple[str, str, str]]) -> dict[int, Issue]:
    """One unit whose 学号 are mostly of another length than the rest of the master's: a finding on the first
    such 学号 of its new rows (the whole column is probably typed wrong, e.g. as numbers that lost their 0)."""
    positions: dict = defaultdict(list)  # each unit's new rows, so that each unit looks only at its own
    for pos, (unit, _, _) in enumerate(new):
        if unit:
            positions[unit].append(pos)
    out: dict[int, Issue] = {}
    lengths: dict = defaultdict(Counter)  # each unit's 学号 lengths, counted once (not once for every unit)
    for u, _, sid in chain(others, ((u, f, rec.get("student_id")) for u, f, rec in new)):
        if sid:
            lengths[u][len(sid)] += 1
    everyone = sum(lengths.values(), Counter())
    for unit, mine in positions.items():
        own, rest = _usual(lengths[unit]), _usual(everyone - lengths[unit])
        if own is None or rest is None or own == rest:
            continue
        for pos in mine:
            _, file, rec = new[pos]
            if len(rec.get("student_id") or "") == own:
                loc = record_location(file, rec, "student_id", LABELS["student_id"])
                out[pos] = make_issue("student-id-pattern-unusual", loc, rec.get("student_id"), length=own,
                                      usual=rest, guess=length_guess(own, rest))
                break
    return out
