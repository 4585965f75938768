"""The demo loads term dates for both authorities and believable registers for this year."""

import datetime as dt

import pytest
from django.core.management import call_command

from cme.attendance import screening
from cme.attendance.calendar import academic_year_start
from cme.attendance.models import CalendarPeriod, RegisterYear
from cme.attendance.selectors import calendar_for, provider_latest_marked, registers_for_screening
from cme.demo.attendance import build_demo_registers, demo_term_dates
from cme.providers.models import Organisation, OrgKind

# A Friday in the second half of the autumn term, so every pattern has room to show.
TODAY = dt.date(2025, 12, 12)


@pytest.fixture
def demo(db):
    call_command("demo-data", scale=200, cases=12, verbosity=0)


def test_demo_has_term_dates_and_registers_for_both_authorities(demo):
    for la in Organisation.objects.filter(kind=OrgKind.LA):
        assert CalendarPeriod.objects.filter(la=la, provider__isnull=True, kind="term").exists()
        school = calendar_for(la_id=la.pk)
        assert school.is_school_day(dt.date(2026, 11, 30))
        year = academic_year_start(dt.date.today()).year
        assert RegisterYear.objects.filter(provider__la=la, academic_year=year).exists() or \
            not school.school_days_between(dt.date(year, 9, 1), dt.date.today())


def test_demo_registers_show_every_pattern(db):
    call_command("demo-data", scale=300, cases=12, verbosity=0)
    la = Organisation.objects.get(kind=OrgKind.LA, la_code="901")
    # Rebuild for a fixed day, so the test does not depend on the date it runs.
    RegisterYear.objects.filter(provider__la=la).delete()
    made = build_demo_registers(la, today=TODAY, seed=7)
    assert made["continuous_absence_20"] == 2 and made["part_time_timetable"] == 4
    regs = registers_for_screening(la_id=la.pk, as_of=TODAY)
    assert len(regs) == made["registers"]
    findings = screening.screen(regs, TODAY)
    fired = {f.rule for f in findings}
    assert fired >= {"continuous_absence_10", "continuous_absence_20", "severe_absence",
                     "persistent_absence", "not_returned_after_leave", "part_time_timetable",
                     "registers_missing"}
    pupils = len(regs)
    persistent = sum(f.rule == "persistent_absence" for f in findings)
    assert 0.05 * pupils < persistent < 0.4 * pupils  # most attend well
    latest = provider_latest_marked(la_id=la.pk)
    assert min(d for d in latest.values() if d) < TODAY - dt.timedelta(days=10)


def test_demo_calendar_is_moved_on_for_a_later_year(db):
    la = Organisation.objects.create(kind=OrgKind.LA, name="Northmoor Council", la_code="901")
    text = demo_term_dates(la, dt.date(2029, 10, 1))
    assert ",term,2029-" in text and ",term,2030-" in text
