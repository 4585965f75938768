"""Each case shows its clocks (start, due date in school days, state) on its page."""

import datetime as dt

import pytest

from cme.attendance.calendar import DEMO_CALENDAR
from cme.attendance.services import term_dates_import
from cme.cases.models import Enquiry, StageChange
from cme.cases.queues.selectors import case_clocks
from cme.testing import factories as f

D = dt.date


@pytest.fixture
def term_dates(la_a):
    lines = [line for line in DEMO_CALENDAR.read_text().splitlines(keepends=True)
             if line.startswith(("scope", "901,"))]
    term_dates_import(actor=None, la_id=la_a.pk, lines=lines, filename="terms.csv")
    return la_a


@pytest.fixture
def friday_case(term_dates, child_a, officer_a):
    # Referred and opened on the Friday before the October half-term 2025.
    case = f.make_case(child_a, responsible_officer=officer_a, referred_on=D(2025, 10, 24))
    StageChange.objects.create(case=case, from_stage="", to_stage="logged")
    StageChange.objects.filter(case=case).update(changed_at=dt.datetime(2025, 10, 24, 10, tzinfo=dt.UTC))
    return case


def by_key(states):
    return {s.key: s for s in states}


def test_clocks_count_over_half_term_and_the_inset_day(friday_case):
    clocks = by_key(case_clocks(case=friday_case, today=D(2025, 11, 4)))
    assert clocks["first_enquiry"].due_on == D(2025, 11, 5)  # 3 Nov is an INSET day
    assert clocks["first_enquiry"].state == "running"
    assert clocks["reasonable_enquiries"].started_on == D(2025, 10, 24)  # no absence date: referral date
    assert clocks["triage"].state == "met"  # opened straight onto the register
    assert clocks["looked_after_education"].state == "not_applicable"


def test_the_first_enquiry_meets_its_clock(friday_case, officer_a):
    Enquiry.objects.create(case=friday_case, kind="phone", made_on=D(2025, 11, 6), officer=officer_a,
                           outcome="No answer", recorded_by=officer_a)
    first = by_key(case_clocks(case=friday_case, today=D(2025, 11, 10)))["first_enquiry"]
    assert (first.state, first.late, first.stopped_on) == ("met", True, D(2025, 11, 6))


def test_overdue_once_the_due_date_has_passed(friday_case):
    assert by_key(case_clocks(case=friday_case, today=D(2025, 11, 6)))["first_enquiry"].state == "overdue"


def test_a_looked_after_child_gets_the_education_clock(friday_case, officer_a):
    friday_case.child.flags.create(flag="looked_after")
    clock = by_key(case_clocks(case=friday_case, today=D(2025, 11, 4)))["looked_after_education"]
    assert clock.started_on == D(2025, 10, 24) and clock.due_on == D(2025, 12, 1)


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_the_case_page_shows_the_clocks(persona, client_for, friday_case):
    page = client_for(persona).get(f"/cases/{friday_case.pk}").text
    clocks = page.split('id="clocks"')[1].split("</table>")[0]
    assert "First enquiry made" in clocks and "5 November 2025" in clocks
    assert "Reasonable enquiries completed" in clocks


def test_officer_of_another_la_sees_no_clocks(officer_b, client_for, friday_case):
    assert client_for(officer_b).get(f"/cases/{friday_case.pk}").status_code == 404


def test_without_term_dates_the_page_says_school_days_cannot_be_counted(officer_a, client_for, case_a):
    page = client_for(officer_a).get(f"/cases/{case_a.pk}").text
    assert "No term dates are loaded" in page
