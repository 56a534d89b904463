"""The normalisers: every form of value listed in reform-rules.md."""
from datetime import date, datetime

import pytest

from sureform.intake.values import (academic_year_start, parse_count, parse_date, parse_political, parse_rank,
                             parse_student_id, parse_year, parse_yes_no)


@pytest.mark.parametrize("raw, expected", [
    ("012300456", "012300456"),           # text keeps its leading zero
    (2021010101.0, "2021010101"),         # typed as a number: no trailing .0
    ("2021010101.0", "2021010101"),
    (" 2021 010101 ", "2021010101"),
    ("２０２１０１０１０１", "2021010101"),   # full-width digits
    ("B20210101", "B20210101"),
])
def test_student_id_as_text(raw, expected):
    assert parse_student_id(raw) == (expected, None)


@pytest.mark.parametrize("raw, code", [
    (2.02101e+17, "student-id-precision-lost"),   # an 18-digit number saved as a float lost its tail
    (120101200001011234.0, "student-id-precision-lost"),
    ("2.02101E+09", "student-id-precision-lost"),  # scientific notation typed or pasted as text
    ("12-34", "student-id-invalid"),
    ("123", "student-id-invalid"),
    (3.5, "student-id-invalid"),
])
def test_student_id_errors(raw, code):
    assert parse_student_id(raw) == (None, code)


@pytest.mark.parametrize("raw", [
    44119.0, date(2020, 10, 15), datetime(2020, 10, 15, 9, 30), "2020-10-15", "2020/10/15", "2020.10.15",
    "2020年10月15日", "20201015", 20201015.0, "2020-10-15 00:00:00", "２０２０年１０月１５日", "2020.10.15 ",
])
def test_dates_in_every_form(raw):
    assert parse_date(raw) == (date(2020, 10, 15), None)


@pytest.mark.parametrize("raw", ["2020-13-01", "明天", "2020年2月30日", 12.0])
def test_date_errors(raw):
    assert parse_date(raw) == (None, "date-invalid")


@pytest.mark.parametrize("raw, expected", [(2024, 2024), (2024.0, 2024), ("2024级", 2024), ("2024年", 2024),
                                            ("24级", 2024), (date(2024, 9, 1), 2024), ("2024.0", 2024)])
def test_year(raw, expected):
    assert parse_year(raw) == (expected, None)


def test_year_error():
    assert parse_year("大二") == (None, "year-invalid")


@pytest.mark.parametrize("rank, size, expected", [
    ("3/45", "", (3, 45, 3 / 45)),
    ("3／45", "", (3, 45, 3 / 45)),
    ("第3名/45人", "", (3, 45, 3 / 45)),
    (3.0, 45.0, (3, 45, 3 / 45)),
    ("3", "45", (3, 45, 3 / 45)),
    ("6.7%", "", (None, None, 0.067)),
    (0.067, "", (None, None, 0.067)),
    ("0.067", "", (None, None, 0.067)),
    ("前10%", "", (None, None, 0.10)),
    ("", "", (None, None, None)),
])
def test_ranks(rank, size, expected):
    (r, n, ratio), code = parse_rank(rank, size)
    assert code is None
    assert (r, n) == expected[:2]
    assert ratio == pytest.approx(expected[2]) if expected[2] is not None else ratio is None


@pytest.mark.parametrize("rank, size, code", [("46/45", "", "rank-exceeds-size"), ("3", "", "rank-invalid"),
                                              ("良好", "", "rank-invalid"), ("150%", "", "rank-invalid")])
def test_rank_errors(rank, size, code):
    assert parse_rank(rank, size)[1] == code


@pytest.mark.parametrize("raw, expected", [("是", True), ("√", True), ("✓", True), ("Y", True), ("y", True),
                                            ("否", False), ("N", False), ("×", False), (1.0, True), ("", None)])
def test_yes_no(raw, expected):
    assert parse_yes_no(raw) == (expected, None)


def test_yes_no_error():
    assert parse_yes_no("也许") == (None, "yes-no-invalid")


def test_political_aliases():
    from sureform.editions import load_catalogue

    aliases = load_catalogue().political_status_aliases
    assert parse_political("团员", aliases) == ("共青团员", None)
    assert parse_political("预备党员", aliases) == ("中共预备党员", None)
    assert parse_political("群众", aliases) == ("群众", None)


def test_counts():
    assert parse_count("") == (0, None)
    assert parse_count("无") == (0, None)
    assert parse_count(2.0) == (2, None)
    assert parse_count("1门") == (1, None)
    assert parse_count("-1") == (None, "number-invalid")


def test_freshman_year_follows_academic_year():
    assert academic_year_start(date(2026, 11, 24)) == 2026
    assert academic_year_start(date(2027, 3, 1)) == 2026
    assert academic_year_start(date(2026, 9, 1)) == 2026
    assert academic_year_start(date(2026, 8, 31)) == 2025
