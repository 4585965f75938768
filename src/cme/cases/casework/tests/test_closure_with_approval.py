"""Closure: only with an outcome; where the LA asks (CME_CLOSURE_APPROVAL) an officer's closure
waits for a manager; a closed case can be reopened with a reason; all of it on the timeline."""

import pytest

from cme.cases.models import ClosureRequest, ClosureState, Outcome, Stage


def _refresh(case):
    case.refresh_from_db()
    return case


def test_the_outcomes_are_those_the_issue_lists():
    for label in ("Back in school", "In alternative provision", "Suitable home education",
                  "Moved to another LA and accepted there", "Left the country",
                  "Reached the end of compulsory school age", "Other"):
        assert label in Outcome.labels


def test_closing_without_an_outcome_is_refused_and_nothing_changes(officer_a, client_for, case_a):
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/close", {"detail": "Back at school"})
    assert "Choose the outcome before closing the case" in response.text
    case = _refresh(case_a)
    assert case.is_open and case.outcome == "" and case.closed_on is None


def test_without_approval_an_officer_closes_and_reopens(officer_a, client_for, case_a):
    client = client_for(officer_a)
    assert client.post(f"/cases/{case_a.pk}/close", {"outcome": "back_in_school"}).status_code == 302
    assert _refresh(case_a).stage == Stage.CLOSED
    response = client.post(f"/cases/{case_a.pk}/reopen", {"reason": ""})
    assert "Enter why the case is being reopened" in response.text
    assert _refresh(case_a).stage == Stage.CLOSED
    assert client.post(f"/cases/{case_a.pk}/reopen", {"reason": "Stopped attending again"}).status_code == 302
    case = _refresh(case_a)
    assert case.is_open and case.outcome == ""
    page = client.get(f"/cases/{case.pk}").text
    assert "Moved to closed" in page and "Outcome: Back in school" in page
    assert "Stopped attending again" in page


def test_with_approval_an_officers_closure_waits_for_a_manager(settings, officer_a, manager_a, client_for, case_a):
    settings.CME_CLOSURE_APPROVAL = True
    officer = client_for(officer_a)
    response = officer.post(f"/cases/{case_a.pk}/close", {"outcome": "home_education", "detail": "EHE since May"})
    assert response.status_code == 302
    assert "Sent to a manager for approval" in officer.get(response.url).text
    assert _refresh(case_a).is_open
    request = ClosureRequest.objects.get()
    assert (request.outcome, request.requested_by, request.state) == ("home_education", officer_a, ClosureState.AWAITING)
    # A second request while one waits is refused.
    again = officer.post(f"/cases/{case_a.pk}/close", {"outcome": "home_education"})
    assert "already waiting for a manager" in again.text
    # Only a manager decides.
    assert officer.get(f"/cases/{case_a.pk}/closure/{request.pk}/decision").status_code == 403
    manager = client_for(manager_a)
    assert "Closing this case is waiting for a manager" in manager.get(f"/cases/{case_a.pk}").text
    response = manager.post(f"/cases/{case_a.pk}/closure/{request.pk}/decision", {"decision": "approve"})
    assert response.status_code == 302
    case = _refresh(case_a)
    assert case.stage == Stage.CLOSED and case.outcome == "home_education" and case.outcome_detail == "EHE since May"
    page = manager.get(f"/cases/{case.pk}").text
    assert "Closure sent for a manager" in page and "Closure approved" in page


def test_a_manager_refuses_a_closure_with_a_reason(settings, officer_a, manager_a, client_for, case_a):
    settings.CME_CLOSURE_APPROVAL = True
    client_for(officer_a).post(f"/cases/{case_a.pk}/close", {"outcome": "other"})
    request = ClosureRequest.objects.get()
    manager = client_for(manager_a)
    response = manager.post(f"/cases/{case_a.pk}/closure/{request.pk}/decision", {"decision": "return"})
    assert "Enter why the case should stay open" in response.text
    manager.post(f"/cases/{case_a.pk}/closure/{request.pk}/decision",
                 {"decision": "return", "note": "No evidence the child is in school"})
    request.refresh_from_db()
    assert request.state == ClosureState.REFUSED
    assert _refresh(case_a).is_open


def test_with_approval_a_manager_closes_directly(settings, manager_a, client_for, case_a):
    settings.CME_CLOSURE_APPROVAL = True
    assert client_for(manager_a).post(f"/cases/{case_a.pk}/close", {"outcome": "end_of_csa"}).status_code == 302
    assert _refresh(case_a).stage == Stage.CLOSED


def test_officer_of_la_b_gets_404_on_a_closure_decision(settings, officer_a, officer_b, client_for, case_a):
    settings.CME_CLOSURE_APPROVAL = True
    client_for(officer_a).post(f"/cases/{case_a.pk}/close", {"outcome": "other"})
    request = ClosureRequest.objects.get()
    client = client_for(officer_b)
    assert client.get(f"/cases/{case_a.pk}/closure/{request.pk}/decision").status_code == 404
    assert client.post(f"/cases/{case_a.pk}/closure/{request.pk}/decision", {"decision": "approve"}).status_code == 404
    assert _refresh(case_a).is_open


@pytest.mark.parametrize("outsider", ["school_user_a", "partner_a"])
def test_schools_and_partners_cannot_close(request, outsider, client_for, case_a):
    client = client_for(request.getfixturevalue(outsider))
    assert client.post(f"/cases/{case_a.pk}/close", {"outcome": "other"}).status_code in (403, 404)
    assert _refresh(case_a).is_open
