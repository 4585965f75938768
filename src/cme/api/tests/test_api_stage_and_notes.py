"""Moving a case's stage and adding a note through the API, as the case page does."""

import pytest

from cme.cases.models import CaseNote, Stage, StageChange


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_move_a_case_forward_and_the_move_is_recorded(persona, api_for, case_a):
    response = api_for(persona).post_json(f"/api/v1/cases/{case_a.pk}/stage", {"to_stage": "locating", "note": "Visit booked"})
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "locating"
    # Nothing says where the child is yet, so "located" is not a move the case may make.
    assert "located" not in response.json()["allowed_moves"]
    change = StageChange.objects.get(case=case_a, to_stage=Stage.LOCATING)
    assert change.changed_by == persona and change.note == "Visit booked"


def test_a_move_past_a_missing_step_is_refused_with_what_is_missing(officer_a, api_for, case_a):
    response = api_for(officer_a).post_json(f"/api/v1/cases/{case_a.pk}/stage", {"to_stage": "in_provision"})
    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert "record where the child is" in message and "complete the needs assessment" in message
    case_a.refresh_from_db()
    assert case_a.stage == Stage.LOGGED and case_a.moved_into_provision_on is None


def test_a_manager_may_override_with_a_reason_an_officer_may_not(officer_a, manager_a, api_for, case_a):
    body = {"to_stage": "located", "override_reason": "Seen by the social worker at home"}
    assert api_for(officer_a).post_json(f"/api/v1/cases/{case_a.pk}/stage", body).status_code == 422
    response = api_for(manager_a).post_json(f"/api/v1/cases/{case_a.pk}/stage", body)
    assert response.status_code == 200, response.content
    change = StageChange.objects.get(case=case_a, to_stage=Stage.LOCATED)
    assert "override" in change.note and "Seen by the social worker" in change.note


def test_an_impossible_move_is_422_naming_the_field_and_changes_nothing(officer_a, api_for, case_a):
    response = api_for(officer_a).post_json(f"/api/v1/cases/{case_a.pk}/stage", {"to_stage": "received"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "to_stage"
    case_a.refresh_from_db()
    assert case_a.stage == Stage.LOGGED


def test_closing_by_stage_move_is_refused(officer_a, api_for, case_a):
    response = api_for(officer_a).post_json(f"/api/v1/cases/{case_a.pk}/stage", {"to_stage": "closed"})
    assert response.status_code == 422


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_add_a_note(persona, api_for, case_a):
    response = api_for(persona).post_json(f"/api/v1/cases/{case_a.pk}/notes", {"text": "Called the school"})
    assert response.status_code == 201, response.content
    assert CaseNote.objects.get(case=case_a).text == "Called the school"


def test_an_empty_note_is_422_and_nothing_is_saved(officer_a, api_for, case_a):
    response = api_for(officer_a).post_json(f"/api/v1/cases/{case_a.pk}/notes", {"text": "  "})
    assert response.status_code == 422
    assert not CaseNote.objects.exists()


def test_officer_of_another_la_gets_404_and_changes_nothing(officer_b, api_for, case_a):
    client = api_for(officer_b)
    assert client.post_json(f"/api/v1/cases/{case_a.pk}/stage", {"to_stage": "located"}).status_code == 404
    assert client.post_json(f"/api/v1/cases/{case_a.pk}/notes", {"text": "x"}).status_code == 404
    case_a.refresh_from_db()
    assert case_a.stage == Stage.LOGGED and not CaseNote.objects.exists()


def test_a_role_that_does_not_work_cases_gets_403(la_a, api_for, case_a):
    from cme.accounts.models import Role
    from cme.testing import factories as f

    admissions = f.make_user(la_a, Role.ADMISSIONS)
    assert api_for(admissions).post_json(f"/api/v1/cases/{case_a.pk}/notes", {"text": "x"}).status_code == 403
