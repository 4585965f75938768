"""GET /api/v1/reports/summary (issue 14 point 6): each figure equals the `count` the API's own
case list gives for the same filter; managers see it, an officer is refused, and LA B's manager
sees nothing of A."""

import datetime as dt

import pytest

from cme.accounts.models import Role
from cme.cases.models import Stage
from cme.people.models import VulnerabilityFlag
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(la_a, officer_a):
    made = []
    other = f.make_user(la_a, Role.CME_OFFICER, username="olly")
    for n, (stage, category, flag) in enumerate([("logged", "missing", "looked_after"), ("locating", "missing", ""),
                                                 ("locating", "at_risk", "sen_ehcp"), ("located", "missing", ""),
                                                 ("closed", "missing", "looked_after")]):
        child = f.make_child(la_a, legal_surname=f"Pupil{n}", date_of_birth=dt.date(2014, 3, 1 + n))
        if flag:
            VulnerabilityFlag.objects.create(child=child, flag=flag)
        case = f.make_case(child, responsible_officer=officer_a if n % 2 else other, category=category)
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
    assert summary["cases_by_category"] == {"missing": 3, "at_risk": 1, "not_cme": 0}
    for category, n in summary["cases_by_category"].items():
        assert n == _count(client, f"open=true&category={category}"), category
    assert summary["cases_by_group"] == {"looked_after": 1, "sen_ehcp": 1}
    for flag, n in summary["cases_by_group"].items():
        assert n == _count(client, f"open=true&flag={flag}"), flag
    assert sorted(summary["caseload"].values()) == [2, 2]
    for officer, n in summary["caseload"].items():
        assert n == _count(client, f"open=true&officer={officer}"), officer
    assert summary["breakdowns"]["found"]["On a roll again"] == 1
    assert isinstance(summary["overdue_cases"], int) and 0 <= summary["overdue_cases"] <= 4


def test_a_senior_leader_reads_it_an_officer_is_refused_and_la_b_sees_nothing_of_a(
        api_for, officer_a, manager_a, officer_b, la_a, la_b, cases):
    leader = f.make_user(la_a, Role.SENIOR_LEADER, username="dcs")
    assert api_for(leader).get("/api/v1/reports/summary").json()["open_cases"] == 4
    assert api_for(officer_a).get("/api/v1/reports/summary").status_code == 403
    assert api_for(officer_b).get("/api/v1/reports/summary").status_code == 403
    assert api_for(manager_a).get("/api/v1/reports/summary").json()["open_cases"] == 4
    manager_b = f.make_user(la_b, Role.MANAGER, username="manager-b")
    other = api_for(manager_b).get("/api/v1/reports/summary").json()
    assert other["open_cases"] == 0 and sum(other["cases_by_stage"].values()) == 0


def test_the_period_is_checked(api_for, manager_a):
    client = api_for(manager_a)
    assert client.get("/api/v1/reports/summary?from=2025-13-01").status_code == 422
    ok = client.get("/api/v1/reports/summary?from=2025-09-01&to=2025-12-31").json()
    assert (ok["from"], ok["to"]) == ("2025-09-01", "2025-12-31")
