"""Term dates loaded into the database replace the LA's (or a provider's) periods for the years
in the file, and the school-day questions answer from them."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cme.attendance.models import CalendarPeriod
from cme.attendance.selectors import calendar_for, provider_calendar
from cme.attendance.services import ImportRejected
from cme.attendance.tests.db_builders import TERM_DATES_901, load_term_dates
from cme.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_school_days_answer_across_half_term_bank_holiday_and_inset(la_a):
    load_term_dates(la_a)
    school = calendar_for(la_id=la_a.pk)
    # Half-term: Friday 24 Oct, then Monday 3 Nov is the next school day.
    assert school.add_school_days(dt.date(2025, 10, 24), 1) == dt.date(2025, 11, 3)
    # INSET Monday 5 Jan 2026: the spring term starts for pupils on Tuesday.
    assert not school.is_school_day(dt.date(2026, 1, 5))
    assert school.add_school_days(dt.date(2025, 12, 19), 1) == dt.date(2026, 1, 6)
    # May Day bank holiday Monday 4 May 2026 is in term but not a school day.
    assert not school.is_school_day(dt.date(2026, 5, 4))
    assert school.school_days_between(dt.date(2026, 5, 1), dt.date(2026, 5, 8)) == 4
    # The INSET days at the start of September: Wednesday 3 Sept is the first school day.
    assert school.add_school_days(dt.date(2025, 9, 1), 1) == dt.date(2025, 9, 3)


def test_a_second_file_replaces_the_years_it_holds(la_a):
    load_term_dates(la_a)
    moved = TERM_DATES_901.replace("2025-10-24,Autumn 1", "2025-10-17,Autumn 1")
    report = load_term_dates(la_a, moved)
    assert report.replaced == 8
    assert CalendarPeriod.objects.filter(la=la_a).count() == 8
    # The cached calendar was rebuilt: Monday 20 Oct is now half-term.
    assert not calendar_for(la_id=la_a.pk).is_school_day(dt.date(2025, 10, 20))
    assert AuditEvent.objects.filter(object_type="calendar", la_id=la_a.pk).count() == 2


def test_a_provider_with_its_own_terms(la_a, school_a):
    load_term_dates(la_a)
    own = (f"scope,kind,start,end,name\n"
           f"{school_a.laestab},term,2025-09-01,2025-10-17,Autumn 1\n"
           f"{school_a.laestab},term,2025-10-27,2025-12-19,Autumn 2\n"
           f"{school_a.laestab},term,2026-01-05,2026-07-17,Rest of year\n")
    load_term_dates(la_a, own, provider=school_a)
    school = provider_calendar(la_id=la_a.pk, provider_id=school_a.pk)
    assert not school.is_school_day(dt.date(2025, 10, 20))  # its half-term
    assert school.is_school_day(dt.date(2025, 10, 27))  # the LA's half-term, its term
    assert calendar_for(la_id=la_a.pk).is_school_day(dt.date(2025, 10, 20))  # the LA's term


def test_bad_rows_are_all_named_and_nothing_changes(la_a):
    load_term_dates(la_a)
    bad = ("scope,kind,start,end,name\n"
           "901,term,2025-09-01,2025-10-24,Autumn 1\n"
           "901,holiday,2025-11-03,2025-12-19,Autumn 2\n"
           "901,term,2026-13-05,2026-02-13,Spring 1\n"
           "907,term,2026-02-23,2026-03-27,Spring 2\n")
    with pytest.raises(ImportRejected) as e:
        load_term_dates(la_a, bad)
    assert any(m.startswith("row 3, field kind") for m in e.value.errors)
    assert any(m.startswith("row 4, field start") for m in e.value.errors)
    assert any(m.startswith("row 5, field scope") for m in e.value.errors)
    assert CalendarPeriod.objects.filter(la=la_a).count() == 8


def test_provider_upload_rejects_rows_of_another_scope(la_a, school_a):
    load_term_dates(la_a)
    with pytest.raises(ImportRejected) as e:
        load_term_dates(la_a, TERM_DATES_901, provider=school_a)
    assert e.value.errors[0].startswith("row 2, field scope")


def test_import_term_dates_command_and_school_days_from_the_database(la_a, school_a, tmp_path, capsys):
    path = tmp_path / "terms.csv"
    path.write_text(TERM_DATES_901.replace("2025-10-24,Autumn 1", "2025-10-17,Autumn 1"))
    call_command("import-term-dates", str(path))
    assert "8 periods loaded for 2025/26" in capsys.readouterr().out
    call_command("school-days", "add", "2025-10-17", "1")
    # From the database (autumn 1 ends a week early: two weeks off), not the shipped demo file.
    assert capsys.readouterr().out.strip() == "2025-11-03"
    call_command("school-days", "between", "2025-10-17", "2025-11-03", "--provider", school_a.laestab)
    assert capsys.readouterr().out.strip() == "1"


def test_import_term_dates_command_for_one_provider(la_a, school_a, tmp_path):
    load_term_dates(la_a)
    path = tmp_path / "own.csv"
    path.write_text(f"scope,kind,start,end,name\n{school_a.laestab},term,2025-09-01,2026-07-17,Year\n")
    call_command("import-term-dates", str(path), "--provider", school_a.laestab)
    assert CalendarPeriod.objects.filter(provider=school_a).count() == 1
    with pytest.raises(CommandError, match="--provider: no provider"):
        call_command("import-term-dates", str(path), "--provider", "9019999")
