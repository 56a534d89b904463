"""Which 述职评议 score rows the verdicts look at: by semester (sureform.semesters), up to the filing date."""
from __future__ import annotations

from datetime import date

from sureform.intake.semesters import Semester, parse_semester, semester_of
from sureform.intake.values import to_date


def score_semester(rec: dict) -> Semester | None:
    """A score row's semester: its 学期 label, else the semester of its 评议日期."""
    sem = parse_semester(rec.get("semester")) if rec.get("semester") else None
    if sem is None and (day := to_date(rec.get("review_date"))) is not None:
        sem = semester_of(day)
    return sem


def _key(sem: Semester) -> tuple[int, int]:
    return sem.start_year, sem.term


def held_by(rec: dict, as_of: date) -> bool:
    """Not dated after the filing date."""
    day = to_date(rec.get("review_date"))
    return day is None or day <= as_of


def semester_scores(scores: list[dict], semester: Semester, as_of: date) -> list[dict]:
    return [r for r in scores if score_semester(r) == semester and held_by(r, as_of)]


def latest_semester_scores(scores: list[dict], as_of: date) -> list[dict]:
    """The score rows of the most recent semester, up to the filing date's, that has any."""
    now = _key(semester_of(as_of))
    placed = [(s, r) for r in scores if (s := score_semester(r)) is not None and _key(s) <= now and held_by(r, as_of)]
    if not placed:
        return []
    latest = max((s for s, _ in placed), key=_key)
    return [r for s, r in placed if s == latest]
