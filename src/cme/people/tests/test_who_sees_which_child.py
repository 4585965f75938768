"""Scope at the selector level: the one door to children."""

import pytest
from django.http import Http404

from cme.accounts.models import Role
from cme.audit.models import AuditEvent
from cme.people.selectors import (
    child_get_for_user,
    children_visible_to,
    visible_addresses,
    visible_flags,
)
from cme.people.services import child_address_add, child_flag_add
from cme.testing import factories as f


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_see_a_child_of_la_a(persona, child_a):
    assert child_get_for_user(user=persona, child_id=child_a.pk) == child_a
    assert AuditEvent.objects.filter(actor=persona, action="view", child_id=child_a.pk).exists()


def test_officer_of_la_b_sees_nothing_of_la_a(officer_b, child_a):
    assert not children_visible_to(officer_b).exists()
    with pytest.raises(Http404):
        child_get_for_user(user=officer_b, child_id=child_a.pk)


def test_school_user_sees_only_current_pupils(school_a, school_user_a, la_a):
    pupil = f.make_child(la_a)
    f.enrol(pupil, school_a)
    left = f.make_child(la_a)
    from datetime import date
    f.enrol(left, school_a, leaving_date=date(2025, 7, 20))
    f.make_child(la_a)  # not on this school's roll
    assert list(children_visible_to(school_user_a)) == [pupil]


def test_partner_sees_no_children(partner_a, child_a):
    assert not children_visible_to(partner_a).exists()


def test_restricted_detail_is_withheld_from_roles_that_may_not_see_it(la_a, officer_a, child_a):
    admissions = f.make_user(la_a, Role.ADMISSIONS)
    child_flag_add(actor=officer_a, child=child_a, flag="child_protection")
    child_flag_add(actor=officer_a, child=child_a, flag="young_carer")
    child_address_add(actor=officer_a, child=child_a, line1="1 Safe Street", is_refuge=True)
    flags, withheld = visible_flags(admissions, child_a)
    assert [x.flag for x in flags] == ["young_carer"] and withheld
    addresses, withheld = visible_addresses(admissions, child_a)
    assert addresses == [] and withheld
    flags, withheld = visible_flags(officer_a, child_a)
    assert len(flags) == 2 and not withheld
