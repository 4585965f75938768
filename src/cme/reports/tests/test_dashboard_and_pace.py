"""The management figures on pages (issue 14 points 1–3): the dashboard's figures with their
tables and charts, each leading to the children behind it; pace in school days with the children
behind each figure and their export. Personas: LA A's manager sees A's figures; A's officer is
refused; LA B's officer sees nothing of A; a senior leader of A reads them."""

import datetime as dt

import pytest
from django.utils import timezone

from cme.accounts.models import Role
from cme.audit.models import AuditEvent
from cme.reports.charts import bar_chart, line_chart
from cme.reports.pace import median, percentile
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(la_a, officer_a):
    today = timezone.localdate()
    made = []
    for n, (stage, category, located_after) in enumerate([("locating", "missing", None),
                                                          ("located", "missing", 3),
                                                          ("located", "at_risk", 10)]):
        child = f.make_child(la_a, legal_surname=f"Pupil{n}", date_of_birth=dt.date(2014, 3, 1 + n))
        case = f.make_case(child, responsible_officer=officer_a, category=category)
        case.stage, case.referred_on = stage, today - dt.timedelta(days=30)
        if located_after is not None:
            case.located_on = case.referred_on + dt.timedelta(days=located_after)
        case.save()
        made.append(case)
    return made


def test_the_dashboard_shows_figures_with_tables_and_charts_leading_to_the_children(client_for, manager_a, cases):
    page = client_for(manager_a).get("/management/dashboard").text
    assert 'role="img"' in page and '<title id="chart-open-cases-by-stage-title">Open cases by stage</title>' in page
    assert "Open cases by stage" in page and "Caseload per officer" in page
    assert "/management/dashboard/children?figure=category&amp;value=missing" in page
    assert "Trends: the last 24 months" in page
    assert "a clock overdue</a> (counted" in page


def test_who_may_see_the_dashboard(client_for, officer_a, manager_a, officer_b, la_a, cases):
    assert client_for(officer_a).get("/management/dashboard").status_code == 403
    assert client_for(officer_b).get("/management/dashboard").status_code == 403
    leader = f.make_user(la_a, Role.SENIOR_LEADER, username="leader")
    assert client_for(leader).get("/management/dashboard").status_code == 200
    assert client_for(leader).get("/management/pace").status_code == 200
    assert "Dashboard" in client_for(leader).get("/management").text


def test_another_authoritys_manager_sees_nothing_of_a(client_for, la_b, cases):
    manager_b = f.make_user(la_b, Role.MANAGER, username="mgr-b")
    page = client_for(manager_b).get("/management/dashboard").text
    assert "Pupil0" not in page
    assert client_for(manager_b).get("/management/pace/children?row=all&step=located").text.count("Pupil") == 0


def test_pace_counts_school_days_and_opens_the_children_behind_each_figure(client_for, manager_a, cases):
    client = client_for(manager_a)
    page = client.get("/management/pace").text
    assert "2 children</a>: median" in page  # two located
    children = client.get("/management/pace/children?row=all&step=located").text
    assert "Pupil1" in children and "Pupil2" in children and "Pupil0" not in children
    assert f'<a class="govuk-link" href="/cases/{cases[1].pk}">{cases[1].reference}</a>' in children
    export = client.get("/management/pace/children?row=all&step=located&format=csv").content.decode("utf-8-sig")
    assert "school_days_to_located" in export.splitlines()[0] and "Pupil1" in export
    assert AuditEvent.objects.filter(action="export", summary__contains="pace").exists()


def test_a_bad_period_is_said_and_the_default_used(client_for, manager_a, cases):
    page = client_for(manager_a).get("/management/dashboard?from=2025-02-30").text
    assert "The start of the period must be a date written YYYY-MM-DD" in page


def test_pace_as_plain_data_for_the_panel_pack(manager_a, cases):
    from cme.reports.pace import pace_figures

    data = pace_figures(user=manager_a).as_json()
    located = data["overall"]["steps"]["located"]
    assert data["overall"]["referred"] == 3 and located["children"] == 2 and located["median"] is not None
    assert {r["key"] for r in data["by_group"]} == {"missing", "at_risk"}


def test_median_and_90th_percentile_by_nearest_rank():
    assert median([5, 1, 3]) == 3 and median([1, 2, 3, 10]) == 2.5
    assert percentile(list(range(1, 11)), 90) == 9 and percentile([4], 90) == 4 and percentile([], 90) is None


def test_charts_are_named_and_say_their_figures_in_words():
    svg = bar_chart("Open cases by stage", [("Logged", 3), ("Locating <b>", 12)])
    assert 'role="img"' in svg and "Locating &lt;b&gt;: 12" in svg and "<b>" not in svg
    line = line_chart("Trend", ["2026-01", "2026-02"], {"Referred": [1, 2], "Closed": [0, 1]})
    assert "stroke-dasharray" in line and "Referred: 2026-01 1, 2026-02 2" in line


def _count_queries(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboard_asks_the_same_number_of_questions_however_many_cases(client_for, manager_a, la_a, officer_a):
    client = client_for(manager_a)
    for n in range(3):
        f.make_case(f.make_child(la_a, legal_surname=f"Few{n}"), responsible_officer=officer_a)
    few = _count_queries(client, "/management/dashboard")
    for n in range(30):
        case = f.make_case(f.make_child(la_a, legal_surname=f"More{n}", date_of_birth=dt.date(2012, 1 + n % 12, 3)),
                           responsible_officer=officer_a, category="at_risk" if n % 2 else "missing")
        case.stage = ["locating", "located", "closed"][n % 3]
        case.save()
    assert _count_queries(client, "/management/dashboard") == few


def test_the_dashboard_filters_by_area_and_group(client_for, manager_a, cases):
    from cme.people.models import Address, VulnerabilityFlag

    Address.objects.create(child=cases[0].child, line1="1 Mill Lane", postcode="NM1 2AB")
    Address.objects.create(child=cases[1].child, line1="2 Far Road", postcode="NM7 9XY")
    VulnerabilityFlag.objects.create(child=cases[1].child, flag="looked_after")
    from cme.reports.figures import dashboard_figures

    assert dashboard_figures(user=manager_a).open_cases == 3
    assert dashboard_figures(user=manager_a, area="NM1").open_cases == 1
    assert dashboard_figures(user=manager_a, group="looked_after").open_cases == 1
    page = client_for(manager_a).get("/management/dashboard?area=NM1&group=looked_after").text
    assert "filtered to area NM1 to one vulnerable group" in page


def test_pace_per_vulnerable_group_opens_its_children(client_for, manager_a, cases):
    from cme.people.models import VulnerabilityFlag

    VulnerabilityFlag.objects.create(child=cases[2].child, flag="looked_after")
    VulnerabilityFlag.objects.create(child=cases[0].child, flag="looked_after")
    client = client_for(manager_a)
    page = client.get("/management/pace").text
    assert "Looked after" in page and "row=flag%3Alooked_after&amp;step=located" in page
    children = client.get("/management/pace/children?row=flag%3Alooked_after&step=located").text
    assert "Pupil2" in children and "Pupil0" not in children and "Pupil1" not in children


def test_only_managers_and_senior_leaders_see_pace(client_for, officer_a, officer_b, manager_a, cases):
    for path in ("/management/pace", "/management/pace/children?row=all&step=located"):
        assert client_for(officer_a).get(path).status_code == 403
        assert client_for(officer_b).get(path).status_code == 403
        assert client_for(manager_a).get(path).status_code == 200
