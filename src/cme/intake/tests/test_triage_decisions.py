"""Triage: a case for a new child, for a child already on the register, or closed as not CME."""

import pytest
from django.urls import reverse

from cme.audit.models import AuditEvent
from cme.cases.models import Case
from cme.intake.models import ReferralStatus
from cme.intake.services import referral_create
from cme.people.models import Child
from cme.testing import factories as f

from . import forms_data


def triage_data(referral, **overrides) -> dict:
    """The triage form as it first appears for this referral, then the officer's choices."""
    data = forms_data.child(
        child_forename=referral.child_forename,
        child_surname=referral.child_surname,
        **forms_data.date_boxes("child_date_of_birth", referral.child_date_of_birth),
        child_sex=referral.child_sex or "",
        child_upn=referral.child_upn,
        child_address=referral.child_address,
        child_postcode=referral.child_postcode,
        last_known_school=referral.last_known_school,
        concerns=referral.concerns,
    )
    data.update({"action": "decide", **overrides})
    return data


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_officer_opens_a_case_for_a_new_child(persona, client_for, referral_a):
    response = client_for(persona).post(
        reverse("intake:triage", args=[referral_a.reference]),
        triage_data(referral_a, decision="new", category="missing", reason="moved_unknown",
                    responsible_officer=str(persona.pk), reason_detail="Left the address in May"),
    )
    referral_a.refresh_from_db()
    case = Case.objects.get()
    assert referral_a.status == ReferralStatus.CASE_OPENED
    assert referral_a.case == case
    assert referral_a.triaged_by == persona
    assert case.child.full_name == "Leo Marsh"
    assert case.category == "missing"
    assert case.reason == "moved_unknown"
    assert case.reason_detail == "Left the address in May"
    assert case.responsible_officer == persona
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", kwargs={"case_id": case.pk})


def test_the_triaging_officer_is_the_responsible_officer_unless_another_is_chosen(
    client_for, officer_a, manager_a, referral_a
):
    page = client_for(officer_a).get(reverse("intake:triage", args=[referral_a.reference]))
    assert f'<option value="{officer_a.pk}" selected>' in page.content.decode()
    assert f'<option value="{manager_a.pk}">' in page.content.decode()
    client_for(officer_a).post(
        reverse("intake:triage", args=[referral_a.reference]),
        triage_data(referral_a, decision="new", category="at_risk", reason="other",
                    responsible_officer=str(manager_a.pk)),
    )
    assert Case.objects.get().responsible_officer == manager_a


def test_an_officer_of_another_la_cannot_be_made_responsible(client_for, officer_a, officer_b, referral_a):
    response = client_for(officer_a).post(
        reverse("intake:triage", args=[referral_a.reference]),
        triage_data(referral_a, decision="new", category="missing", reason="other",
                    responsible_officer=str(officer_b.pk)),
    )
    assert "Select an officer of this council who works cases" in response.content.decode()
    assert not Case.objects.exists()


def test_officer_sees_a_child_with_the_same_name_and_date_of_birth_and_opens_a_case_for_them(
    client_for, officer_a, la_a, child_a
):
    referral = referral_create(la=la_a, channel="phone", child_forename="Ruby",
                               child_surname="Hartley", child_date_of_birth=child_a.date_of_birth)
    client = client_for(officer_a)
    page = client.get(reverse("intake:triage", args=[referral.reference])).content.decode()
    assert "Ruby Hartley, already on the register" in page
    assert "No open case: a new case will be opened" in page
    assert AuditEvent.objects.filter(actor=officer_a, action="search", object_type="child").exists()

    client.post(
        reverse("intake:triage", args=[referral.reference]),
        triage_data(referral, decision=f"child-{child_a.pk}", category="missing", reason="exclusion"),
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CASE_OPENED
    assert referral.case.child == child_a
    assert Child.objects.count() == 1


def test_a_referral_about_a_child_with_an_open_case_is_added_to_it(
    client_for, officer_a, la_a, child_a, case_a
):
    referral = referral_create(la=la_a, channel="email", child_forename="Ruby",
                               child_surname="Hartley", child_date_of_birth=child_a.date_of_birth)
    client = client_for(officer_a)
    page = client.get(reverse("intake:triage", args=[referral.reference])).content.decode()
    assert f"Has open case {case_a.reference}" in page
    # No category or reason needed: the referral joins the case.
    response = client.post(
        reverse("intake:triage", args=[referral.reference]),
        triage_data(referral, decision=f"child-{child_a.pk}"),
        follow=True,
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ADDED_TO_CASE
    assert referral.case == case_a
    assert Case.objects.count() == 1
    assert f"Referral added to the open case: {case_a.reference}" in response.content.decode()


def test_a_child_found_by_upn_is_offered(client_for, officer_a, la_a):
    upn = f.make_upn("901")
    child = f.make_child(la_a, legal_forename="Amelia", legal_surname="Price", upn=upn)
    referral = referral_create(la=la_a, channel="phone", child_forename="Millie",
                               child_surname="Price", child_upn=upn)
    page = client_for(officer_a).get(reverse("intake:triage", args=[referral.reference])).content.decode()
    assert f'value="child-{child.pk}"' in page
    assert "Amelia Price, already on the register" in page


def test_a_child_of_another_la_is_never_offered_nor_accepted(client_for, officer_a, la_a, la_b):
    other = f.make_child(la_b, legal_forename="Leo", legal_surname="Marsh")
    referral = referral_create(la=la_a, channel="phone", child_forename="Leo",
                               child_surname="Marsh", child_date_of_birth=other.date_of_birth)
    client = client_for(officer_a)
    page = client.get(reverse("intake:triage", args=[referral.reference])).content.decode()
    assert f"child-{other.pk}" not in page
    response = client.post(
        reverse("intake:triage", args=[referral.reference]),
        triage_data(referral, decision=f"child-{other.pk}", category="missing", reason="other"),
    )
    assert "Select what should happen to this referral" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_TRIAGE


def test_officer_closes_a_referral_as_not_cme_with_a_reason(client_for, officer_a, referral_a):
    response = client_for(officer_a).post(
        reverse("intake:triage", args=[referral_a.reference]),
        triage_data(referral_a, decision="not_cme", not_cme_reason="On roll at a school in Leeds"),
        follow=True,
    )
    referral_a.refresh_from_db()
    assert referral_a.status == ReferralStatus.NOT_CME
    assert referral_a.closed_reason == "On roll at a school in Leeds"
    assert referral_a.triaged_by == officer_a
    assert not Case.objects.exists()
    assert "closed as not CME" in response.content.decode()


def test_corrections_made_at_triage_are_kept_and_the_original_is_untouched(
    client_for, officer_a, referral_a
):
    client_for(officer_a).post(
        reverse("intake:triage", args=[referral_a.reference]),
        triage_data(referral_a, child_surname="Marsh-Hill", decision="new", category="missing",
                    reason="other"),
    )
    referral_a.refresh_from_db()
    assert referral_a.child_surname == "Marsh-Hill"
    assert referral_a.as_received["fields"]["child_surname"] == "Marsh"
    assert Case.objects.get().child.legal_surname == "Marsh-Hill"


def test_saving_corrections_checks_the_register_again_without_deciding(
    client_for, officer_a, la_a, child_a
):
    # Nothing like Ruby Hartley as received (matching finds misspellings, so not a misspelling).
    referral = referral_create(la=la_a, channel="phone", child_forename="Zara", child_surname="Quinn")
    client = client_for(officer_a)
    assert "Ruby Hartley, already" not in client.get(
        reverse("intake:triage", args=[referral.reference])).content.decode()
    response = client.post(
        reverse("intake:triage", args=[referral.reference]),
        triage_data(referral, child_forename="Ruby", child_surname="Hartley", action="save",
                    **forms_data.date_boxes("child_date_of_birth", child_a.date_of_birth)),
        follow=True,
    )
    referral.refresh_from_db()
    assert referral.child_forename == "Ruby"
    assert referral.status == ReferralStatus.AWAITING_TRIAGE
    assert "Ruby Hartley, already on the register" in response.content.decode()
