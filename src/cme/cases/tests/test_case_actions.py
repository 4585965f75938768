"""Actions on the case page: move stage, assign, note, close, reopen. Each works for LA A's
staff, is 404 for LA B, explains bad input and then changes nothing."""

import pytest

from cme.accounts.models import Role
from cme.audit.models import AuditEvent
from cme.cases.casework.services import case_close
from cme.cases.models import CaseNote, Stage, StageChange
from cme.testing import factories as f


def _stage(case):
    case.refresh_from_db()
    return case.stage


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_move_a_case_forward(persona, client_for, case_a):
    client = client_for(persona)
    form = client.get(f"/cases/{case_a.pk}/stage")
    assert form.status_code == 200
    assert 'value="locating"' in form.text and 'value="received"' not in form.text
    response = client.post(f"/cases/{case_a.pk}/stage", {"to_stage": "locating", "note": "Visit booked"})
    assert response.status_code == 302 and response.url == f"/cases/{case_a.pk}"
    assert _stage(case_a) == Stage.LOCATING
    change = StageChange.objects.get(case=case_a, to_stage="locating")
    assert change.changed_by == persona and change.note == "Visit booked"
    assert "Stage changed" in client.get(response.url).text


def test_impossible_move_shows_the_services_reason_and_changes_nothing(officer_a, client_for, case_a):
    events = AuditEvent.objects.filter(action="change").count()
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/stage", {"to_stage": "received"})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "A case cannot move back to an earlier stage, except to locating" in response.text
    assert _stage(case_a) == Stage.LOGGED
    assert AuditEvent.objects.filter(action="change").count() == events


def test_a_stage_move_cannot_close_a_case(officer_a, client_for, case_a):
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/stage", {"to_stage": "closed"})
    assert "Close a case with an outcome" in response.text
    assert _stage(case_a) == Stage.LOGGED


def test_a_stage_that_does_not_exist_is_refused(officer_a, client_for, case_a):
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/stage", {"to_stage": "flying"})
    assert "Choose a stage from the list" in response.text
    assert _stage(case_a) == Stage.LOGGED


def test_a_move_dated_in_the_future_is_refused(officer_a, client_for, case_a):
    response = client_for(officer_a).post(
        f"/cases/{case_a.pk}/stage", {"to_stage": "locating", "on-day": "1", "on-month": "1", "on-year": "2999"}
    )
    assert "must be today or in the past" in response.text
    assert _stage(case_a) == Stage.LOGGED


@pytest.mark.parametrize("path", ["stage", "officer", "close", "reopen"])
def test_officer_of_la_b_gets_404_on_every_action(path, officer_b, client_for, case_a):
    client = client_for(officer_b)
    assert client.get(f"/cases/{case_a.pk}/{path}").status_code == 404
    assert client.post(f"/cases/{case_a.pk}/{path}", {"to_stage": "located", "outcome": "other",
                                                      "reason": "x"}).status_code == 404
    assert _stage(case_a) == Stage.LOGGED


def test_officer_of_la_b_cannot_add_a_note(officer_b, client_for, case_a):
    response = client_for(officer_b).post(f"/cases/{case_a.pk}/notes", {"text": "Hello"})
    assert response.status_code == 404
    assert not CaseNote.objects.exists()


def test_school_user_gets_404_on_case_actions(school_user_a, client_for, case_a):
    client = client_for(school_user_a)
    assert client.post(f"/cases/{case_a.pk}/stage", {"to_stage": "located"}).status_code == 404
    assert client.post(f"/cases/{case_a.pk}/notes", {"text": "Hello"}).status_code == 404
    assert _stage(case_a) == Stage.LOGGED


def test_a_role_that_does_not_work_cases_gets_403(la_a, client_for, case_a):
    admissions = f.make_user(la_a, Role.ADMISSIONS, username="adam")
    client = client_for(admissions)
    assert client.post(f"/cases/{case_a.pk}/stage", {"to_stage": "located"}).status_code == 403
    assert client.post(f"/cases/{case_a.pk}/notes", {"text": "Hello"}).status_code == 403
    assert _stage(case_a) == Stage.LOGGED and not CaseNote.objects.exists()


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_note_is_added_and_shown_on_the_timeline(persona, client_for, case_a):
    client = client_for(persona)
    response = client.post(f"/cases/{case_a.pk}/notes", {"text": "Spoke to the school."}, follow=True)
    assert "Note added" in response.text
    assert "Spoke to the school." in response.text
    assert CaseNote.objects.get(case=case_a).author == persona


def test_empty_note_is_refused(officer_a, client_for, case_a):
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/notes", {"text": "  "})
    assert response.status_code == 200 and "Enter the note" in response.text
    assert not CaseNote.objects.exists()


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_assign_the_responsible_officer(persona, manager_a, client_for, case_a):
    response = client_for(persona).post(f"/cases/{case_a.pk}/officer", {"officer": str(manager_a.pk)})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.responsible_officer == manager_a


def test_officer_of_another_la_cannot_be_assigned(officer_a, officer_b, client_for, case_a):
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/officer", {"officer": str(officer_b.pk)})
    assert "Choose an officer from the list" in response.text
    case_a.refresh_from_db()
    assert case_a.responsible_officer == officer_a


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_close_a_case_with_an_outcome(persona, client_for, case_a):
    response = client_for(persona).post(f"/cases/{case_a.pk}/close", {"outcome": "back_in_school", "detail": "Started at Northmoor Primary"})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.stage == Stage.CLOSED and case_a.outcome == "back_in_school" and case_a.closed_on


def test_closing_without_an_outcome_is_refused(officer_a, client_for, case_a):
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/close", {"detail": "Done"})
    assert response.status_code == 200
    assert "Choose the outcome before closing the case" in response.text
    assert 'href="#outcome"' in response.text and 'id="outcome"' in response.text
    assert _stage(case_a) == Stage.LOGGED


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_reopen_a_closed_case_with_a_reason(persona, officer_a, client_for, case_a):
    case_close(actor=officer_a, case=case_a, outcome="back_in_school")
    client = client_for(persona)
    assert "Reopen case" in client.get(f"/cases/{case_a.pk}").text
    response = client.post(f"/cases/{case_a.pk}/reopen", {"reason": "Stopped attending again"})
    assert response.status_code == 302
    assert _stage(case_a) == Stage.LOGGED


def test_reopening_without_a_reason_is_refused(officer_a, client_for, case_a):
    case_close(actor=officer_a, case=case_a, outcome="back_in_school")
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/reopen", {"reason": ""})
    assert "Enter why the case is being reopened" in response.text
    assert _stage(case_a) == Stage.CLOSED


def test_an_open_case_cannot_be_reopened(officer_a, client_for, case_a):
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/reopen", {"reason": "Why not"})
    assert "Only a closed case can be reopened" in response.text
    assert _stage(case_a) == Stage.LOGGED
