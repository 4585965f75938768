"""Case work in the API: clocks in GET /cases/{id}; escalations, tasks, reassignment and my work,
with the three personas; bad input refused with the field named and nothing changed."""

import datetime as dt

import pytest
from django.core import mail

from cme.audit.models import AuditEvent
from cme.cases.models import Escalation, StageChange, Task
from cme.cases.queues.tests.test_case_clocks import term_dates  # noqa: F401 - a fixture
from cme.testing import factories as f
from cme.testing.tasks import run_queued_tasks

D = dt.date


@pytest.fixture
def friday_case(term_dates, child_a, officer_a):  # noqa: F811
    case = f.make_case(child_a, responsible_officer=officer_a, referred_on=D(2025, 10, 24))
    StageChange.objects.create(case=case, from_stage="", to_stage="logged")
    StageChange.objects.filter(case=case).update(changed_at=dt.datetime(2025, 10, 24, 10, tzinfo=dt.UTC))
    return case


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_the_case_has_its_clocks(persona, api_for, friday_case):
    data = api_for(persona).get(f"/api/v1/cases/{friday_case.pk}").json()
    first = next(c for c in data["clocks"] if c["key"] == "first_enquiry")
    assert {k: first[k] for k in ("name", "started_on", "due_on")} == {
        "name": "First enquiry made", "started_on": "2025-10-24", "due_on": "2025-11-05"}
    assert first["state"] in {"running", "overdue"}
    assert {c["state"] for c in data["clocks"]} <= {"running", "met", "overdue", "not_applicable"}


def test_officer_of_la_b_reaches_none_of_it(officer_b, api_for, case_a, officer_a):
    client = api_for(officer_b)
    task = Task.objects.create(case=case_a, title="Visit", assigned_to=officer_a)
    assert client.get(f"/api/v1/cases/{case_a.pk}").status_code == 404
    assert client.get(f"/api/v1/cases/{case_a.pk}/escalations").status_code == 404
    assert client.post_json(f"/api/v1/cases/{case_a.pk}/escalations", {"detail": "x"}).status_code == 404
    assert client.get(f"/api/v1/cases/{case_a.pk}/tasks").status_code == 404
    assert client.post_json(f"/api/v1/cases/{case_a.pk}/tasks", {"title": "x"}).status_code == 404
    assert client.post(f"/api/v1/tasks/{task.pk}/done").status_code == 404
    assert client.post_json(f"/api/v1/cases/{case_a.pk}/reassign", {"officer": officer_b.pk}).status_code == 404
    assert client.post_json(f"/api/v1/officers/{officer_a.pk}/reassign", {"to_officer": officer_b.pk}).status_code == 404
    assert client.get("/api/v1/work/mine").json() == {"tasks": [], "cases": []}
    assert not Escalation.objects.exists() and Task.objects.get().done_at is None


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_record_harm_and_read_the_escalation(persona, api_for, case_a, settings, django_capture_on_commit_callbacks):
    settings.CME_ESCALATION_EMAILS = {"*": {"police": ["duty@police.example"]}}
    client = api_for(persona)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post_json(f"/api/v1/cases/{case_a.pk}/escalations", {"detail": "Threats at home"})
    assert response.status_code == 201, response.content
    assert response.json()["delivery_state"] == "queued"
    run_queued_tasks()
    body = response.json()
    assert body["reason"] == "significant_harm" and body["recipients"][0]["email"] == "duty@police.example"
    assert body["detail"] == "Threats at home" and "Threats" not in body["body"]
    assert mail.outbox[0].to == ["duty@police.example"]
    [listed] = client.get(f"/api/v1/cases/{case_a.pk}/escalations").json()
    assert listed["id"] == body["id"] and listed["sent_at"] is not None and listed["delivery_state"] == "sent"
    [task] = client.get(f"/api/v1/cases/{case_a.pk}/tasks").json()
    assert task["urgent"] and task["kind"] == "escalation"


def test_harm_without_detail_is_refused_naming_the_field(officer_a, api_for, case_a):
    response = api_for(officer_a).post_json(f"/api/v1/cases/{case_a.pk}/escalations", {"detail": " "})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "detail"]
    assert not Escalation.objects.exists() and not Task.objects.exists()


def test_officer_adds_a_task_and_marks_it_done(officer_a, api_for, case_a):
    client = api_for(officer_a)
    response = client.post_json(f"/api/v1/cases/{case_a.pk}/tasks",
                                {"title": "Ring the GP", "assigned_to": officer_a.pk, "urgent": True})
    assert response.status_code == 201
    task_id = response.json()["id"]
    mine = client.get("/api/v1/work/mine").json()
    assert mine["tasks"][0]["task_id"] == task_id and mine["cases"][0]["case_id"] == case_a.pk
    done = client.post(f"/api/v1/tasks/{task_id}/done")
    assert done.status_code == 200 and done.json()["done_at"]
    assert client.post(f"/api/v1/tasks/{task_id}/done").status_code == 422


@pytest.mark.parametrize(("body", "loc"), [
    ({"title": ""}, ["body", "title"]),
    ({"title": "x", "due_on": "2020-01-01"}, ["body", "due_on"]),
    ({"title": "x", "assigned_to": 999999}, ["body", "assigned_to"]),
    ({"title": "x", "colour": "red"}, ["body", "colour"]),
])
def test_bad_tasks_are_refused_naming_the_field(officer_a, api_for, case_a, body, loc):
    response = api_for(officer_a).post_json(f"/api/v1/cases/{case_a.pk}/tasks", body)
    assert response.status_code == 422
    assert loc in [e["loc"] for e in response.json()["detail"]]
    assert not Task.objects.exists()


def test_manager_reassigns_a_case_and_an_officer_may_not(la_a, officer_a, manager_a, api_for, case_a):
    other = f.make_user(la_a, username="olive")
    assert api_for(officer_a).post_json(f"/api/v1/cases/{case_a.pk}/reassign", {"officer": other.pk}).status_code == 403
    response = api_for(manager_a).post_json(f"/api/v1/cases/{case_a.pk}/reassign", {"officer": other.pk})
    assert response.status_code == 200 and response.json()["officer"]["id"] == other.pk
    case_a.refresh_from_db()
    assert case_a.responsible_officer == other


def test_manager_reassigns_a_leavers_caseload(la_a, officer_a, manager_a, api_for, child_a):
    other = f.make_user(la_a, username="olive")
    cases = [f.make_case(f.make_child(la_a), responsible_officer=officer_a) for _ in range(2)]
    Task.objects.create(case=cases[0], title="Visit", assigned_to=officer_a)
    response = api_for(manager_a).post_json(f"/api/v1/officers/{officer_a.pk}/reassign", {"to_officer": other.pk})
    assert response.status_code == 200
    assert sorted(response.json()["cases"]) == sorted(c.reference for c in cases) and response.json()["tasks"] == 1
    assert AuditEvent.objects.filter(summary__startswith="Reassigned case").count() == 2
    assert api_for(officer_a).post_json(f"/api/v1/officers/{other.pk}/reassign", {"to_officer": officer_a.pk}).status_code == 403
