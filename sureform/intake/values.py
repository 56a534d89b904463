"""Normalisers for the values people type into spreadsheets.

Each returns `(normalised, code)`: the clean value, or `None` and the issue code that says why not.
They never raise and never guess silently.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from sureform.intake.labels import clean_text, compact

_EXCEL_EPOCH = date(1899, 12, 30)
_ID_RE = re.compile(r"^[0-9A-Za-z]{6,20}$")
_SCI_RE = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")

# Bounds of what a cell can sensibly hold, applied where it is parsed: a value past them is that cell's error
# (never a number too large for a float, a date past year 9999, or an infinity reaching the checks and outputs).
COUNT_MAX = 100_000  # a count of people, meetings, delegates …
FAILED_COURSES_MAX = 100  # 不及格门数 of one student
STUDENTS_MAX = 1_000_000  # 全校学生人数
RANK_MAX = 100_000  # a rank or a 专业人数
DATE_MIN, DATE_MAX = date(1950, 1, 1), date(2100, 12, 31)
_DIGITS_MAX = 15  # digits read as a whole number before it is judged: no 400-digit int is ever built


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or (isinstance(value, float) and value != value)


def parse_student_id(value):
    """学号 as text: typed-as-number ids lose `.0`; ids past 15 significant digits lost precision."""
    if is_blank(value):
        return None, None
    if isinstance(value, bool):
        return None, "student-id-invalid"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            return None, "student-id-invalid"
        n = int(value)
        if abs(n) >= 10**15:  # a float holds ~15 significant digits; the tail of longer numbers is gone
            return None, "student-id-precision-lost"
        value = str(n)
    s = compact(value)
    if _SCI_RE.match(s):
        return None, "student-id-precision-lost"
    if re.fullmatch(r"\d+\.0+", s):
        s = s.split(".")[0]
    if not _ID_RE.match(s):
        return None, "student-id-invalid"
    return s, None


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


_TIME_RE = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def parse_date(value):
    """Dates as Excel serials, date cells, 2020-10-15, 2020/10/15, 2020.10.15, 2020年10月15日, 20201015."""
    if is_blank(value):
        return None, None
    if isinstance(value, datetime):
        return _bounded_date(value.date())
    if isinstance(value, date):
        return _bounded_date(value)
    if isinstance(value, bool):
        return None, "date-invalid"
    if isinstance(value, (int, float)):
        if 20000 < value < 80000:  # Excel serial between 1954 and 2118
            return _EXCEL_EPOCH + timedelta(days=int(value)), None
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            value = str(int(value))
        else:
            return None, "date-invalid"
    s = compact(_TIME_RE.sub("", clean_text(value)))
    for pat in _DATE_PATTERNS:
        m = pat.match(s)
        if m:
            try:
                day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None, "date-invalid"
            return _bounded_date(day)
    return None, "date-invalid"


def _bounded_date(day: date):
    if DATE_MIN <= day <= DATE_MAX:
        return day, None
    return None, "date-out-of-range"


def parse_year(value):
    """入学年份: 2024, 2024.0, `2024级`, `2024年`, `24级`, or a date."""
    if is_blank(value):
        return None, None
    if isinstance(value, (date, datetime)):
        return value.year, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 1990 <= int(value) <= 2100:
            return int(value), None
        return None, "year-invalid"
    s = compact(value)
    m = re.fullmatch(r"(\d{4})(?:级|年级|年|届)?(?:\d{1,2}月)?(?:\.0)?", s)
    if m and 1990 <= int(m.group(1)) <= 2100:
        return int(m.group(1)), None
    m = re.fullmatch(r"(\d{2})级", s)
    if m:
        return 2000 + int(m.group(1)), None
    d, code = parse_date(value)
    if d:
        return d.year, None
    return None, "year-invalid"


def _number(value):
    """A cell as a float, or None; an int too large for a float is infinity (then out of every bound)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value) if abs(value) < 10**_DIGITS_MAX else math.inf
    if isinstance(value, float):
        return value
    s = compact(value)
    try:
        return float(s)
    except (ValueError, OverflowError):
        return None


def finite_number(value, bound: float = 1e15) -> float | None:
    """A stored value as a float strictly between -bound and bound, else None (never raises): what the checks,
    the rules and the outputs use on values of the master, which may predate the bounds above."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        value = _number(value) if len(value) < 64 else None
        if value is None:
            return None
    if not isinstance(value, (int, float)):
        return None
    return float(value) if -bound < value < bound else None  # False for NaN; exact for any int


def _whole(digits: str) -> int | float:
    """A run of digits as an int, or infinity past `_DIGITS_MAX` digits (never a huge int)."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= _DIGITS_MAX else math.inf


def parse_rank(rank_value, size_value=None):
    """Ranks as `3/45`, `3` with a 专业人数, `6.7%`, `0.067`, `前10%`.

    Returns ((rank, size, ratio), code). rank/size are ints when known; ratio in [0, 1].
    """
    size = None
    if not is_blank(size_value):
        n = _number(size_value)
        if n is not None and n > RANK_MAX:
            return (None, None, None), "number-out-of-range"
        if n is None or n <= 0 or not n.is_integer():
            return (None, None, None), "rank-invalid"
        size = int(n)
    if is_blank(rank_value):
        return (None, size, None), None
    if isinstance(rank_value, (int, float)) and not isinstance(rank_value, bool):
        n = _number(rank_value)
        if n is None or not math.isfinite(n) or n > RANK_MAX:
            return (None, None, None), "number-out-of-range" if n is not None and n > 0 else "rank-invalid"
        if 0 < n < 1:  # a ratio typed as a number
            return (None, size, n), None
        if n.is_integer() and n >= 1:
            if size is None:
                return (None, None, None), "rank-invalid"
            if n > size:
                return (int(n), size, None), "rank-exceeds-size"
            return (int(n), size, n / size), None
        return (None, None, None), "rank-invalid"
    s = compact(rank_value).replace("／", "/")
    s = re.sub(r"^(前|top)", "", s, flags=re.I)
    m = re.fullmatch(r"(?:第)?(\d+)(?:名)?/(\d+)(?:人)?", s)
    if m:
        r, n = _whole(m.group(1)), _whole(m.group(2))
        if r > RANK_MAX or n > RANK_MAX:
            return (None, None, None), "number-out-of-range"
        if n <= 0 or r <= 0:
            return (None, None, None), "rank-invalid"
        if r > n:
            return (r, n, None), "rank-exceeds-size"
        return (r, n, r / n), None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)%", s)
    if m:
        ratio = _number(m.group(1)) / 100
        if 0 < ratio <= 1:
            return (None, size, ratio), None
        return (None, None, None), "rank-invalid"
    m = re.fullmatch(r"第?(\d+(?:\.\d+)?)名?", s)
    if m:
        return parse_rank(_number(m.group(1)), size)
    return (None, None, None), "rank-invalid"


_YES = {"是", "√", "✓", "✔", "☑", "y", "yes", "true", "1", "有", "对"}
_NO = {"否", "×", "✗", "✘", "x", "n", "no", "false", "0", "无", "不是", "没有"}


def parse_yes_no(value):
    if is_blank(value):
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value), None
    s = compact(value).lower()
    if s in _YES:
        return True, None
    if s in _NO:
        return False, None
    return None, "yes-no-invalid"


def parse_count(value, maximum: int = COUNT_MAX):
    """A non-negative whole number up to `maximum`; blank, 无 and 否 mean 0."""
    if is_blank(value):
        return 0, None
    n = _number(value)
    if n is None:
        s = compact(value)
        if s in {"无", "否", "没有", "-", "—", "/"}:
            return 0, None
        m = re.fullmatch(r"(\d+)(?:门|人|次|个|名)?", s)
        if not m:
            return None, "number-invalid"
        n = float(_whole(m.group(1)))
    if n != n:  # NaN
        return None, "number-invalid"
    if n > maximum:
        return None, "number-out-of-range"
    if n < 0 or not n.is_integer():
        return None, "number-invalid"
    return int(n), None


def parse_failed_courses(value):
    """不及格门数: a count no student can exceed (100)."""
    return parse_count(value, FAILED_COURSES_MAX)


def parse_student_count(value):
    """全校学生人数: a count up to a million."""
    return parse_count(value, STUDENTS_MAX)


def parse_text(value):
    if is_blank(value):
        return None, None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = clean_text(value)
    return (s or None), None


# whitespace with a CJK character (ideographs, the 中点 of transliterated names) on each side
_CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f·]"
_CJK_GAP = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")


def parse_name(value):
    """A person's name: `李 明` and `李　明` become `李明` (with a warning, the sender may want to know); a
    Latin name keeps its single spaces (`Anna Maria Li`)."""
    s, _ = parse_text(value)
    if s is None:
        return None, None
    joined = _CJK_GAP.sub("", s)
    return joined, ("name-space-removed" if joined != s else None)


def parse_label(value):
    """Vocabulary words (职务, 政治面貌, 部门): no spaces at all, full-width folded."""
    if is_blank(value):
        return None, None
    s = compact(value)
    return (s or None), None


def parse_political(value, aliases: dict):
    s, _ = parse_label(value)
    if s is None:
        return None, None
    return aliases.get(s, s), None


_NONE_WORDS = {"无", "否", "没有", "-", "—", "/", "无违纪", "无处分", "n", "no"}


def parse_discipline(value):
    """违纪情况: blank/无/否 mean none; anything else is kept as the record's text."""
    if is_blank(value):
        return None, None
    s = clean_text(value)
    if s.lower() in _NONE_WORDS:
        return None, None
    return s, None


def to_date(value) -> date | None:
    """A date from a date, a datetime or an ISO string (as the master stores them); else None. A date outside
    1950–2100 (which an older version could store) is None too: no rule counts days from year 1 or to 9999."""
    if isinstance(value, datetime):
        value = value.date()
    elif isinstance(value, str) and value.strip():
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    if isinstance(value, date):
        return value if DATE_MIN <= value <= DATE_MAX else None
    return None


def academic_year_start(as_of: date, start_month: int = 9) -> int:
    return as_of.year if as_of.month >= start_month else as_of.year - 1


def short_time(text) -> str:
    """A stored time as people read it: `2026-11-24T18:46:35+08:00` → `2026-11-24 18:46`."""
    return str(text or "")[:16].replace("T", " ")


def chinese_date(day: date) -> str:
    """A date as people here write it: 2020年10月15日 (the one place this format is written)."""
    return f"{day.year}年{day.month}月{day.day}日"
