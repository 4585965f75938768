"""Vulnerable children (looked after, child protection, child in need, EHCP) are screened with the
stricter thresholds of the rules file: 5 days of continuous absence, not 10."""

import datetime as dt

import pytest

from cme.intake.models import ScreeningFinding
from cme.intake.screening_service import screening_run
from cme.intake.tests.screening_builders import absent_days, last_day, store_register, weeks
from cme.people.models import Vulnerability, VulnerabilityFlag
from cme.testing import factories as f

pytestmark = pytest.mark.django_db

FIVE_DAYS = weeks(6) + absent_days(5)


def _child(la, school, flag=None, **flag_fields):
    child = f.make_child(la, upn=f.make_upn("901"))
    if flag:
        VulnerabilityFlag.objects.create(child=child, flag=flag, **flag_fields)
    store_register(child, school, FIVE_DAYS)
    return child


def test_a_looked_after_child_fires_at_five_days_and_another_child_does_not(la_a, school_a):
    looked_after = _child(la_a, school_a, Vulnerability.LOOKED_AFTER)
    other = _child(la_a, school_a)

    screening_run(la_id=la_a.pk, as_of=last_day(FIVE_DAYS))

    finding = ScreeningFinding.objects.get(child=looked_after, rule="continuous_absence_10")
    assert finding.stricter and finding.evidence["school_days"] == 5
    assert "stricter thresholds for vulnerable children" in finding.referral.concerns
    assert not ScreeningFinding.objects.filter(child=other, rule="continuous_absence_10").exists()


@pytest.mark.parametrize("flag", [Vulnerability.CHILD_PROTECTION, Vulnerability.CHILD_IN_NEED,
                                  Vulnerability.SEN_EHCP])
def test_each_stricter_group_fires_at_five_days(la_a, school_a, flag):
    child = _child(la_a, school_a, flag)
    screening_run(la_id=la_a.pk, as_of=last_day(FIVE_DAYS))
    assert ScreeningFinding.objects.filter(child=child, rule="continuous_absence_10").exists()


def test_a_flag_that_has_ended_or_another_group_does_not_make_it_stricter(la_a, school_a):
    ended = _child(la_a, school_a, Vulnerability.LOOKED_AFTER, ended_on=dt.date(2025, 9, 30))
    young_carer = _child(la_a, school_a, Vulnerability.YOUNG_CARER)

    screening_run(la_id=la_a.pk, as_of=last_day(FIVE_DAYS))

    assert not ScreeningFinding.objects.filter(child__in=[ended, young_carer],
                                               rule="continuous_absence_10").exists()
