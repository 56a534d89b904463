"""Semesters: parsing `2020-2021学年第一学期`, the semester of a date, and its last month.

The seed's 述职评议办法 holds the evaluation "一般在每学期的最后一个月". We fix the calendar as:
- 第一学期 (autumn) runs September to January; its last month is the window 12-15 … 01-31
  (the semester ends in mid-January; the window tolerates an exam period running to month end);
- 第二学期 (spring) runs February to August (teaching to early July); its last month is the window
  06-01 … 07-31.
A date belongs to 第一学期 of Y–Y+1 from September of Y to January of Y+1, else to 第二学期.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sureform.intake.labels import compact

_TERM = {"一": 1, "1": 1, "上": 1, "秋": 1, "二": 2, "2": 2, "下": 2, "春": 2}
_YEARS_TERM = re.compile(r"^(\d{4})[-—–~～至到](\d{4})(?:学年)?[-—–_]?(?:第)?([一二12上下])(?:学期)?$")
_SEASON = re.compile(r"^(\d{4})年?(?:度)?([秋春])(?:季)?(?:学期)?$")


@dataclass(frozen=True)
class Semester:
    start_year: int  # the academic year starts in September of this year
    term: int  # 1 = 第一学期 (autumn), 2 = 第二学期 (spring)

    @property
    def label(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}学年第{'一二'[self.term - 1]}学期"

    @property
    def previous(self) -> "Semester":
        return Semester(self.start_year, 1) if self.term == 2 else Semester(self.start_year - 1, 2)

    def last_month(self) -> tuple[date, date]:
        """The window in which the evaluation normally takes place, both ends included."""
        if self.term == 1:
            return date(self.start_year, 12, 15), date(self.start_year + 1, 1, 31)
        return date(self.start_year + 1, 6, 1), date(self.start_year + 1, 7, 31)


def parse_semester(value) -> Semester | None:
    """`2020-2021学年第一学期`, `2020—2021学年第2学期`, `2020-2021-1`, `2020年秋季学期`; else None."""
    s = compact(value)
    m = _YEARS_TERM.match(s)
    if m and int(m.group(2)) == int(m.group(1)) + 1 and _YEARS[0] <= int(m.group(1)) <= _YEARS[1]:
        return Semester(int(m.group(1)), _TERM[m.group(3)])
    m = _SEASON.match(s)
    if m and _YEARS[0] < int(m.group(1)) <= _YEARS[1]:
        year, term = int(m.group(1)), _TERM[m.group(2)]
        return Semester(year if term == 1 else year - 1, term)
    return None


_YEARS = (1950, 2099)  # a semester's start year: bounded, so that its dates always exist


def semester_of(day: date) -> Semester:
    """The semester a date falls in (September–January: 第一学期; February–August: 第二学期)."""
    if day.month >= 9:
        return Semester(day.year, 1)
    if day.month == 1:
        return Semester(day.year - 1, 1)
    return Semester(day.year - 1, 2)


def in_last_month(semester: Semester, day: date) -> bool:
    start, end = semester.last_month()
    return start <= day <= end
