"""Enquiries: recorded with date, officer, outcome and next step; the case page shows which kinds
are done and which remain; a date in the future is refused and nothing is saved."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cme.audit.models import AuditEvent
from cme.cases.models import Enquiry, EnquiryKind, Stage


def _date(prefix, d):
    return {f"{prefix}-day": str(d.day), f"{prefix}-month": str(d.month), f"{prefix}-year": str(d.year)}


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_record_a_home_visit_and_the_case_moves_to_locating(persona, client_for, case_a, officer_a):
    client = client_for(persona)
    assert client.get(f"/cases/{case_a.pk}/enquiries/new").status_code == 200
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(f"/cases/{case_a.pk}/enquiries/new", {
        "kind": "home_visit", **_date("made_on", yesterday), "officer": str(officer_a.pk),
        "outcome": "No answer; neighbour says the family left in May", "next_step": "Ask housing",
    })
    assert response.status_code == 302
    enquiry = Enquiry.objects.get(case=case_a)
    assert (enquiry.kind, enquiry.made_on, enquiry.officer, enquiry.recorded_by) == (
        "home_visit", yesterday, officer_a, persona)
    assert enquiry.next_step == "Ask housing"
    case_a.refresh_from_db()
    assert case_a.stage == Stage.LOCATING
    assert AuditEvent.objects.filter(object_type="case", summary__startswith="Recorded an enquiry (home visit)").exists()


def test_case_page_shows_which_enquiries_are_done_and_which_remain(officer_a, client_for, case_a):
    client = client_for(officer_a)
    today = timezone.localdate()
    client.post(f"/cases/{case_a.pk}/enquiries/new", {
        "kind": "health", **_date("made_on", today), "officer": str(officer_a.pk),
        "outcome": "Registered with a GP in Eastdale since April",
    })
    page = client.get(f"/cases/{case_a.pk}").text
    assert "1 of 15 kinds of enquiry made." in page
    assert "Registered with a GP in Eastdale since April" in page
    for label in EnquiryKind.labels:
        assert label.replace("’", "&#8217;") in page or label in page
    assert page.count("Not yet made") == 14
    assert "Enquiry: Health or GP registration" in page  # on the timeline


def test_an_enquiry_dated_in_the_future_is_refused_and_nothing_is_saved(officer_a, client_for, case_a):
    events = AuditEvent.objects.count()
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/enquiries/new", {
        "kind": "phone", **_date("made_on", timezone.localdate() + timedelta(days=1)),
        "officer": str(officer_a.pk), "outcome": "Spoke to mother",
    })
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "The date of the enquiry must be today or in the past" in response.text
    assert not Enquiry.objects.exists()
    case_a.refresh_from_db()
    assert case_a.stage == Stage.LOGGED
    # Only the page views were audited, nothing changed.
    assert not AuditEvent.objects.filter(action="change").exists()
    assert AuditEvent.objects.count() == events + 1


def test_an_enquiry_without_date_or_outcome_names_each_field(officer_a, client_for, case_a):
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/enquiries/new", {
        "kind": "phone", "officer": str(officer_a.pk), "outcome": "",
    })
    assert "Enter what the enquiry found" in response.text
    assert not Enquiry.objects.exists()
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/enquiries/new", {
        "kind": "phone", "officer": str(officer_a.pk), "outcome": "Spoke to mother",
    })
    assert "Enter the date of the enquiry" in response.text
    assert not Enquiry.objects.exists()


def test_an_officer_of_another_la_cannot_be_named(officer_a, officer_b, client_for, case_a):
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/enquiries/new", {
        "kind": "phone", **_date("made_on", timezone.localdate()), "officer": str(officer_b.pk),
        "outcome": "x",
    })
    assert "Choose an officer from the list" in response.text
    assert not Enquiry.objects.exists()


def test_officer_of_la_b_gets_404(officer_b, client_for, case_a, officer_a):
    client = client_for(officer_b)
    assert client.get(f"/cases/{case_a.pk}/enquiries/new").status_code == 404
    response = client.post(f"/cases/{case_a.pk}/enquiries/new", {
        "kind": "phone", **_date("made_on", timezone.localdate()), "officer": str(officer_a.pk), "outcome": "x",
    })
    assert response.status_code == 404
    assert not Enquiry.objects.exists()


@pytest.mark.parametrize("outsider", ["school_user_a", "partner_a"])
def test_schools_and_partners_are_refused(request, outsider, client_for, case_a):
    client = client_for(request.getfixturevalue(outsider))
    assert client.get(f"/cases/{case_a.pk}/enquiries/new").status_code in (403, 404)
    assert client.post(f"/cases/{case_a.pk}/enquiries/new", {"kind": "phone"}).status_code in (403, 404)
    assert not Enquiry.objects.exists()
