from datetime import date

from sureform.rules.workdays import is_working_day, working_days_between


def test_national_day_2026_holidays_are_not_counted():
    # 2026-10-01..07 are holidays; 09-30, 10-08 and 10-09 are working days
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 9)) == (3, [])


def test_make_up_saturday_after_national_day_counts():
    # 2026-10-10 is a Saturday worked in lieu of the holiday
    assert is_working_day(date(2026, 10, 10)) == (True, True)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == (4, [])


def test_make_up_sunday_counts():
    # 2026-09-20 is a Sunday worked in lieu: Mon 14th .. Sun 20th is six working days
    assert working_days_between(date(2026, 9, 14), date(2026, 9, 20)) == (6, [])
    # an ordinary week: Monday to Sunday is five
    assert working_days_between(date(2026, 11, 2), date(2026, 11, 8)) == (5, [])


def test_single_day_and_reversed_range():
    assert working_days_between(date(2020, 10, 15), date(2020, 10, 15)) == (1, [])
    assert working_days_between(date(2020, 10, 16), date(2020, 10, 15)) == (0, [])


def test_publicity_across_2020_national_day():
    # 2020-10-01..08 holidays; 09-27 (Sun) and 10-10 (Sat) worked
    n, warnings = working_days_between(date(2020, 9, 28), date(2020, 10, 10))
    assert (n, warnings) == (5, [])


def test_year_outside_the_calendar_falls_back_to_weekdays_with_a_warning():
    # 2031-01-06 is a Monday; a week of five weekdays
    n, warnings = working_days_between(date(2031, 1, 6), date(2031, 1, 12))
    assert n == 5
    assert len(warnings) == 1 and "2031" in warnings[0]


def test_range_straddling_the_last_known_year_warns_once():
    n, warnings = working_days_between(date(2026, 12, 28), date(2031, 1, 2))
    assert n > 0 and len(warnings) == 1
