"""The school calendar: terms, half-terms, INSET days, bank holidays and providers' own dates."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cme.attendance.calendar import (
    CalendarError,
    CalendarRangeError,
    SchoolCalendar,
    academic_year,
    load_calendar,
    read_periods,
)

D = dt.date


@pytest.fixture(scope="module")
def cal():
    return load_calendar()


def test_demo_calendar_gives_190_school_days_a_year(cal):
    for year in (2024, 2025, 2026):
        days = [d for d in cal.school_days() if D(year, 9, 1) <= d <= D(year + 1, 8, 31)]
        assert len(days) == 190


def test_half_term_week_is_not_school_days(cal):
    assert cal.is_school_day(D(2025, 10, 24))
    assert not any(cal.is_school_day(D(2025, 10, 27) + dt.timedelta(i)) for i in range(5))
    assert cal.is_school_day(D(2025, 11, 4))


def test_weekends_and_summer_are_not_school_days(cal):
    assert not cal.is_school_day(D(2025, 9, 6))
    assert not cal.is_school_day(D(2026, 8, 3))


def test_inset_days_are_not_school_days(cal):
    assert not cal.is_school_day(D(2025, 9, 1))
    assert not cal.is_school_day(D(2025, 9, 2))
    assert cal.is_school_day(D(2025, 9, 3))
    assert not cal.is_school_day(D(2025, 11, 3))


def test_bank_holidays_come_from_the_library_inside_a_term(cal):
    # May Day 2026 falls inside Summer 1 in the demo calendar.
    assert D(2026, 5, 4) in cal.bank_holidays
    assert not cal.is_school_day(D(2026, 5, 4))
    assert cal.is_school_day(D(2026, 5, 5))


def test_substitute_bank_holidays_are_not_school_days():
    # Boxing Day 2026 is a Saturday: the substitute day is Monday 28 December. A provider that
    # (unusually) teaches through late December still has that day off; so 27-28 Dec 2027.
    text = ("scope,kind,start,end,name\n"
            "901,term,2026-09-01,2027-07-21,Year\n"
            "9017001,term,2026-12-21,2026-12-31,Winter school\n"
            "9017001,term,2027-12-20,2027-12-31,Winter school\n"
            "901,term,2027-09-01,2028-07-20,Year\n")
    cal = SchoolCalendar(read_periods(text.splitlines(keepends=True)))
    assert "observed" in cal.bank_holidays[D(2026, 12, 28)].lower()
    assert not cal.is_school_day(D(2026, 12, 28), provider="9017001")
    assert cal.is_school_day(D(2026, 12, 29), provider="9017001")
    assert not cal.is_school_day(D(2027, 12, 27), provider="9017001")
    assert not cal.is_school_day(D(2027, 12, 28), provider="9017001")
    assert cal.is_school_day(D(2027, 12, 29), provider="9017001")


def test_provider_with_own_inset_day_and_closure(cal):
    assert cal.is_school_day(D(2026, 2, 13))
    assert not cal.is_school_day(D(2026, 2, 13), provider="9012001")
    assert not cal.is_school_day(D(2026, 5, 7), provider="9012001")
    assert cal.is_school_day(D(2026, 5, 7))


def test_academy_with_own_terms_has_its_own_half_term(cal):
    # The academy breaks a week earlier in October 2025 and does not take the LA's INSET days.
    assert not cal.is_school_day(D(2025, 10, 20), provider="9014001")
    assert cal.is_school_day(D(2025, 10, 20))
    assert cal.is_school_day(D(2025, 10, 27), provider="9014001")
    assert cal.is_school_day(D(2025, 11, 3), provider="9014001")
    assert not cal.is_school_day(D(2025, 11, 3))


def test_academy_follows_the_la_in_years_without_its_own_terms(cal):
    assert cal.school_days(provider="9014001")[:3] == cal.school_days()[:3]
    assert cal.is_school_day(D(2026, 10, 20), provider="9014001")


def test_provider_without_rows_follows_the_la(cal):
    assert cal.school_days(provider="9019999") == cal.school_days()


def test_add_school_days_crosses_half_term(cal):
    assert cal.add_school_days(D(2026, 2, 6), 10) == D(2026, 2, 27)
    assert cal.school_days_between(D(2026, 2, 6), D(2026, 2, 27)) == 10


def test_add_from_a_holiday_counts_from_the_next_school_day(cal):
    assert cal.add_school_days(D(2025, 10, 25), 1) == D(2025, 11, 4)  # 3 Nov is INSET


def test_add_negative_goes_back(cal):
    assert cal.add_school_days(D(2026, 2, 27), -10) == D(2026, 2, 6)
    assert cal.add_school_days(D(2026, 2, 27), 0) == D(2026, 2, 27)


@settings(max_examples=200, deadline=None)
@given(st.dates(D(2024, 9, 1), D(2027, 3, 1)), st.integers(0, 60))
def test_between_undoes_add(day, n):
    cal = load_calendar()
    for provider in (None, "9014001"):
        later = cal.add_school_days(day, n, provider)
        assert cal.school_days_between(day, later, provider) == n
        assert later > day or n == 0


def test_dates_outside_the_calendar_are_refused(cal):
    with pytest.raises(CalendarRangeError, match="outside the calendar"):
        cal.add_school_days(D(2030, 1, 1), 5)
    with pytest.raises(CalendarRangeError, match="falls outside the calendar"):
        cal.add_school_days(D(2027, 7, 1), 60)


def test_bad_term_dates_name_the_row_and_field():
    with pytest.raises(CalendarError, match="row 3, field kind"):
        read_periods(["scope,kind,start,end,name\n", "901,term,2025-09-01,2025-10-01,A\n",
                      "901,holiday,2025-09-01,,B\n"])
    with pytest.raises(CalendarError, match="row 2, field start"):
        read_periods(["scope,kind,start,end,name\n", "901,term,1/9/2025,2025-10-01,A\n"])
    with pytest.raises(CalendarError, match="row 2, field scope"):
        read_periods(["scope,kind,start,end,name\n", "90,term,2025-09-01,2025-10-01,A\n"])
    with pytest.raises(CalendarError, match="row 2, field end"):
        read_periods(["scope,kind,start,end,name\n", "901,term,2025-09-01,2025-08-01,A\n"])


def test_academic_year_is_written_the_english_way():
    assert academic_year(D(2025, 9, 1)) == "2025/26"
    assert academic_year(D(2026, 8, 31)) == "2025/26"
    assert academic_year(D(2099, 9, 1)) == "2099/00"
