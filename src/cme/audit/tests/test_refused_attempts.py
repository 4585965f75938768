"""A refused attempt on a record outside one's scope leaves a security event (who, what, when),
written by the door that refused it, on the pages and in the API alike (managers see who tries
again and again: reports/tests/test_refused_attempts_page.py). A read is audited only once the
permission check has passed."""

import pytest

from cme.accounts.models import Role
from cme.audit.models import Action, AuditEvent
from cme.testing import factories as f


def _refusals():
    return list(AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).order_by("id"))


def test_officer_of_another_la_opening_a_child_leaves_a_security_event(officer_b, client_for, child_a):
    response = client_for(officer_b).get(f"/children/{child_a.pk}")
    assert response.status_code == 404
    [event] = _refusals()
    assert (event.actor_username, event.object_type, event.object_id) == ("bob", "child", str(child_a.pk))
    assert event.la_id == child_a.la_id and event.at is not None
    assert event.child_id is None  # the child is not listed as "viewed" by someone refused it
    assert not AuditEvent.objects.filter(action=Action.VIEW, actor_username="bob").exists()


def test_an_id_that_names_nothing_leaves_no_security_event(officer_b, client_for, db):
    assert client_for(officer_b).get("/children/999999").status_code == 404
    assert _refusals() == []


@pytest.mark.parametrize("path", [
    "/cases/{case}", "/referrals/{referral}", "/providers/{school}", "/children/{child}/history",
])
def test_every_door_records_its_refusals(officer_b, client_for, case_a, referral_a, school_a, path):
    url = path.format(case=case_a.pk, referral=referral_a.reference, school=school_a.pk, child=case_a.child_id)
    assert client_for(officer_b).get(url).status_code == 404
    assert len(_refusals()) == 1


def test_api_refusals_are_recorded_too(officer_b, case_a, child_a):
    from django.test import Client

    from cme.accounts.tokens import api_token_create

    token = api_token_create(user=officer_b, name="test")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get(f"/api/v1/children/{child_a.pk}").status_code == 404
    assert api.get(f"/api/v1/cases/{case_a.pk}").status_code == 404
    assert [(e.object_type, e.via) for e in _refusals()] == [("child", "api"), ("case", "api")]


def test_school_asking_for_a_child_not_on_its_roll_is_recorded(school_user_a, client_for, child_a):
    assert client_for(school_user_a).get(f"/children/{child_a.pk}").status_code == 404
    [event] = _refusals()
    assert event.actor_username == "sam"


def test_a_read_refused_by_role_is_not_audited_as_a_view(school_user_a, client_for, child_a, school_a):
    """A school sees its own pupil, but not the pupil's change history: the history page must
    refuse before the child is read, so no view is recorded for a page never shown."""
    f.enrol(child_a, school_a)
    before = AuditEvent.objects.filter(action=Action.VIEW).count()
    assert client_for(school_user_a).get(f"/children/{child_a.pk}/history").status_code == 403
    assert AuditEvent.objects.filter(action=Action.VIEW).count() == before


@pytest.mark.parametrize("path", ["/cases/{case}/notes", "/cases/{case}/tasks/new", "/cases/{case}/enquiries/new"])
def test_staff_refused_case_work_are_not_audited_as_viewing_the_case(la_a, client_for, case_a, path):
    """An admissions officer sees cases but does not work them: the refusal comes first."""
    admissions = f.make_user(la_a, Role.ADMISSIONS, username="ada")
    before = AuditEvent.objects.filter(action=Action.VIEW).count()
    response = client_for(admissions).post(path.format(case=case_a.pk), {"text": "x"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=Action.VIEW).count() == before


def test_api_refused_case_work_is_not_audited_as_viewing_the_case(la_a, case_a):
    from django.test import Client

    from cme.accounts.tokens import api_token_create

    admissions = f.make_user(la_a, Role.ADMISSIONS, username="ada")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=admissions, name='t')}")
    before = AuditEvent.objects.filter(action=Action.VIEW).count()
    response = api.post(f"/api/v1/cases/{case_a.pk}/tasks", '{"title": "x", "due_on": "2030-01-01"}',
                        content_type="application/json")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=Action.VIEW).count() == before



def _api(user):
    from django.test import Client

    from cme.accounts.tokens import api_token_create

    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='t')}")


def test_api_triage_refused_by_role_is_not_audited_as_viewing_the_referral(la_a, referral_a):
    """The triage operation hands its role check to the referral's door, as the case doors do."""
    admissions = f.make_user(la_a, Role.ADMISSIONS, username="ada")
    response = _api(admissions).post(f"/api/v1/referrals/{referral_a.reference}/triage",
                                     '{"decision": "not_cme", "not_cme_reason": "On roll elsewhere"}',
                                     content_type="application/json")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=Action.VIEW, object_type="referral").exists()


def test_api_triage_of_another_authoritys_referral_is_a_security_event(officer_b, referral_a):
    response = _api(officer_b).post(f"/api/v1/referrals/{referral_a.reference}/triage",
                                    '{"decision": "not_cme", "not_cme_reason": "On roll elsewhere"}',
                                    content_type="application/json")
    assert response.status_code == 404
    assert [(e.object_type, e.object_id, e.via) for e in _refusals()] == [("referral", referral_a.reference, "api")]
