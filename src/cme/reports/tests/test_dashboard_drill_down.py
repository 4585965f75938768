"""Every figure of the dashboard opens the children behind it (issue 14 point 3): the list has
exactly as many as the figure says, under the same period, area and group; every list exports as
CSV and XLSX, safe against formula injection, and each list shown or exported is audited. Personas:
LA A's manager and a senior leader open them; A's officer is refused; LA B sees nothing of A."""

import csv
import datetime as dt
import io
import re
from html import unescape

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cme.accounts.models import Role
from cme.audit.models import AuditEvent
from cme.people.models import Address, VulnerabilityFlag
from cme.reports.figures import dashboard_figures, dashboard_href
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(la_a, la_b, officer_a, manager_a):
    """A small register of A with something in every breakdown, and a case of B beside it."""
    today = timezone.localdate()
    school = f.make_school(la_a, name="Mill Lane Primary")
    other = f.make_user(la_a, Role.CME_OFFICER, username="olly", first_name="Olly", last_name="Other")
    specs = [  # stage, category, born, postcode, officer, flag, provider, outcome
        ("locating", "missing", dt.date(2014, 3, 1), "NM1 2AB", officer_a, "looked_after", school, ""),
        ("located", "missing", dt.date(2010, 10, 5), "NM1 7XY", other, "", None, ""),
        ("located", "at_risk", dt.date(2019, 1, 9), "nm7 1aa", None, "sen_ehcp", school, ""),
        ("logged", "missing", None, "", officer_a, "", None, ""),
        ("locating", "missing", today - dt.timedelta(days=3 * 365), "NM9 9ZZ", other, "", None, ""),
        ("closed", "missing", dt.date(2012, 6, 6), "NM2 3CD", officer_a, "", None, "home_education"),
        ("closed", "missing", dt.date(2011, 6, 6), "NM1 3CD", officer_a, "", None, "left_country"),
    ]
    cases = []
    for n, (stage, category, born, postcode, officer, flag, provider, outcome) in enumerate(specs):
        child = f.make_child(la_a, legal_surname=f"Pupil{n}", date_of_birth=born)
        if postcode:
            Address.objects.create(child=child, line1=f"{n} Mill Lane", postcode=postcode)
        if flag:
            VulnerabilityFlag.objects.create(child=child, flag=flag)
        case = f.make_case(child, responsible_officer=officer, category=category, last_known_provider=provider)
        case.stage = stage
        if outcome:
            case.closed_on, case.outcome = today - dt.timedelta(days=3), outcome
        case.save()
        cases.append(case)
    for channel in ("phone", "phone", "email"):
        f.make_referral(la_a, channel=channel)
    other_child = f.make_child(la_b, legal_surname="Eastdale")
    f.make_case(other_child, responsible_officer=f.make_user(la_b, Role.CME_OFFICER, username="ed"))
    f.make_referral(la_b, channel="phone", child_surname="Eastdale")
    return cases


def _hrefs(page: str) -> list[str]:
    return sorted({unescape(h) for h in re.findall(r'href="(/management/dashboard/children\?[^"]+)"', page)})


def _csv_rows(client, href: str) -> list[list[str]]:
    response = client.get(href + "&format=csv")
    assert response.status_code == 200, href
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]


def _figures_by_href(figures) -> dict[str, int]:
    counts = {figures.hrefs["open"]: figures.open_cases, figures.hrefs["missing_now"]: figures.missing_now,
              figures.hrefs["at_risk_now"]: figures.at_risk_now}
    for b in figures.breakdowns:
        counts.update({r.href: r.count for r in b.rows})

    def href(figure, value):
        return dashboard_href(figure, value, period=figures.period, **figures.filters)

    for month, referred, closed in figures.trend[-2:]:
        counts.update({href("referred_month", month): referred, href("closed_month", month): closed})
    for month, missing, at_risk in figures.open_trend[-2:]:
        counts.update({href("open_at", f"{month}.missing"): missing, href("open_at", f"{month}.at_risk"): at_risk})
    for month, by in figures.referrals_by_month:
        counts.update({href("referrals_month", f"{month}.{channel}"): n for channel, n in by.items()})
    return counts


def test_every_figure_opens_a_list_of_exactly_its_children(client_for, manager_a, register):
    client = client_for(manager_a)
    page = client.get("/management/dashboard").text
    figures = dashboard_figures(user=manager_a)
    counts = _figures_by_href(figures)
    hrefs = _hrefs(page)
    assert set(counts) <= set(hrefs)  # every breakdown row and headline figure links
    kinds = {re.search(r"figure=(\w+)", h).group(1) for h in hrefs}
    assert kinds >= {"open", "stage", "category", "group", "age", "year_group", "area", "last_provider",
                     "caseload", "found", "source", "referrals_month", "referred_month", "closed_month",
                     "open_at"}
    for href, count in counts.items():
        assert len(_csv_rows(client, href)) == count, href
    this_month = figures.open_trend[-1]
    assert this_month[1:] == (figures.missing_now, figures.at_risk_now)  # the stock now, both ways
    assert "Eastdale" not in page


def test_a_figure_list_shows_the_children_with_the_dashboards_filters(client_for, manager_a, register):
    client = client_for(manager_a)
    page = client.get("/management/dashboard?area=NM1").text
    area_href = next(h for h in _hrefs(page) if "figure=open" in h)
    assert "area=NM1" in area_href
    listed = client.get(area_href).text
    assert "Pupil0" in listed and "Pupil1" in listed and "Pupil2" not in listed and "Pupil3" not in listed
    assert "2 cases" in listed
    assert f'<a class="govuk-link" href="/cases/{register[0].pk}">{register[0].reference}</a>' in listed
    located = client.get("/management/dashboard/children?figure=stage&value=located").text
    assert "Pupil1" in located and "Pupil2" in located and "Pupil0" not in located
    found = client.get("/management/dashboard/children?figure=found&value=home_education").text
    assert "Pupil5" in found and "Children found, and how" in found
    referrals = client.get("/management/dashboard/children?figure=source&value=phone").text
    assert referrals.count("Jamie") == 2 and "Eastdale" not in referrals


def test_lists_export_as_csv_and_xlsx_safe_against_formulas_and_audited(client_for, manager_a, register):
    child = register[0].child
    child.legal_surname = "=HYPERLINK(\"http://evil\")"
    child.save()
    client = client_for(manager_a)
    href = "/management/dashboard/children?figure=group&value=looked_after"
    rows = _csv_rows(client, href)
    assert rows[0][1] == "'=HYPERLINK(\"http://evil\")"
    book = load_workbook(io.BytesIO(client.get(href + "&format=xlsx").content))
    cell = book.active.cell(row=2, column=2)
    assert cell.value == "=HYPERLINK(\"http://evil\")" and cell.data_type == "s"
    exports = AuditEvent.objects.filter(action="export", summary__contains="dashboard figure group=looked_after")
    assert exports.count() == 2 and exports.first().detail["ids"] == [register[0].pk]
    client.get(href)
    viewed = AuditEvent.objects.filter(action="search", summary__contains="dashboard figure group=looked_after").last()
    assert viewed.detail["ids"] == [register[0].pk]


def test_who_may_open_the_children_behind_a_figure(client_for, officer_a, manager_a, officer_b, la_a, la_b, register):
    href = "/management/dashboard/children?figure=stage&value=located"
    assert client_for(officer_a).get(href).status_code == 403
    assert client_for(officer_b).get(href).status_code == 403
    assert "Pupil1" in client_for(manager_a).get(href).text
    leader = f.make_user(la_a, Role.SENIOR_LEADER, username="dcs")
    assert "Pupil1" in client_for(leader).get(href).text
    manager_b = f.make_user(la_b, Role.MANAGER, username="mgr-b")
    other = client_for(manager_b).get(href).text
    assert "Pupil" not in other and "0 cases" in other
    assert "Pupil" not in client_for(manager_b).get(href + "&format=csv").content.decode("utf-8-sig")
    # A case of A asked for by id under B's officer figure: B's scope still holds.
    officer_id = register[1].responsible_officer_id
    assert "Pupil1" not in client_for(manager_b).get(
        f"/management/dashboard/children?figure=caseload&value={officer_id}").text


def test_a_figure_the_dashboard_does_not_show_is_not_found(client_for, manager_a, register):
    client = client_for(manager_a)
    for query in ("figure=nonsense&value=1", "figure=stage&value=closed", "figure=age&value=x",
                  "figure=referred_month&value=2026-13", "figure=referrals_month&value=2026-01.fax"):
        assert client.get(f"/management/dashboard/children?{query}").status_code == 404, query


def test_the_list_is_paged(client_for, manager_a, la_a, officer_a):
    for n in range(55):
        f.make_case(f.make_child(la_a, legal_surname=f"Many{n}"), responsible_officer=officer_a)
    client = client_for(manager_a)
    first = client.get("/management/dashboard/children?figure=open").text
    assert "55 cases" in first and first.count("Many") == 50
    second = client.get("/management/dashboard/children?figure=open&page=2")
    assert second.text.count("Many") == 5 and "(page 2)" in second.text


def test_the_list_behind_a_figure_asks_the_same_number_of_questions_however_many_cases(
        client_for, manager_a, la_a, officer_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(manager_a)

    def count(path):
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    def add(n, prefix):
        for i in range(n):
            child = f.make_child(la_a, legal_surname=f"{prefix}{i}")
            Address.objects.create(child=child, line1="1 Road", postcode=f"NM{i % 3 + 1} 1AA")
            f.make_case(child, responsible_officer=officer_a, category="at_risk" if i % 2 else "missing")

    paths = ["/management/dashboard/children?figure=open", "/management/dashboard/children?figure=area&value=NM1",
             "/management/dashboard/children?figure=category&value=missing"]
    add(5, "Few")
    few = [count(p) for p in paths]
    add(50, "More")
    assert [count(p) for p in paths] == few
