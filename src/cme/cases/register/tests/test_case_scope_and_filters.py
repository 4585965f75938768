"""The one door to cases, and the case-list filters behind it."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from cme.audit.models import AuditEvent
from cme.cases.register.selectors import CaseFilters, case_get_for_user, case_list, cases_visible_to
from cme.people.services import child_flag_add
from cme.testing import factories as f


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_see_cases_of_la_a(persona, case_a):
    assert case_get_for_user(user=persona, case_id=case_a.pk) == case_a
    assert AuditEvent.objects.filter(actor=persona, action="view", object_type="case").exists()


def test_officer_of_la_b_sees_no_case_of_la_a(officer_b, case_a):
    assert not cases_visible_to(officer_b).exists()
    with pytest.raises(Http404):
        case_get_for_user(user=officer_b, case_id=case_a.pk)
    rows, total = case_list(user=officer_b, filters=CaseFilters())
    assert rows == [] and total == 0


def test_school_and_partner_users_see_no_cases(school_user_a, partner_a, case_a):
    assert not cases_visible_to(school_user_a).exists()
    assert not cases_visible_to(partner_a).exists()


def test_case_list_filters_by_stage_flag_and_date(la_a, officer_a):
    today = timezone.localdate()
    old = f.make_case(f.make_child(la_a), stage="locating", referred_on=today - timedelta(days=100))
    new = f.make_case(f.make_child(la_a), stage="locating", referred_on=today - timedelta(days=5))
    f.make_case(f.make_child(la_a), stage="located", referred_on=today - timedelta(days=5))
    child_flag_add(actor=officer_a, child=new.child, flag="looked_after")

    rows, total = case_list(user=officer_a, filters=CaseFilters(stage="locating"))
    assert {c.pk for c in rows} == {old.pk, new.pk} and total == 2
    rows, _ = case_list(user=officer_a, filters=CaseFilters(flag="looked_after"))
    assert [c.pk for c in rows] == [new.pk]
    rows, _ = case_list(user=officer_a, filters=CaseFilters(referred_from=today - timedelta(days=30), stage="locating"))
    assert [c.pk for c in rows] == [new.pk]


def test_restricted_flag_filter_is_ignored_for_roles_that_may_not_see_it(la_a, officer_a):
    from cme.accounts.models import Role

    admissions = f.make_user(la_a, Role.ADMISSIONS)
    case = f.make_case(f.make_child(la_a))
    child_flag_add(actor=officer_a, child=case.child, flag="child_protection")
    f.make_case(f.make_child(la_a))
    _, total_officer = case_list(user=officer_a, filters=CaseFilters(flag="child_protection"))
    _, total_admissions = case_list(user=admissions, filters=CaseFilters(flag="child_protection"))
    # Filtering on it would reveal which children have a plan; the filter is dropped instead.
    assert total_officer == 1 and total_admissions == 2


def test_case_list_search_finds_child_by_name(la_a, officer_a, case_a):
    rows, _ = case_list(user=officer_a, filters=CaseFilters(query="hartley"))
    assert rows == [case_a]
    event = AuditEvent.objects.filter(action="search", object_type="case").latest("id")
    assert event.detail["ids"] == [case_a.pk]
