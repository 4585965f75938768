"""The case list page: who sees which rows."""

import pytest

from cme.audit.models import AuditEvent, AuditEventChild
from cme.testing import factories as f


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_see_la_a_cases_in_the_list(persona, client_for, case_a):
    response = client_for(persona).get("/cases")
    assert response.status_code == 200
    assert case_a.reference in response.text
    assert "Ruby Hartley" in response.text


def test_officer_of_la_b_sees_none_of_la_a_cases(officer_b, client_for, case_a, la_b):
    own = f.make_case(f.make_child(la_b, legal_forename="Bella", legal_surname="Eastwood"))
    response = client_for(officer_b).get("/cases")
    assert response.status_code == 200
    assert case_a.reference not in response.text and "Ruby Hartley" not in response.text
    assert own.reference in response.text


@pytest.mark.parametrize("user", ["school_user_a", "partner_a"])
def test_school_and_partner_users_get_404_for_the_case_list(user, request, client_for, case_a):
    response = client_for(request.getfixturevalue(user)).get("/cases")
    assert response.status_code == 404
    assert case_a.reference.encode() not in response.content


def test_listing_cases_is_audited_naming_the_children_shown(officer_a, client_for, case_a):
    client_for(officer_a).get("/cases")
    event = AuditEvent.objects.filter(actor=officer_a, action="search", object_type="case").latest("id")
    assert event.detail["ids"] == [case_a.pk]
    assert AuditEventChild.objects.filter(event=event, child_id=case_a.child_id).exists()


def test_list_shows_stage_as_a_tag_and_officer_by_name(officer_a, client_for, case_a):
    response = client_for(officer_a).get("/cases")
    assert 'class="govuk-tag govuk-tag--blue' in response.text  # "Logged"
    assert "Alice Tester" in response.text


def test_list_pages_25_cases_at_a_time_keeping_the_filters(la_a, officer_a, client_for):
    for _ in range(30):
        f.make_case(f.make_child(la_a), stage="locating")
    client = client_for(officer_a)
    first = client.get("/cases?stage=locating")
    assert "Showing 1 to 25 of 30 cases" in first.text
    assert "?stage=locating&amp;page=2" in first.text
    second = client.get("/cases?stage=locating&page=2")
    assert "Showing 26 to 30 of 30 cases" in second.text
    assert second.text.count('href="/cases/') == 5


def test_a_page_number_that_is_not_a_number_shows_the_first_page(officer_a, client_for, case_a):
    response = client_for(officer_a).get("/cases?page=abc")
    assert response.status_code == 200 and case_a.reference in response.text
