"""POST /api/v1/referrals/{reference}/triage: the triage page's decision through the API, by the
same service. Officers and managers of LA A triage; the officer of LA B gets 404; a role that
does not work cases gets 403; refused input names the field and changes nothing."""

import pytest

from cme.audit.models import AuditEvent
from cme.cases.models import Case
from cme.intake.models import Referral, ReferralStatus
from cme.testing import factories as f


def url(referral):
    return f"/api/v1/referrals/{referral.reference}/triage"


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_open_a_case_for_a_new_child(persona, referral_a, api_for):
    response = api_for(persona).post_json(url(referral_a), {
        "decision": "new_child", "category": "missing", "reason": "moved_unknown",
        "corrections": {"surname": "Marsh-Okafor"},
    })
    assert response.status_code == 200, response.content
    data = response.json()
    case = Case.objects.get(pk=data["case"]["id"])
    assert data["case"]["reference"] == case.reference
    assert data["referral"]["status"] == ReferralStatus.CASE_OPENED
    assert case.child.legal_surname == "Marsh-Okafor"
    referral_a.refresh_from_db()
    assert referral_a.triaged_by == persona and referral_a.child_surname == "Marsh-Okafor"
    assert AuditEvent.objects.filter(object_type="referral", object_id=referral_a.reference,
                                     summary__startswith="Triaged", via="api").exists()


def test_referral_for_a_child_on_the_register_joins_the_open_case(officer_a, case_a, la_a, api_for):
    referral = f.make_referral(la_a, child_forename=case_a.child.legal_forename)
    response = api_for(officer_a).post_json(url(referral), {
        "decision": "existing_child", "child_id": case_a.child_id, "category": "missing", "reason": "other",
    })
    assert response.status_code == 200, response.content
    assert response.json()["case"]["id"] == case_a.pk
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ADDED_TO_CASE


def test_closing_as_not_cme_needs_a_reason_and_then_closes(officer_a, referral_a, api_for):
    refused = api_for(officer_a).post_json(url(referral_a), {"decision": "not_cme"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "not_cme_reason"]
    assert Referral.objects.get(pk=referral_a.pk).status == ReferralStatus.AWAITING_TRIAGE
    done = api_for(officer_a).post_json(url(referral_a), {"decision": "not_cme", "not_cme_reason": "On roll elsewhere"})
    assert done.status_code == 200
    assert done.json()["case"] is None and done.json()["referral"]["status"] == ReferralStatus.NOT_CME


def test_officer_of_la_b_gets_404_and_nothing_changes(officer_b, referral_a, api_for):
    response = api_for(officer_b).post_json(url(referral_a), {
        "decision": "new_child", "category": "missing", "reason": "other"})
    assert response.status_code == 404
    assert Referral.objects.get(pk=referral_a.pk).status == ReferralStatus.AWAITING_TRIAGE
    assert not Case.objects.exists()


def test_a_role_that_does_not_work_cases_gets_403(la_a, referral_a, api_for):
    admissions = f.make_user(la_a, "admissions")
    response = api_for(admissions).post_json(url(referral_a), {
        "decision": "new_child", "category": "missing", "reason": "other"})
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_a_child_of_another_authority_is_refused_naming_child_id(officer_a, referral_a, la_b, api_for):
    other = f.make_child(la_b)
    response = api_for(officer_a).post_json(url(referral_a), {
        "decision": "existing_child", "child_id": other.pk, "category": "missing", "reason": "other"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "child_id"]
    assert not Case.objects.exists()


def test_a_bad_correction_changes_nothing(officer_a, referral_a, api_for):
    response = api_for(officer_a).post_json(url(referral_a), {
        "decision": "new_child", "category": "missing", "reason": "other",
        "corrections": {"upn": "A123"}})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "corrections", "upn"]
    referral_a.refresh_from_db()
    assert referral_a.status == ReferralStatus.AWAITING_TRIAGE and referral_a.child_upn == ""
    assert not Case.objects.exists()


def test_an_already_triaged_referral_is_refused(officer_a, referral_a, api_for):
    api_for(officer_a).post_json(url(referral_a), {"decision": "not_cme", "not_cme_reason": "Known"})
    again = api_for(officer_a).post_json(url(referral_a), {
        "decision": "new_child", "category": "missing", "reason": "other"})
    assert again.status_code == 422
    assert not Case.objects.exists()
