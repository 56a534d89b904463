"""Chinese working days, for the ≥ 5-working-day 公示 of presidium candidates (item 7).

Public holidays are not working days; the make-up working Saturdays and Sundays (调休上班) are.
`chinesecalendar` knows the State Council's schedule up to its last published year; for a date
outside the years it covers we fall back to Monday–Friday and say so in a warning.
"""
from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


def is_working_day(day: date) -> tuple[bool, bool]:
    """(is a working day, known from the official calendar); unknown years count Monday–Friday."""
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5, False


def working_days_between(start: date, end: date) -> tuple[int, list[str]]:
    """Working days from `start` to `end`, both included; 0 when end is before start.

    Returns (count, warnings); a warning (Chinese) names the years counted as Monday–Friday.
    """
    count = 0
    guessed: set[int] = set()
    day = start
    while day <= end:
        working, known = is_working_day(day)
        count += working
        if not known:
            guessed.add(day.year)
        day += timedelta(days=1)
    warnings = []
    if guessed:
        years = "、".join(str(y) for y in sorted(guessed))
        warnings.append(f"{years}年的法定节假日安排尚未收录（节假日数据仅到{_last_known_year()}年），"
                        f"这些日期按周一至周五计算工作日，请人工核对公示天数。")
    return count, warnings


def _last_known_year() -> int:
    return max(d.year for d in chinese_calendar.holidays)
