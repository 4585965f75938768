"""A child absent for 10 school days in a row is referred as at risk, once, with the evidence."""

import pytest

from cme.audit.models import AuditEvent
from cme.intake.models import Channel, Referral, ReferralStatus, ScreeningFinding
from cme.intake.screening_service import screening_run
from cme.intake.tests.screening_builders import (
    absent_days,
    last_day,
    open_findings,
    store_register,
    weeks,
)
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def absent_child(la_a, school_a):
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley", upn=f.make_upn("901"))
    sessions = weeks(6) + absent_days(10)
    store_register(child, school_a, sessions)
    return child, last_day(sessions)


def test_ten_days_absent_opens_one_at_risk_referral_with_the_evidence(absent_child, la_a, school_a):
    child, as_of = absent_child

    screening_run(la_id=la_a.pk, as_of=as_of)

    finding = ScreeningFinding.objects.get(child=child, rule="continuous_absence_10")
    assert finding.provider == school_a
    assert finding.evidence == {"school_days": 10, "from": "2025-10-13", "to": "2025-10-24"}
    assert finding.first_found_on == finding.last_found_on == as_of
    assert finding.cleared_on is None and not finding.stricter
    referral = finding.referral
    assert referral.channel == Channel.SCREENING
    assert referral.get_channel_display() == "Attendance screening"
    assert referral.status == ReferralStatus.AWAITING_TRIAGE
    assert (referral.child_forename, referral.child_surname, referral.child_upn) == ("Ruby", "Hartley", child.upn)
    assert referral.last_known_school == school_a.name
    assert ("10 school days absent (G, N, O: unauthorised absence) from 13 October 2025 to 24 October 2025"
            in referral.concerns)
    assert "Continuous absence (10 school days)" in referral.concerns
    assert "SR " not in referral.concerns and "unverified" not in referral.concerns
    # One referral for this rule; the child's other rules (persistent absence) have their own.
    assert Referral.objects.filter(screening_findings__rule="continuous_absence_10").count() == 1
    assert not ScreeningFinding.objects.filter(child=child, rule="continuous_absence_20").exists()
    event = AuditEvent.objects.filter(object_type="screening").latest("id")
    assert finding.pk in event.detail["opened"]


def test_running_again_for_the_same_date_opens_nothing_new(absent_child, la_a):
    _child, as_of = absent_child
    screening_run(la_id=la_a.pk, as_of=as_of)
    findings, referrals = ScreeningFinding.objects.count(), Referral.objects.count()

    run = screening_run(la_id=la_a.pk, as_of=as_of)

    assert (ScreeningFinding.objects.count(), Referral.objects.count()) == (findings, referrals)
    assert run.findings_opened == run.referrals_opened == run.findings_cleared == 0
    assert run.findings_still_open == findings


def test_a_pattern_still_found_next_day_moves_on_and_opens_nothing(absent_child, la_a, school_a):
    child, as_of = absent_child
    screening_run(la_id=la_a.pk, as_of=as_of)
    sessions = weeks(6) + absent_days(11)
    store_register(child, school_a, sessions, enrolment=child.enrolments.get())
    later = last_day(sessions)

    screening_run(la_id=la_a.pk, as_of=later)

    finding = open_findings(child=child, rule="continuous_absence_10").get()
    assert (finding.first_found_on, finding.last_found_on) == (as_of, later)
    assert finding.evidence["school_days"] == 11
    assert Referral.objects.filter(screening_findings__rule="continuous_absence_10").count() == 1


def test_a_child_of_another_authority_is_not_referred_to_this_one(la_a, la_b, school_b):
    child = f.make_child(la_b, upn=f.make_upn("907", estab="4001"))
    sessions = weeks(6) + absent_days(10)
    store_register(child, school_b, sessions)

    screening_run(la_id=la_a.pk, as_of=last_day(sessions))

    assert not ScreeningFinding.objects.filter(child__isnull=False).exists()
    assert not Referral.objects.exists()


def test_persistent_absence_is_listed_but_opens_no_referral_by_default(absent_child, la_a):
    child, as_of = absent_child
    screening_run(la_id=la_a.pk, as_of=as_of)
    persistent = ScreeningFinding.objects.get(child=child, rule="persistent_absence")
    assert persistent.referral is None  # on the at-risk page, not in the CME referral queue
    assert ScreeningFinding.objects.get(child=child, rule="continuous_absence_10").referral is not None


def test_an_la_may_have_persistent_absence_open_referrals_too(absent_child, la_a):
    from cme.attendance import screening

    child, as_of = absent_child
    text = screening.DEFAULT_RULES.read_text(encoding="utf-8").replace(
        "[rules.persistent_absence]\nopens_referral = false", "[rules.persistent_absence]\nopens_referral = true")
    screening_run(la_id=la_a.pk, as_of=as_of, rules=screening.parse_rules(text))
    assert ScreeningFinding.objects.get(child=child, rule="persistent_absence").referral is not None


def test_at_risk_list_puts_the_gravest_patterns_first(absent_child, la_a, officer_a):
    from cme.attendance.screening import RULE_NAMES
    from cme.intake.screening_selectors import RULE_GRAVITY, AtRiskFilters, at_risk_list

    _child, as_of = absent_child
    screening_run(la_id=la_a.pk, as_of=as_of)
    assert set(RULE_GRAVITY) == set(RULE_NAMES)
    rows, _total = at_risk_list(user=officer_a, filters=AtRiskFilters())
    rules = [row.rule for row in rows]
    assert rules == sorted(rules, key=RULE_GRAVITY.index)
    assert rules[0] == "continuous_absence_10" and rules[-1] == "persistent_absence"


def test_a_child_on_whom_several_rules_fire_gets_one_referral_holding_them_all(la_a, school_a):
    # 20 days absent: the 10- and 20-day runs and severe absence fire together.
    child = f.make_child(la_a, legal_forename="Chloe", legal_surname="Wójcik", upn=f.make_upn("901"))
    sessions = weeks(6) + absent_days(20)
    store_register(child, school_a, sessions)

    screening_run(la_id=la_a.pk, as_of=last_day(sessions))

    findings = ScreeningFinding.objects.filter(child=child)
    rules = {x.rule for x in findings}
    assert {"continuous_absence_10", "continuous_absence_20", "severe_absence"} <= rules
    referrals = Referral.objects.filter(child_surname="Wójcik")
    assert referrals.count() == 1
    referral = referrals.get()
    # The findings page keeps one row per rule, each pointing at the one referral.
    assert {x.referral_id for x in findings if x.rule != "persistent_absence"} == {referral.pk}
    for label in ("Continuous absence (10 school days)", "Continuous absence (20 school days)", "Severe absence"):
        assert label in referral.concerns, label


@pytest.mark.parametrize("born, why", [
    ("2022-09-01", "three years old: below compulsory school age"),
    ("2008-09-20", "seventeen: above compulsory school age"),
])
def test_a_child_below_or_above_compulsory_school_age_is_not_referred(la_a, school_a, born, why):
    import datetime as dt

    child = f.make_child(la_a, legal_forename="Ada", legal_surname="Young", upn=f.make_upn("901"),
                         date_of_birth=dt.date.fromisoformat(born))
    sessions = weeks(6) + absent_days(20)
    store_register(child, school_a, sessions)

    screening_run(la_id=la_a.pk, as_of=last_day(sessions))

    assert not Referral.objects.filter(child_surname="Young").exists(), why
    assert not ScreeningFinding.objects.filter(child=child).exists(), why
