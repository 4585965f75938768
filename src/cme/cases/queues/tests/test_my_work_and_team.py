"""My work (each user's queue, by what is due), the team's workload for managers, reassigning a
case, and reassigning all of a leaver's work; the three personas on every page."""

import datetime as dt

import pytest
from django.utils import timezone

from cme.audit.models import AuditEvent
from cme.cases.models import Task
from cme.cases.queues.selectors import team_workload
from cme.testing import factories as f


@pytest.fixture
def tasks(case_a, officer_a):
    today = timezone.localdate()
    later = Task.objects.create(case=case_a, title="Write to the family", assigned_to=officer_a,
                                due_on=today + dt.timedelta(days=5))
    late = Task.objects.create(case=case_a, title="Ring the last school", assigned_to=officer_a,
                               due_on=today - dt.timedelta(days=1))
    urgent = Task.objects.create(case=case_a, title="Urgent: call social care", assigned_to=officer_a,
                                 urgent=True, due_on=today)
    return urgent, late, later


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_open_my_work(persona, client_for):
    response = client_for(persona).get("/work")
    assert response.status_code == 200 and "My work" in response.text


def test_my_work_lists_tasks_by_what_is_due_first(officer_a, client_for, tasks, case_a):
    page = client_for(officer_a).get("/work").text
    mine = page.split('data-test="my-tasks"')[1]
    assert mine.index("call social care") < mine.index("Ring the last school") < mine.index("Write to the family")
    assert case_a.reference in page.split('data-test="my-cases"')[1]
    assert AuditEvent.objects.filter(actor=officer_a, summary="Viewed own work").exists()


def test_officer_of_la_b_sees_none_of_la_a_work(officer_b, client_for, tasks):
    page = client_for(officer_b).get("/work").text
    assert "You have no open tasks" in page and "Ruby Hartley" not in page


def test_marking_a_task_done_from_my_work(officer_a, client_for, tasks):
    urgent = tasks[0]
    response = client_for(officer_a).post(f"/tasks/{urgent.pk}/done", {"next": "mine"})
    assert response.status_code == 302 and response["Location"] == "/work"
    urgent.refresh_from_db()
    assert urgent.done_at is not None and urgent.done_by == officer_a


def test_officer_of_la_b_cannot_mark_la_a_task_done(officer_b, client_for, tasks):
    assert client_for(officer_b).post(f"/tasks/{tasks[0].pk}/done").status_code == 404
    assert Task.objects.filter(done_at__isnull=True).count() == 3


def test_adding_a_task_in_the_past_is_refused_and_changes_nothing(officer_a, client_for, case_a):
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/tasks/new", {
        "title": "Visit", "due_on-day": "1", "due_on-month": "1", "due_on-year": "2020", "assigned_to": "",
    })
    assert response.status_code == 200 and "The due date must be today or in the future" in response.text
    assert not Task.objects.exists()


def test_officer_adds_a_task_to_a_case(officer_a, client_for, case_a):
    client = client_for(officer_a)
    assert client.get(f"/cases/{case_a.pk}/tasks/new").status_code == 200
    response = client.post(f"/cases/{case_a.pk}/tasks/new", {"title": "Visit the address", "assigned_to": str(officer_a.pk)})
    assert response.status_code == 302
    assert "Visit the address" in client.get(f"/cases/{case_a.pk}").text


def test_manager_sees_the_teams_workload(manager_a, officer_a, client_for, tasks, case_a):
    page = client_for(manager_a).get("/team").text
    team = page.split('data-test="team"')[1].split("</table>")[0]
    assert "Alice Tester" in team
    load = next(x for x in team_workload(user=manager_a) if x.officer == officer_a)
    assert (load.open_cases, load.open_tasks, load.overdue_tasks, load.urgent_tasks) == (1, 3, 1, 1)
    assert AuditEvent.objects.filter(actor=manager_a, summary="Viewed the team's workload").exists()


@pytest.mark.parametrize("persona", ["officer_a", "officer_b"], indirect=True)
def test_officers_cannot_open_the_team_page(persona, client_for):
    assert client_for(persona).get("/team").status_code == 403


def test_manager_reassigns_a_case_with_its_tasks(la_a, manager_a, officer_a, client_for, case_a, tasks):
    other = f.make_user(la_a, username="olive")
    client = client_for(manager_a)
    assert client.get(f"/team/cases/{case_a.pk}/reassign").status_code == 200
    response = client.post(f"/team/cases/{case_a.pk}/reassign", {"officer": str(other.pk)})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.responsible_officer == other
    assert set(Task.objects.values_list("assigned_to", flat=True)) == {other.pk}


def test_reassigning_without_choosing_is_refused(manager_a, client_for, case_a, officer_a):
    response = client_for(manager_a).post(f"/team/cases/{case_a.pk}/reassign", {"officer": ""})
    assert response.status_code == 200 and "Choose the officer to give the case to" in response.text
    case_a.refresh_from_db()
    assert case_a.responsible_officer == officer_a


def test_officers_cannot_reassign(officer_a, officer_b, client_for, case_a, la_a):
    assert client_for(officer_a).get(f"/team/cases/{case_a.pk}/reassign").status_code == 403
    assert client_for(officer_b).get(f"/team/cases/{case_a.pk}/reassign").status_code == 404
    assert client_for(officer_b).get(f"/team/officers/{case_a.responsible_officer_id}/reassign").status_code == 404


def test_manager_reassigns_a_leavers_work_audited_per_case(la_a, manager_a, officer_a, client_for, tasks):
    other = f.make_user(la_a, username="olive")
    second = f.make_case(f.make_child(la_a), responsible_officer=manager_a, key_worker=officer_a)
    f.make_case(f.make_child(la_a), responsible_officer=officer_a, stage="closed")  # closed: stays
    client = client_for(manager_a)
    page = client.get(f"/team/officers/{officer_a.pk}/reassign").text
    assert "holds 2 open cases" in page and "3 open tasks" in page
    response = client.post(f"/team/officers/{officer_a.pk}/reassign", {"to_officer": str(other.pk)})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.key_worker == other and second.responsible_officer == manager_a
    assert not Task.objects.filter(assigned_to=officer_a).exists()
    assert AuditEvent.objects.filter(summary__startswith="Reassigned case").count() == 2


def test_reassigning_a_leavers_work_to_themselves_is_refused(manager_a, officer_a, client_for, tasks):
    response = client_for(manager_a).post(f"/team/officers/{officer_a.pk}/reassign", {"to_officer": str(officer_a.pk)})
    assert response.status_code == 200 and "Choose an officer from the list" in response.text
    assert Task.objects.filter(assigned_to=officer_a).count() == 3


def test_an_officer_with_many_cases_sees_them_a_page_at_a_time_and_only_the_page_is_audited(
        la_a, officer_a, client_for):
    from cme.cases.queues.views import MY_CASES_PER_PAGE

    n = MY_CASES_PER_PAGE + 3
    cases = [f.make_case(f.make_child(la_a, legal_forename=f"Child{i:03d}", legal_surname="Many"),
                         responsible_officer=officer_a) for i in range(n)]
    client = client_for(officer_a)
    first = client.get("/work").text
    assert f"Showing 1 to {MY_CASES_PER_PAGE} of {n} cases" in first
    table = first.split('data-test="my-cases"')[1].split("</table>")[0]
    assert table.count("Many") == MY_CASES_PER_PAGE
    event = AuditEvent.objects.filter(actor=officer_a, summary="Viewed own work").latest("id")
    assert len(event.detail["ids"]) == MY_CASES_PER_PAGE

    second = client.get("/work?page=2").text
    assert f"Showing {MY_CASES_PER_PAGE + 1} to {n} of {n} cases" in second
    rest = second.split('data-test="my-cases"')[1].split("</table>")[0]
    assert rest.count("Many") == 3
    shown = {c.reference for c in cases if c.reference in table} | {c.reference for c in cases if c.reference in rest}
    assert shown == {c.reference for c in cases}

    beyond = client.get("/work?page=9").text
    assert "There is no page 9" in beyond and "Many" not in beyond
