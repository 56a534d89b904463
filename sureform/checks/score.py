"""Batch validation of score sheets: one pandera call over every score row of a run, failures mapped to cells."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

import pandas as pd

from sureform.editions import Catalogue
from sureform.issues import Issue, make_issue
from sureform.intake.readers.base import record_location
from sureform.intake.readers.score import LABELS, score_names
from sureform.intake.semesters import in_last_month, parse_semester
from sureform.intake.values import chinese_date, to_date
from sureform.checks.roster_schema import using_catalogue
from sureform.checks.score_schema import CHECK_COLUMNS, ScoreRowSchema, SubScoreSchema
from sureform.checks.failures import failed_checks

ROW_STRINGS = ["file", "semester", "person_name", "person_key", "rater_name", "rater_category"]


def outside_last_month(rec: dict) -> bool:
    sem, day = parse_semester(rec.get("semester") or ""), to_date(rec.get("review_date"))
    return bool(sem and day and not in_last_month(sem, day))


def score_frames(records: list[tuple[str, dict]], catalogue: Catalogue) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per score row, one row per (score row, sub-score)) as the two schemas validate them."""
    rows, subs = [], []
    for pos, (file, rec) in enumerate(records):
        rows.append({
            "file": file, "row": int(rec.get("_row") or 0), "semester": rec.get("semester"),
            "person_name": rec.get("person_name"), "person_key": rec.get("person_id") or rec.get("person_name"),
            "rater_name": rec.get("rater_name"), "rater_category": rec.get("rater_category"),
            "outside_last_month": outside_last_month(rec),
        })
        for name, maximum in score_names(catalogue):
            score = rec.get(name)
            subs.append({"pos": pos, "name": name, "score": float(score) if score is not None else None,
                         "maximum": maximum})
    row_df = pd.DataFrame(rows, columns=["file", "row", "semester", "person_name", "person_key", "rater_name",
                                         "rater_category", "outside_last_month"])
    for c in ROW_STRINGS:
        row_df[c] = row_df[c].astype(object).where(row_df[c].notna(), None)
    row_df["outside_last_month"] = row_df["outside_last_month"].astype(bool)
    row_df["row"] = row_df["row"].astype(int)
    sub_df = pd.DataFrame(subs, columns=["pos", "name", "score", "maximum"])
    sub_df["score"] = sub_df["score"].astype(float)
    sub_df["maximum"] = sub_df["maximum"].astype(float)
    sub_df["pos"] = sub_df["pos"].astype(int)
    return row_df, sub_df


def check_scores(records: list[tuple[str, dict]], catalogue: Catalogue) -> dict[int, list[Issue]]:
    """Issues by position in `records` from the score schemas (lazy validation, one call each)."""
    out: dict[int, list[Issue]] = defaultdict(list)
    if not records:
        return out
    row_df, sub_df = score_frames(records, catalogue)
    with using_catalogue(catalogue):
        row_failures = failed_checks(ScoreRowSchema, row_df, CHECK_COLUMNS)
        sub_failures = failed_checks(SubScoreSchema, sub_df, CHECK_COLUMNS)
    dated: set = set()  # an out-of-window 评议日期 is reported once per file and date, not on every row
    for code, pos, key in row_failures:
        file, rec = records[pos]
        if code == "review-date-outside-last-month":
            if (file, rec.get("review_date")) in dated:
                continue
            dated.add((file, rec.get("review_date")))
        out[pos].append(_issue(code, key, file, rec, records, catalogue))
    for code, sub_pos, _ in sub_failures:
        sub = sub_df.iloc[sub_pos]
        pos, key = int(sub["pos"]), str(sub["name"])
        file, rec = records[pos]
        out[pos].append(_issue(code, key, file, rec, records, catalogue, maximum=sub["maximum"]))
    return out


def _issue(code: str, key: str, file: str, rec: dict, records, catalogue: Catalogue, maximum=None) -> Issue:
    loc = record_location(file, rec, key, LABELS.get(key, key))
    value = rec.get(key)
    params: dict = {}
    if code == "score-above-maximum":
        params["maximum"] = f"{maximum:g}"
    elif code == "rater-category-invalid":
        params["allowed"] = "、".join(catalogue.scores["rater_categories"])
    elif code == "score-row-duplicated":
        person = rec.get("person_id") or rec.get("person_name")
        first = next(r for f, r in records if f == file and r.get("semester") == rec.get("semester")
                     and (r.get("person_id") or r.get("person_name")) == person
                     and r.get("rater_name") == rec.get("rater_name"))
        params.update(rater=rec.get("rater_name"), person=rec.get("person_name"), other_row=first.get("_row"))
    elif code == "review-date-outside-last-month":
        sem = parse_semester(rec.get("semester") or "")
        start, end = sem.last_month()
        value = to_date(value).isoformat()
        params.update(semester=sem.label, window=f"{chinese_date(start)}至{chinese_date(end)}")
    return make_issue(code, loc, value, **params)

