"""The case list's filter panel, through the page: each filter narrows the list, bad values
are explained and never crash the page."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cme.accounts.models import Role
from cme.people.services import child_flag_add
from cme.testing import factories as f


@pytest.fixture
def three_cases(la_a, officer_a, manager_a, school_a):
    today = timezone.localdate()
    located = f.make_case(
        f.make_child(la_a, legal_forename="Lena", legal_surname="Located", date_of_birth=date(2015, 3, 27)),
        stage="located", category="at_risk", responsible_officer=manager_a,
        referred_on=today - timedelta(days=40),
    )
    locating = f.make_case(
        # A date of birth of its own: the factory's depends on how many children earlier tests
        # made, and was sometimes Lena's, which the search by date of birth then found twice.
        f.make_child(la_a, legal_forename="Luca", legal_surname="Locating", upn=f.make_upn("901"),
                     date_of_birth=date(2016, 9, 12)),
        stage="locating", responsible_officer=officer_a, referred_on=today - timedelta(days=5),
        last_known_provider=school_a,
    )
    closed = f.make_case(
        f.make_child(la_a, legal_forename="Cleo", legal_surname="Closed"),
        stage="closed", outcome="back_in_school", referred_on=today - timedelta(days=90),
    )
    return located, locating, closed


def shown(response, *cases):
    return [c.reference in response.text for c in cases]


def test_list_opens_on_open_cases_and_can_show_closed_ones(officer_a, client_for, three_cases):
    located, locating, closed = three_cases
    client = client_for(officer_a)
    assert shown(client.get("/cases"), located, locating, closed) == [True, True, False]
    assert shown(client.get("/cases?open="), located, locating, closed) == [True, True, True]


def test_filter_by_stage_and_category(officer_a, client_for, three_cases):
    located, locating, closed = three_cases
    client = client_for(officer_a)
    assert shown(client.get("/cases?stage=located"), located, locating, closed) == [True, False, False]
    assert shown(client.get("/cases?category=at_risk"), located, locating, closed) == [True, False, False]


def test_filter_by_responsible_officer(officer_a, manager_a, client_for, three_cases):
    located, locating, _ = three_cases
    response = client_for(officer_a).get(f"/cases?officer={manager_a.pk}")
    assert shown(response, located, locating) == [True, False]


def test_filter_by_school_finds_last_known_and_enrolled(officer_a, client_for, three_cases, school_a):
    located, locating, _ = three_cases
    client = client_for(officer_a)
    assert shown(client.get(f"/cases?school={school_a.pk}"), located, locating) == [False, True]
    f.enrol(located.child, school_a, leaving_date=date(2025, 7, 20))
    assert shown(client.get(f"/cases?school={school_a.pk}"), located, locating) == [True, True]


def test_filter_by_vulnerable_group(officer_a, client_for, three_cases):
    located, locating, _ = three_cases
    child_flag_add(actor=officer_a, child=locating.child, flag="young_carer")
    response = client_for(officer_a).get("/cases?flag=young_carer")
    assert shown(response, located, locating) == [False, True]


def test_filter_by_referred_date_range(officer_a, client_for, three_cases):
    located, locating, _ = three_cases
    since = timezone.localdate() - timedelta(days=10)
    response = client_for(officer_a).get(
        f"/cases?referred_from-day={since.day}&referred_from-month={since.month}&referred_from-year={since.year}"
    )
    assert shown(response, located, locating) == [False, True]
    assert "Remove this filter" in response.text


@pytest.mark.parametrize("query", ["Luca", "locating", "27/03/2015", "2015-03-27"])
def test_search_by_name_or_date_of_birth(officer_a, client_for, three_cases, query):
    located, locating, _ = three_cases
    response = client_for(officer_a).get("/cases", {"q": query})
    expect_located = "2015" in query
    assert shown(response, located, locating) == [expect_located, not expect_located]


def test_search_by_upn_and_by_case_reference(officer_a, client_for, three_cases):
    located, locating, _ = three_cases
    client = client_for(officer_a)
    assert shown(client.get("/cases", {"q": locating.child.upn}), located, locating) == [False, True]
    assert shown(client.get("/cases", {"q": located.reference}), located, locating) == [True, False]


def test_impossible_date_is_explained_and_other_filters_still_apply(officer_a, client_for, three_cases):
    located, locating, _ = three_cases
    response = client_for(officer_a).get(
        "/cases?stage=locating&referred_from-day=31&referred_from-month=2&referred_from-year=2026"
    )
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Referred on or after must be a real date" in response.text
    assert shown(response, located, locating) == [False, True]


def test_unknown_stage_and_reversed_dates_are_explained(officer_a, client_for, three_cases):
    response = client_for(officer_a).get(
        "/cases?stage=lost&referred_from-day=2&referred_from-month=2&referred_from-year=2026"
        "&referred_to-day=1&referred_to-month=1&referred_to-year=2026"
    )
    assert response.status_code == 200
    assert "Choose a stage from the list" in response.text
    assert "Referred on or before must be the same as or after referred on or after" in response.text


def test_restricted_groups_are_offered_only_to_roles_that_may_see_them(la_a, officer_a, client_for, three_cases):
    admissions = f.make_user(la_a, Role.ADMISSIONS, username="adam")
    assert 'value="child_protection"' in client_for(officer_a).get("/cases").text
    page = client_for(admissions).get("/cases")
    assert 'value="child_protection"' not in page.text and 'value="looked_after"' in page.text
    asked = client_for(admissions).get("/cases?flag=child_protection")
    assert "Choose a vulnerable group from the list" in asked.text


def test_list_sorts_by_a_column_on_the_server(officer_a, client_for, three_cases):
    located, locating, _ = three_cases
    text = client_for(officer_a).get("/cases?sort=referred").text
    assert text.index(located.reference) < text.index(locating.reference)
    text = client_for(officer_a).get("/cases?sort=-referred").text
    assert text.index(locating.reference) < text.index(located.reference)
    assert 'aria-sort="descending"' in text


@pytest.mark.parametrize("sort", ["stage", "-stage", "child", "officer", "-dob", "nonsense"])
def test_every_sort_works_with_a_upn_search(officer_a, client_for, three_cases, sort):
    _, locating, _ = three_cases
    response = client_for(officer_a).get("/cases", {"q": locating.child.upn, "sort": sort})
    assert response.status_code == 200 and locating.reference in response.text
