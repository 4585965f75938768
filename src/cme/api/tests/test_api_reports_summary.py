"""GET /api/v1/reports/summary (issue 14 point 6): each figure equals the `count` the API's own
case list gives for the same filter; managers see it, an officer is refused, and LA B's manager
sees nothing of A."""

import datetime as dt

import pytest

from cme.accounts.models import Role
from cme.cases.models import Stage
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(la_a, officer_a):
    made = []
    for n, (stage, category) in enumerate([("logged", "missing"), ("locating", "missing"), ("locating", "at_risk"),
                                           ("located", "missing"), ("closed", "missing")]):
        child = f.make_child(la_a, legal_surname=f"Pupil{n}", date_of_birth=dt.date(2014, 3, 1 + n))
        case = f.make_case(child, responsible_officer=officer_a, category=category)
        case.stage = stage
        if stage == "closed":
            case.closed_on, case.outcome = dt.date.today(), "back_in_school"
        case.save()
        made.append(case)
    return made


def _count(client, query: str) -> int:
    return client.get(f"/api/v1/cases?{query}").json()["count"]


def test_each_figure_equals_the_count_of_its_list(api_for, manager_a, cases):
    client = api_for(manager_a)
    summary = client.get("/api/v1/reports/summary").json()
    assert summary["open_cases"] == _count(client, "open=true") == 4
    assert summary["missing_now"] == _count(client, "open=true&category=missing") == 3
    assert summary["at_risk_now"] == _count(client, "open=true&category=at_risk") == 1
    assert set(summary["cases_by_stage"]) == {s for s in Stage.values if s != "closed"}
    for stage, n in summary["cases_by_stage"].items():
        assert n == _count(client, f"stage={stage}"), stage
    assert summary["breakdowns"]["found"]["On a roll again"] == 1
    assert isinstance(summary["overdue_cases"], int) and 0 <= summary["overdue_cases"] <= 4


def test_a_senior_leader_reads_it_an_officer_is_refused_and_la_b_sees_nothing_of_a(
        api_for, officer_a, manager_a, la_a, la_b, cases):
    leader = f.make_user(la_a, Role.SENIOR_LEADER, username="dcs")
    assert api_for(leader).get("/api/v1/reports/summary").json()["open_cases"] == 4
    assert api_for(officer_a).get("/api/v1/reports/summary").status_code == 403
    manager_b = f.make_user(la_b, Role.MANAGER, username="manager-b")
    other = api_for(manager_b).get("/api/v1/reports/summary").json()
    assert other["open_cases"] == 0 and sum(other["cases_by_stage"].values()) == 0


def test_the_period_is_checked(api_for, manager_a):
    client = api_for(manager_a)
    assert client.get("/api/v1/reports/summary?from=2025-13-01").status_code == 422
    ok = client.get("/api/v1/reports/summary?from=2025-09-01&to=2025-12-31").json()
    assert (ok["from"], ok["to"]) == ("2025-09-01", "2025-12-31")
