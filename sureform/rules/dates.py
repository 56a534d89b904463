"""Dates as the verdicts need them: read from the master (ISO strings), windows, display."""
from __future__ import annotations

import calendar
from datetime import date


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it has no such day)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
