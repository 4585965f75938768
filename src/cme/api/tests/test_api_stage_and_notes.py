"""Moving a case's stage and adding a note through the API, as the case page does."""

import pytest

from cme.cases.models import CaseNote, Stage, StageChange


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_move_a_case_forward_and_the_move_is_recorded(persona, api_for, case_a):
    response = api_for(persona).post_json(f"/api/v1/cases/{case_a.pk}/stage", {"to_stage": "located", "note": "Found"})
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "located"
    assert "locating" in response.json()["allowed_moves"]
    change = StageChange.objects.get(case=case_a, to_stage=Stage.LOCATED)
    assert change.changed_by == persona and change.note == "Found"


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
