"""Triage: a misspelt referral finds the pupil on roll, with a probability and the evidence field
by field; the officer confirms or rejects; the referral then reads "On roll at X" or "On no roll"
and the case category follows."""

import re
from datetime import date

import pytest
from django.urls import reverse

from cme.audit.models import AuditEvent
from cme.cases.models import Case
from cme.identify.models import MatchDecision
from cme.intake.models import ReferralStatus
from cme.intake.services import referral_create
from cme.intake.tests.test_triage_decisions import triage_data
from cme.matching.tests.rolls import make_rolls
from cme.people.models import Child


@pytest.fixture
def rolls(la_a, school_a):
    return make_rolls(la_a, school_a)


@pytest.fixture
def misspelt(la_a, rolls):
    # "Bill Hartly", day and month swapped: William Hartley born 3 December 2014.
    return referral_create(la=la_a, channel="phone", child_forename="Bill", child_surname="Hartly",
                           child_date_of_birth=date(2014, 3, 12), child_postcode="NM1 2AB")


def triage_url(referral) -> str:
    return reverse("intake:triage", args=[referral.reference])


def decide(client, referral, decision, child=None):
    return client.post(reverse("identify:referral-decide", args=[referral.reference]),
                       {"decision": decision, "child": str(child.pk) if child else ""}, follow=True)


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_a_misspelt_referral_finds_the_pupil_on_roll_with_probability_and_explanation(
    persona, client_for, misspelt, rolls, school_a
):
    page = client_for(persona).get(triage_url(misspelt)).content.decode()
    first = page.index("William Hartley")
    assert first < page.index("Elizabeth Okafor") if "Elizabeth Okafor" in page else True
    assert f"On roll at {school_a.name} ({school_a.laestab})" in page
    probability = re.search(r"(over 99\.9|\d+\.\d)% likely", page)
    assert probability, "the candidate's probability is shown"
    assert "How this match was scored" in page
    for words in ("nickname or another form of the same name", "spelt almost the same",
                  "day and month swapped", "same postcode"):
        assert words in page
    assert "Similar" in page and "Agrees" in page and "Missing" in page


def test_officer_of_another_la_cannot_open_the_triage_nor_decide(client_for, officer_b, misspelt, rolls):
    client = client_for(officer_b)
    assert client.get(triage_url(misspelt)).status_code == 404
    response = client.post(reverse("identify:referral-decide", args=[misspelt.reference]),
                           {"decision": "confirmed", "child": str(rolls["william"].pk)})
    assert response.status_code == 404
    assert not MatchDecision.objects.exists()


def test_confirming_the_pupil_shows_on_roll_and_the_case_is_at_risk(
    client_for, officer_a, misspelt, rolls, school_a
):
    client = client_for(officer_a)
    page = decide(client, misspelt, "confirmed", rolls["william"]).content.decode()
    assert f"<strong>On roll at {school_a.name}</strong>" in page
    assert "whether the child is at risk" in page
    assert re.search(r'value="at_risk" checked', page)
    decision = MatchDecision.objects.get()
    assert decision.decision == "confirmed" and decision.child == rolls["william"]
    assert decision.probability > 0.5 and decision.explanation and decision.placement == "on_roll"
    assert decision.decided_by == officer_a

    # The officer opens the case for the confirmed child; the category follows the roll.
    client.post(triage_url(misspelt), triage_data(misspelt, decision=f"child-{rolls['william'].pk}",
                                                   reason="other"))
    misspelt.refresh_from_db()
    assert misspelt.status == ReferralStatus.CASE_OPENED
    case = Case.objects.get()
    assert case.child == rolls["william"] and case.category == "at_risk"
    assert Child.objects.filter(legal_surname="Hartly").count() == 0  # nothing new, nothing merged


def test_rejecting_the_candidate_leaves_the_referral_unmatched(client_for, officer_a, misspelt, rolls):
    client = client_for(officer_a)
    page = decide(client, misspelt, "rejected", rolls["william"]).content.decode()
    assert "Not the child" in page
    assert 'id="identified"' not in page  # neither "On roll at" nor "On no roll"
    assert MatchDecision.objects.get().decision == "rejected"
    misspelt.refresh_from_db()
    assert misspelt.status == ReferralStatus.AWAITING_TRIAGE and misspelt.case is None


def test_a_referral_like_no_child_is_on_no_roll_and_missing(client_for, officer_a, la_a, rolls):
    referral = referral_create(la=la_a, channel="phone", child_forename="Zebedee", child_surname="Quartermaine",
                               child_date_of_birth=date(2015, 6, 30))
    page = client_for(officer_a).get(triage_url(referral)).content.decode()
    assert "<strong>On no roll</strong>" in page
    assert re.search(r'value="missing" checked', page)


def test_the_officer_can_say_none_of_the_candidates_is_the_child(client_for, officer_a, misspelt, rolls):
    client = client_for(officer_a)
    page = decide(client, misspelt, "none").content.decode()
    assert "<strong>On no roll</strong>" in page
    client.post(triage_url(misspelt), triage_data(misspelt, decision="new", reason="other"))
    assert Case.objects.get().category == "missing"


def test_a_child_on_the_home_education_list_is_said_to_be(client_for, officer_a, la_a, rolls):
    referral = referral_create(la=la_a, channel="phone", child_forename="Beth", child_surname="Okafor",
                               child_date_of_birth=date(2013, 7, 1))
    client = client_for(officer_a)
    assert "On the home-education list" in client.get(triage_url(referral)).content.decode()
    page = decide(client, referral, "confirmed", rolls["elizabeth"]).content.decode()
    assert "<strong>Educated at home" in page


def test_a_child_only_on_the_register_is_on_no_roll_once_confirmed(client_for, officer_a, la_a, rolls):
    referral = referral_create(la=la_a, channel="phone", child_forename="Grace", child_surname="Penrose",
                               child_date_of_birth=date(2012, 2, 2))
    client = client_for(officer_a)
    assert "Only on the register: on no roll" in client.get(triage_url(referral)).content.decode()
    page = decide(client, referral, "confirmed", rolls["grace"]).content.decode()
    assert "<strong>On no roll</strong>" in page


def test_decisions_are_audited(client_for, officer_a, misspelt, rolls):
    client = client_for(officer_a)
    client.get(triage_url(misspelt))
    assert AuditEvent.objects.filter(actor=officer_a, action="search", object_type="child",
                                     detail__referral=misspelt.reference).exists()
    decide(client, misspelt, "rejected", rolls["william"])
    decide(client, misspelt, "confirmed", rolls["william"])
    events = AuditEvent.objects.filter(actor=officer_a, action="change", object_type="referral",
                                       object_id=misspelt.reference).order_by("id")
    assert [e.detail["decision"] for e in events] == ["rejected", "confirmed"]
    assert all(e.child_id == rolls["william"].pk for e in events)


def test_a_child_not_offered_cannot_be_confirmed(client_for, officer_a, misspelt, la_b):
    from cme.testing import factories as f

    stranger = f.make_child(la_b, legal_forename="William", legal_surname="Hartley", date_of_birth=date(2014, 12, 3))
    page = decide(client_for(officer_a), misspelt, "confirmed", stranger).content.decode()
    assert "Choose one of the children found" in page
    assert not MatchDecision.objects.exists()


def test_school_and_partner_users_cannot_decide(client_for, school_user_a, partner_a, misspelt, rolls):
    for user in (school_user_a, partner_a):
        response = client_for(user).post(reverse("identify:referral-decide", args=[misspelt.reference]),
                                         {"decision": "confirmed", "child": str(rolls["william"].pk)})
        assert response.status_code == 403
    assert not MatchDecision.objects.exists()


def test_the_referral_page_says_on_roll_at_x_after_the_decision(client_for, officer_a, misspelt, rolls, school_a):
    client = client_for(officer_a)
    detail = reverse("intake:detail", args=[misspelt.reference])
    assert "On a roll?" not in client.get(detail).content.decode()  # nobody has decided yet
    decide(client, misspelt, "confirmed", rolls["william"])
    assert f"On roll at {school_a.name}" in client.get(detail).content.decode()
    decide(client, misspelt, "none")
    assert "On no roll" in client.get(detail).content.decode()
