"""Locating: found at an address (added to the child's address history, case located); moved to
another LA (referred by e-mail to its named CME contact, what was sent kept, never restricted
detail); left the country; cannot be found (kept open at locating)."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from cme.cases.casework.services import case_moved_to_other_la
from cme.cases.models import LocationRecord, OtherLaReferral, Stage, Whereabouts
from cme.people.models import VulnerabilityFlag
from cme.providers.models import Organisation, OrgKind
from cme.testing import factories as f
from cme.testing.tasks import run_queued_tasks


def _date(prefix, d):
    return {f"{prefix}-day": str(d.day), f"{prefix}-month": str(d.month), f"{prefix}-year": str(d.year)}


@pytest.fixture
def barnet(la_a):
    return Organisation.objects.create(
        kind=OrgKind.OTHER_LA, la=la_a, la_code="302", name="Barnet",
        contact_name="Chris Contact", contact_email="cme@barnet.example",
    )


def _refresh(case):
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_child_found_at_an_address_moves_the_case_to_located(persona, client_for, case_a):
    client = client_for(persona)
    assert client.get(f"/cases/{case_a.pk}/found").status_code == 200
    day = timezone.localdate() - timedelta(days=2)
    response = client.post(f"/cases/{case_a.pk}/found", {
        **_date("on", day), "line1": "4 Canal Row", "town": "Northmoor", "postcode": "nm1 2ab",
        "parental_responsibility": "Jane Hartley (mother)",
    })
    assert response.status_code == 302
    case = _refresh(case_a)
    assert case.stage == Stage.LOCATED and case.located_on == day
    assert case.whereabouts == Whereabouts.FOUND
    address = case.child.addresses.get(lived_to__isnull=True)
    assert (address.line1, address.postcode, address.lived_from) == ("4 Canal Row", "NM1 2AB", day)
    record = LocationRecord.objects.get(case=case)
    assert record.address == address and record.parental_responsibility == "Jane Hartley (mother)"
    page = client.get(f"/cases/{case.pk}").text
    assert "Found at an address" in page and "Jane Hartley (mother)" in page


def test_found_needs_the_address_and_who_has_parental_responsibility(officer_a, client_for, case_a):
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/found", _date("on", timezone.localdate()))
    assert "Enter the first line of the address where the child was found" in response.text
    assert "Enter who has parental responsibility" in response.text
    assert not LocationRecord.objects.exists() and not case_a.child.addresses.exists()
    assert _refresh(case_a).stage == Stage.LOGGED


def test_moved_to_another_la_refers_the_case_to_its_named_cme_contact(
    officer_a, client_for, case_a, barnet, django_capture_on_commit_callbacks
):
    VulnerabilityFlag.objects.create(child=case_a.child, flag="child_protection")
    client = client_for(officer_a)
    page = client.get(f"/cases/{case_a.pk}/moved")
    assert "Barnet" in page.text
    day = timezone.localdate() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cases/{case_a.pk}/moved", {
            "other_la": str(barnet.pk), **_date("on", day), "detail": "Aunt says they moved to Barnet in June",
        })
    assert response.status_code == 302
    assert mail.outbox == []  # queued for the worker, not sent inside the request
    assert "queued to send" in client.get(f"/cases/{case_a.pk}").text
    run_queued_tasks()
    [sent] = mail.outbox
    assert sent.to == ["cme@barnet.example"]
    assert case_a.reference in sent.subject
    # Nothing restricted leaves the authority: no vulnerabilities at all.
    assert "protection" not in sent.body.lower() and "child_protection" not in sent.body
    referral = OtherLaReferral.objects.get(case=case_a)
    assert referral.email.state == "sent" and referral.email.attempts == 1
    assert (referral.sent_to_email, referral.subject, referral.body) == (sent.to[0], sent.subject, sent.body)
    assert referral.sent_by == officer_a and referral.sent_at is not None
    case = _refresh(case_a)
    assert case.whereabouts == Whereabouts.MOVED_LA and case.stage == Stage.LOCATED
    page = client.get(f"/cases/{case.pk}").text
    assert "Referred to Barnet" in page and "cme@barnet.example" in page and ": sent" in page


def test_the_hand_off_e_mail_carries_no_personal_data(officer_a, case_a, barnet):
    """Issue 9 point 4: the e-mail to the other authority named the child, their date of birth,
    UPN and last school, and what the officer wrote of the move; the escalation e-mail names
    none of them. Now it carries the reference, who to contact and where to sign in."""
    child = case_a.child
    child.date_of_birth, child.upn = date(2014, 3, 9), "W901200124001"
    child.save()
    case_a.last_known_placement = "Northmoor Primary School"
    case_a.save()
    referral = case_moved_to_other_la(actor=officer_a, case=case_a, on=timezone.localdate(), other_la=barnet,
                                      detail="Aunt says they moved to Barnet in June")
    text = referral.subject + referral.body
    for personal in ("Ruby", "Hartley", "9 March 2014", "2014", "W901200124001", "Northmoor Primary", "Aunt"):
        assert personal not in text, personal
    assert case_a.reference in text and "Sign in" in text and settings.CME_BASE_URL in text
    assert referral.email.body == referral.body  # exactly what is sent is kept


def test_an_la_with_no_contact_e_mail_is_refused_and_nothing_is_sent(officer_a, client_for, case_a, barnet):
    barnet.contact_email = ""
    barnet.save()
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/moved", {
        "other_la": str(barnet.pk), **_date("on", timezone.localdate()),
    })
    assert "Barnet has no named CME contact e-mail" in response.text
    assert mail.outbox == [] and not OtherLaReferral.objects.exists() and not LocationRecord.objects.exists()


def test_other_la_acceptance_lets_the_case_close_as_moved(officer_a, client_for, case_a, barnet):
    client = client_for(officer_a)
    client.post(f"/cases/{case_a.pk}/moved", {"other_la": str(barnet.pk), **_date("on", timezone.localdate())})
    closing = {"outcome": "moved_la"}
    response = client.post(f"/cases/{case_a.pk}/close", closing)
    assert "Record that the other authority accepted the child" in response.text
    assert _refresh(case_a).is_open
    referral = OtherLaReferral.objects.get()
    response = client.post(f"/cases/{case_a.pk}/other-la/{referral.pk}/accepted",
                           _date("accepted_on", timezone.localdate()))
    assert response.status_code == 302
    assert client.post(f"/cases/{case_a.pk}/close", closing).status_code == 302
    case = _refresh(case_a)
    assert case.stage == Stage.CLOSED and case.outcome == "moved_la"


def test_left_the_country(officer_a, client_for, case_a):
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/left-country", {
        **_date("on", timezone.localdate()), "country": "Poland", "detail": "Grandmother confirmed",
    })
    assert response.status_code == 302
    case = _refresh(case_a)
    assert case.whereabouts == Whereabouts.LEFT_COUNTRY and case.stage == Stage.LOCATED
    assert LocationRecord.objects.get().country == "Poland"


def test_cannot_be_found_keeps_the_case_open_at_locating(officer_a, client_for, child_a):
    case = f.make_case(child_a, stage="located", located_on=timezone.localdate() - timedelta(days=3))
    client = client_for(officer_a)
    response = client.post(f"/cases/{case.pk}/not-found", {
        **_date("on", timezone.localdate()), "detail": "Home visit twice, no answer; school, GP, housing checked",
    })
    assert response.status_code == 302
    case = _refresh(case)
    assert case.stage == Stage.LOCATING and case.is_open and case.whereabouts == Whereabouts.NOT_FOUND
    page = client.get(f"/cases/{case.pk}").text
    assert "The child cannot be found. The case stays open at locating" in page
    assert child_a.pk in [c.pk for c in type(child_a).objects.all()]  # still on the register


def test_cannot_be_found_needs_what_was_tried(officer_a, client_for, case_a):
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/not-found", _date("on", timezone.localdate()))
    assert "Enter what has been tried so far" in response.text
    assert not LocationRecord.objects.exists()


@pytest.mark.parametrize("path", ["found", "moved", "left-country", "not-found"])
def test_officer_of_la_b_gets_404(officer_b, client_for, case_a, path):
    client = client_for(officer_b)
    assert client.get(f"/cases/{case_a.pk}/{path}").status_code == 404
    assert client.post(f"/cases/{case_a.pk}/{path}", {}).status_code == 404


@pytest.mark.parametrize("outsider", ["school_user_a", "partner_a"])
def test_schools_and_partners_are_refused(request, outsider, client_for, case_a):
    client = client_for(request.getfixturevalue(outsider))
    for path in ("found", "moved", "left-country", "not-found"):
        assert client.get(f"/cases/{case_a.pk}/{path}").status_code in (403, 404)
    assert not LocationRecord.objects.exists()


def test_a_refuge_address_is_shown_only_to_roles_that_may_see_restricted_detail(officer_a, la_a, client_for, case_a):
    from cme.accounts.models import Role

    client_for(officer_a).post(f"/cases/{case_a.pk}/found", {
        **_date("on", timezone.localdate()), "line1": "1 Safe House Lane", "is_refuge": "on",
        "parental_responsibility": "Jane Hartley (mother)",
    })
    assert "1 Safe House Lane" in client_for(officer_a).get(f"/cases/{case_a.pk}").text
    admissions = f.make_user(la_a, Role.ADMISSIONS)
    page = client_for(admissions).get(f"/cases/{case_a.pk}").text
    assert "1 Safe House Lane" not in page and "(address restricted)" in page


def test_every_disclosure_records_its_lawful_basis(officer_a, case_a, barnet):
    """Issue 15 point 5: the basis in law is kept with what was sent, and in the audit trail."""
    from cme.audit.models import AuditEvent

    referral = case_moved_to_other_la(actor=officer_a, case=case_a, on=timezone.localdate(), other_la=barnet)
    assert "Art. 6(1)(e)" in referral.lawful_basis and "s436A" in referral.lawful_basis
    event = AuditEvent.objects.filter(summary__startswith="Referred case").latest("at")
    assert event.detail["lawful_basis"] == referral.lawful_basis
