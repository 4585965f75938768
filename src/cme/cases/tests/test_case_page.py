"""The case page: summary, child, timeline; who may open it; the visit is audited."""

import pytest

from cme.accounts.models import Role
from cme.audit.models import AuditEvent
from cme.cases.register.services import case_assign, case_note_add, case_stage_advance
from cme.testing import factories as f


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_open_the_case_page(persona, client_for, case_a):
    response = client_for(persona).get(f"/cases/{case_a.pk}")
    assert response.status_code == 200
    assert case_a.reference in response.text
    assert "Missing education" in response.text and "Moved with no known destination" in response.text
    assert f'href="/children/{case_a.child_id}"' in response.text


@pytest.mark.parametrize("user", ["officer_b", "school_user_a", "partner_a"])
def test_anyone_outside_la_a_gets_404_for_its_case(user, request, client_for, case_a):
    response = client_for(request.getfixturevalue(user)).get(f"/cases/{case_a.pk}")
    assert response.status_code == 404
    assert "Ruby Hartley" not in response.text


def test_opening_a_case_writes_an_audit_event(officer_a, client_for, case_a):
    client_for(officer_a).get(f"/cases/{case_a.pk}")
    event = AuditEvent.objects.filter(actor=officer_a, action="view", object_type="case").latest("id")
    assert event.object_id == str(case_a.pk) and event.child_id == case_a.child_id
    assert event.via == "web" and event.ip_address == "127.0.0.1"


def test_case_page_shows_the_key_dates(officer_a, client_for, case_a):
    case_a.whereabouts = "found"
    case_a.save()
    case_stage_advance(actor=officer_a, case=case_a, to_stage="located")
    response = client_for(officer_a).get(f"/cases/{case_a.pk}")
    for label in ("Referred", "Located", "Assessed", "Provision determined", "Moved into provision",
                  "Last known placement"):
        assert f">{label}<" in response.text or f"{label}\n" in response.text, label


def test_timeline_shows_moves_notes_and_field_changes_with_names(officer_a, manager_a, client_for, case_a):
    case_stage_advance(actor=officer_a, case=case_a, to_stage="locating", note="Home visit booked")
    case_note_add(actor=officer_a, case=case_a, text="Neighbour says the family moved.")
    case_assign(actor=officer_a, case=case_a, officer=manager_a)
    text = client_for(manager_a).get(f"/cases/{case_a.pk}").text
    assert "Moved to locating" in text and "Home visit booked" in text
    assert "Neighbour says the family moved." in text
    assert "Changed responsible officer" in text
    # Field-level before and after, people by name, not by id.
    assert "Alice Tester" in text and "Mary Tester" in text
    assert text.index("Changed responsible officer") < text.index("Moved to locating")  # newest first


def test_timeline_shows_the_referral_that_fed_the_case(officer_a, client_for, case_a, la_a):
    f.make_referral(la_a, case=case_a, reference="R901-T99999", status="case_opened")
    text = client_for(officer_a).get(f"/cases/{case_a.pk}").text
    assert "Referral R901-T99999 received" in text


def test_restricted_flags_are_withheld_on_the_case_page(la_a, officer_a, client_for, case_a):
    from cme.people.services import child_flag_add

    child_flag_add(actor=officer_a, child=case_a.child, flag="child_protection", detail="Plan since May")
    admissions = f.make_user(la_a, Role.ADMISSIONS, username="adam")
    seen = client_for(officer_a).get(f"/cases/{case_a.pk}").text
    assert "Child protection plan" in seen
    hidden = client_for(admissions).get(f"/cases/{case_a.pk}").text
    assert "Child protection plan" not in hidden
    assert "restricted and is not shown to you" in hidden


def test_actions_are_offered_only_to_those_who_work_cases(la_a, officer_a, client_for, case_a):
    admissions = f.make_user(la_a, Role.ADMISSIONS, username="adam")
    assert "Move stage" in client_for(officer_a).get(f"/cases/{case_a.pk}").text
    text = client_for(admissions).get(f"/cases/{case_a.pk}").text
    assert "Move stage" not in text and "Add note" not in text
