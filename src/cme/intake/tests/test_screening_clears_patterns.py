"""A child whose pattern clears is shown as cleared; the referral stays for the officer."""

import pytest

from cme.intake.models import ReferralStatus, ScreeningFinding
from cme.intake.screening_service import screening_run
from cme.intake.tests.screening_builders import absent_days, last_day, store_register, weeks
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned_child(la_a, school_a):
    """Absent for 10 school days, screened, then back at school for a week and screened again."""
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley", upn=f.make_upn("901"))
    absent = weeks(6) + absent_days(10)
    store_register(child, school_a, absent)
    screening_run(la_id=la_a.pk, as_of=last_day(absent))
    back = absent + weeks(1)
    store_register(child, school_a, back, enrolment=child.enrolments.get())
    run = screening_run(la_id=la_a.pk, as_of=last_day(back))
    return child, last_day(back), run


def test_a_pattern_no_longer_found_is_cleared(returned_child):
    child, as_of, run = returned_child
    finding = ScreeningFinding.objects.get(child=child, rule="continuous_absence_10")
    assert finding.cleared_on == as_of
    assert run.findings_cleared >= 1
    assert finding.referral.status == ReferralStatus.AWAITING_TRIAGE


def test_the_list_shows_a_cleared_pattern_as_cleared(returned_child, client_for, officer_a):
    child, _as_of, _ = returned_child
    client = client_for(officer_a)

    still_found = client.get("/at-risk", {"rule": "continuous_absence_10"})
    cleared = client.get("/at-risk", {"rule": "continuous_absence_10", "status": "cleared"})

    assert child.full_name not in still_found.content.decode()
    page = cleared.content.decode()
    assert child.full_name in page and "Cleared" in page and "2 November 2025" in page


def test_a_pattern_that_comes_back_joins_the_referral_still_waiting(returned_child, la_a, school_a):
    child, _, _ = returned_child
    first = ScreeningFinding.objects.get(child=child, rule="continuous_absence_10")
    again = weeks(6) + absent_days(10) + weeks(1) + absent_days(10)
    store_register(child, school_a, again, enrolment=child.enrolments.get())

    screening_run(la_id=la_a.pk, as_of=last_day(again))

    reopened = ScreeningFinding.objects.get(child=child, rule="continuous_absence_10", cleared_on=None)
    assert reopened.pk != first.pk
    assert reopened.referral == first.referral
