"""Determining needs: a key worker or lead professional is allocated; the needs assessment records
what the issue lists; completing it moves the case to needs determined, or, where the LA's settings
ask (CME_NEEDS_APPROVAL), waits for a manager to approve."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cme.cases.models import ApprovalState, NeedsAssessment, Stage
from cme.testing import factories as f

COMPLETE = {
    "education_history": "Year 5 at Northmoor Primary; no school since March",
    "sen_status": "sen_support",
    "sen_detail": "Speech and language support",
    "health": "Asthma",
    "family_circumstances": "Moved twice this year; temporary accommodation",
    "disengagement_reasons": "Anxiety after the moves",
    "parent_preferences": "A school close to the new flat",
    "child_preferences": "Wants to be with her cousin",
    "recommended_provision": "mainstream",
    "provision_detail": "Eastdale Primary has places in year 5",
}


@pytest.fixture
def located(child_a):
    return f.make_case(child_a, stage="located", located_on=timezone.localdate() - timedelta(days=5))


def _refresh(case):
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_allocate_a_key_worker(persona, client_for, located, officer_a):
    client = client_for(persona)
    assert client.get(f"/cases/{located.pk}/key-worker").status_code == 200
    response = client.post(f"/cases/{located.pk}/key-worker", {"officer": str(officer_a.pk), "role": "lead_professional"})
    assert response.status_code == 302
    case = _refresh(located)
    assert case.key_worker == officer_a and case.key_worker_role == "lead_professional"
    assert case.key_worker_since == timezone.localdate()
    assert "Lead professional" in client.get(f"/cases/{case.pk}").text or "lead professional" in client.get(f"/cases/{case.pk}").text


def test_completing_the_assessment_determines_needs(officer_a, client_for, located):
    client = client_for(officer_a)
    client.post(f"/cases/{located.pk}/key-worker", {"officer": str(officer_a.pk), "role": "key_worker"})
    assert client.get(f"/cases/{located.pk}/needs-assessment").status_code == 200
    # A draft first: saved as it is, the case does not move.
    response = client.post(f"/cases/{located.pk}/needs-assessment", {"education_history": "Year 5", "action": "save"})
    assert response.status_code == 302
    assert NeedsAssessment.objects.get().state == ApprovalState.DRAFT
    assert _refresh(located).stage == Stage.LOCATED
    response = client.post(f"/cases/{located.pk}/needs-assessment", {**COMPLETE, "action": "complete"})
    assert response.status_code == 302
    assessment = NeedsAssessment.objects.get()  # the draft became the assessment
    assert assessment.state == ApprovalState.NOT_NEEDED and assessment.assessed_on == timezone.localdate()
    assert assessment.recommended_provision == "mainstream" and assessment.sen_status == "sen_support"
    case = _refresh(located)
    assert case.stage == Stage.NEEDS_DETERMINED and case.assessed_on == timezone.localdate()
    page = client.get(f"/cases/{case.pk}").text
    assert "Mainstream school" in page


def test_an_incomplete_assessment_names_every_missing_section(officer_a, client_for, located):
    response = client_for(officer_a).post(f"/cases/{located.pk}/needs-assessment", {"action": "complete"})
    for message in ("Enter the child’s education history and gaps", "Choose the recommended form of provision",
                    "Enter the reasons the child disengaged from education",
                    "Allocate a key worker or lead professional before completing the assessment"):
        assert message.replace("’", "&#8217;") in response.text or message in response.text
    assert not NeedsAssessment.objects.exists()
    assert _refresh(located).stage == Stage.LOCATED


def test_needs_cannot_be_assessed_before_the_child_is_located(officer_a, client_for, case_a):
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/needs-assessment", {**COMPLETE, "action": "save"})
    assert "Record where the child was found before assessing needs" in response.text
    assert not NeedsAssessment.objects.exists()


def test_where_the_la_asks_a_manager_approves(settings, officer_a, manager_a, client_for, located):
    settings.CME_NEEDS_APPROVAL = True
    officer = client_for(officer_a)
    officer.post(f"/cases/{located.pk}/key-worker", {"officer": str(officer_a.pk), "role": "key_worker"})
    officer.post(f"/cases/{located.pk}/needs-assessment", {**COMPLETE, "action": "complete"})
    assessment = NeedsAssessment.objects.get()
    assert assessment.state == ApprovalState.AWAITING
    assert _refresh(located).stage == Stage.LOCATED
    # An officer cannot approve.
    assert officer.get(f"/cases/{located.pk}/needs-assessment/{assessment.pk}/decision").status_code == 403
    manager = client_for(manager_a)
    assert "Approve the needs assessment" in manager.get(f"/cases/{located.pk}").text
    assert manager.get(f"/cases/{located.pk}/needs-assessment/{assessment.pk}/decision").status_code == 200
    # Returning needs a note.
    response = manager.post(f"/cases/{located.pk}/needs-assessment/{assessment.pk}/decision", {"decision": "return"})
    assert "Enter what needs to change" in response.text
    response = manager.post(f"/cases/{located.pk}/needs-assessment/{assessment.pk}/decision", {"decision": "approve"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.state == ApprovalState.APPROVED and assessment.decided_by == manager_a
    assert _refresh(located).stage == Stage.NEEDS_DETERMINED
    assert "Needs assessment approved" in manager.get(f"/cases/{located.pk}").text


def test_a_returned_assessment_goes_back_to_the_officer(settings, officer_a, manager_a, client_for, located):
    settings.CME_NEEDS_APPROVAL = True
    officer = client_for(officer_a)
    officer.post(f"/cases/{located.pk}/key-worker", {"officer": str(officer_a.pk), "role": "key_worker"})
    officer.post(f"/cases/{located.pk}/needs-assessment", {**COMPLETE, "action": "complete"})
    assessment = NeedsAssessment.objects.get()
    client_for(manager_a).post(f"/cases/{located.pk}/needs-assessment/{assessment.pk}/decision",
                               {"decision": "return", "note": "Ask the child about her preferences again"})
    assessment.refresh_from_db()
    assert assessment.state == ApprovalState.RETURNED
    page = officer.get(f"/cases/{located.pk}/needs-assessment").text
    assert "Ask the child about her preferences again" in page
    assert _refresh(located).stage == Stage.LOCATED


def test_officer_of_la_b_gets_404(officer_b, client_for, located):
    client = client_for(officer_b)
    for path in ("key-worker", "needs-assessment"):
        assert client.get(f"/cases/{located.pk}/{path}").status_code == 404
        assert client.post(f"/cases/{located.pk}/{path}", {}).status_code == 404


def test_an_officer_of_la_b_cannot_be_key_worker(officer_a, officer_b, client_for, located):
    response = client_for(officer_a).post(f"/cases/{located.pk}/key-worker",
                                          {"officer": str(officer_b.pk), "role": "key_worker"})
    assert "Choose an officer from the list" in response.text
    assert _refresh(located).key_worker is None


@pytest.mark.parametrize("outsider", ["school_user_a", "partner_a"])
def test_schools_and_partners_are_refused(request, outsider, client_for, located):
    client = client_for(request.getfixturevalue(outsider))
    for path in ("key-worker", "needs-assessment"):
        assert client.get(f"/cases/{located.pk}/{path}").status_code in (403, 404)
