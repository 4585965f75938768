"""The child page: the whole record for the authority's staff, restricted detail only for roles
allowed it (with a notice that something is withheld), basic details only for a school."""

from datetime import date

import pytest

from cme.accounts.models import Role
from cme.audit.models import AuditEvent
from cme.people.models import FormerUPN
from cme.people.services import (
    child_address_add,
    child_contact_add,
    child_flag_add,
    child_name_add,
)
from cme.testing import factories as f


@pytest.fixture
def full_record(officer_a, child_a, school_a, la_a):
    child_a.upn = f.make_upn("901")[:-1] + "A"  # a temporary UPN ends in a letter
    child_a.save()
    FormerUPN.objects.create(child=child_a, upn="X901200124001")
    child_name_add(actor=officer_a, child=child_a, kind="preferred", forename="Rubes")
    child_name_add(actor=officer_a, child=child_a, kind="former", forename="Ruby", surname="Smith",
                   used_from=date(2015, 1, 1), used_to=date(2019, 6, 30))
    child_flag_add(actor=officer_a, child=child_a, flag="young_carer", detail="Cares for her father")
    child_flag_add(actor=officer_a, child=child_a, flag="child_protection", detail="Plan since May")
    child_address_add(actor=officer_a, child=child_a, line1="12 Mill Lane", postcode="NM1 2AB",
                      lived_from=date(2020, 1, 1))
    child_address_add(actor=officer_a, child=child_a, line1="The Haven", town="Northmoor",
                      lived_from=date(2026, 3, 1), is_refuge=True)
    child_contact_add(actor=officer_a, child=child_a, name="Jo Hartley", relationship="Mother",
                      parental_responsibility=True, phone="07700 900123")
    f.enrol(child_a, school_a, year_group="4", leaving_date=date(2026, 2, 20))
    return f.make_case(child_a, responsible_officer=officer_a)


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_see_the_whole_record(persona, client_for, child_a, full_record):
    text = client_for(persona).get(f"/children/{child_a.pk}").text
    for shown in ("Ruby Hartley", "Known as Rubes", "Former name", "1 January 2015 to 30 June 2019",
                  "(temporary UPN)", "X901200124001", "Young carer", "Cares for her father",
                  "12 Mill Lane", "Jo Hartley", "Mother", "Northmoor Primary School",
                  full_record.reference, "Child protection plan", "Plan since May", "The Haven", "Refuge"):
        assert shown in text, shown
    assert "restricted and is not shown to you" not in text


@pytest.mark.parametrize("user", ["officer_b", "partner_a"])
def test_anyone_outside_la_a_gets_404_for_its_child(user, request, client_for, child_a):
    response = client_for(request.getfixturevalue(user)).get(f"/children/{child_a.pk}")
    assert response.status_code == 404 and "Hartley" not in response.text


def test_restricted_detail_is_withheld_from_an_admissions_officer(la_a, client_for, child_a, full_record):
    admissions = f.make_user(la_a, Role.ADMISSIONS, username="adam")
    text = client_for(admissions).get(f"/children/{child_a.pk}").text
    assert "Young carer" in text and "12 Mill Lane" in text
    for hidden in ("Child protection plan", "Plan since May", "The Haven", "Refuge"):
        assert hidden not in text, hidden
    assert "Some information about this child is restricted and is not shown to you." in text


def test_school_user_sees_basic_details_of_its_pupil_only(school_user_a, client_for, child_a, school_a, full_record):
    f.enrol(child_a, school_a, year_group="5")  # back on the roll
    text = client_for(school_user_a).get(f"/children/{child_a.pk}").text
    assert "Ruby Hartley" in text and "Date of birth" in text
    for hidden in (full_record.reference, "Young carer", "Child protection", "12 Mill Lane", "Jo Hartley"):
        assert hidden not in text, hidden


def test_opening_a_child_writes_an_audit_event(officer_a, client_for, child_a):
    client_for(officer_a).get(f"/children/{child_a.pk}")
    event = AuditEvent.objects.get(action="view", object_type="child", actor=officer_a)
    assert event.child_id == child_a.pk and event.via == "web"


def test_managers_get_a_link_to_who_viewed_the_child(officer_a, manager_a, client_for, child_a):
    link = f'href="/children/{child_a.pk}/viewers"'
    assert link in client_for(manager_a).get(f"/children/{child_a.pk}").text
    assert link not in client_for(officer_a).get(f"/children/{child_a.pk}").text
