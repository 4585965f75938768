"""The policy module decides who may see or do what (docs/adr/0012): its answers for each
persona, and a house rule that no other module decides alone."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cme.accounts import policy
from cme.accounts.models import Role
from cme.testing import factories as f

SRC = Path(policy.__file__).resolve().parent.parent


def test_officer_of_la_a_works_cases_and_sees_restricted_detail(officer_a):
    assert policy.is_la_staff(officer_a) and policy.may_work_cases(officer_a)
    assert policy.may_see_restricted(officer_a) and policy.may_see_whole_child(officer_a)
    assert not policy.is_manager(officer_a)
    with pytest.raises(PermissionDenied):
        policy.require_manager(officer_a)


def test_manager_of_la_a_may_decide_and_see_the_audit(manager_a):
    assert policy.is_manager(manager_a) and policy.may_see_audit(manager_a)
    policy.require_manager(manager_a)


def test_officer_of_la_b_is_staff_of_la_b_only(officer_b, la_a):
    assert policy.referral_la(officer_b) == officer_b.organisation
    assert policy.referral_la(officer_b) != la_a


def test_a_school_sees_only_its_pupils_basic_details(school_user_a, school_a):
    assert policy.is_school_user(school_user_a) and not policy.is_la_staff(school_user_a)
    assert not policy.may_see_whole_child(school_user_a)
    assert policy.may_import_roll(school_user_a, school_a)
    with pytest.raises(Http404):
        policy.require_la_staff_or_404(school_user_a)


def test_a_partner_refers_to_its_organisations_authority(partner_a, la_a):
    assert policy.may_refer(partner_a) and policy.referral_la(partner_a) == la_a



def test_a_role_without_restricted_access_does_not_see_restricted_flags(la_a):
    admissions = f.make_user(la_a, Role.ADMISSIONS)
    assert not policy.may_see_flag(admissions, restricted=True)
    assert policy.may_see_flag(admissions, restricted=False)


def test_no_module_but_the_policy_defines_a_require_helper():
    found = []
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts or path.name == "policy.py":
            continue
        if re.search(r"^def _require_(?!d)", path.read_text(encoding="utf-8"), flags=re.M):
            found.append(str(path.relative_to(SRC)))
    assert found == []


def test_a_partner_whose_organisation_has_no_authority_is_told_so(la_a):
    orphan = f.make_user(f.make_partner(None, name="Unlinked Health Trust"), Role.PARTNER)
    with pytest.raises(ValueError, match="not linked to a council"):
        policy.referral_la(orphan)
