"""The evidence of joint reasonable enquiries for a deletion under ground 9(1)(h) or 9(1)(i): a
printable page with the child, the school, the ground, the absence, every enquiry and signature
blocks; producing it is audited as an export."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cme.audit.models import AuditEvent
from cme.cases.casework.services import enquiry_record
from cme.cases.models import JointEnquiryEvidence


def _date(prefix, d):
    return {f"{prefix}-day": str(d.day), f"{prefix}-month": str(d.month), f"{prefix}-year": str(d.year)}


@pytest.fixture
def enquired(case_a, officer_a, school_a):
    today = timezone.localdate()
    enquiry_record(actor=officer_a, case=case_a, kind="home_visit", made_on=today - timedelta(days=3),
                   officer=officer_a, outcome="No answer at 4 Mill Lane", joint_with=school_a)
    enquiry_record(actor=officer_a, case=case_a, kind="school_to_school", made_on=today - timedelta(days=2),
                   officer=officer_a, outcome="No CTF sent to any school", next_step="Lost pupil search")
    return case_a


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_produce_a_printable_evidence_page(persona, client_for, enquired, school_a):
    client = client_for(persona)
    assert client.get(f"/cases/{enquired.pk}/evidence/new").status_code == 200
    response = client.post(f"/cases/{enquired.pk}/evidence/new", {
        "school": str(school_a.pk), "ground": "9(1)(i)", **_date("absence_from", date(2026, 1, 5)),
        **_date("last_attended_on", date(2025, 12, 19)), "absence_detail": "Every session coded N",
    })
    assert response.status_code == 302
    evidence = JointEnquiryEvidence.objects.get()
    assert response.url == f"/cases/{enquired.pk}/evidence/{evidence.pk}"
    page = client.get(response.url).text
    assert "Evidence of joint reasonable enquiries" in page
    assert "cases/print.css" in page
    for text in ("Ruby Hartley", "Northmoor Primary School", "9(1)(i)", "Every session coded N",
                 "No answer at 4 Mill Lane", "No CTF sent to any school", "Lost pupil search",
                 "School-to-school transfer records", "Signature", "headteacher"):
        assert text in page, text
    event = AuditEvent.objects.get(action="export")
    assert event.child_id == enquired.child_id and "9(1)(i)" in event.summary


def test_evidence_needs_enquiries_first(officer_a, client_for, case_a, school_a):
    response = client_for(officer_a).post(f"/cases/{case_a.pk}/evidence/new", {
        "school": str(school_a.pk), "ground": "9(1)(h)", **_date("absence_from", date(2026, 1, 5)),
    })
    assert "Record the enquiries made before producing the evidence" in response.text
    assert not JointEnquiryEvidence.objects.exists()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_school_of_another_la_cannot_be_named(officer_a, client_for, enquired, school_b):
    response = client_for(officer_a).post(f"/cases/{enquired.pk}/evidence/new", {
        "school": str(school_b.pk), "ground": "9(1)(i)", **_date("absence_from", date(2026, 1, 5)),
    })
    assert "Choose a school from the list" in response.text
    assert not JointEnquiryEvidence.objects.exists()


def test_officer_of_la_b_gets_404(officer_a, officer_b, client_for, enquired, school_a):
    client_for(officer_a).post(f"/cases/{enquired.pk}/evidence/new", {
        "school": str(school_a.pk), "ground": "9(1)(i)", **_date("absence_from", date(2026, 1, 5)),
    })
    evidence = JointEnquiryEvidence.objects.get()
    client = client_for(officer_b)
    assert client.get(f"/cases/{enquired.pk}/evidence/new").status_code == 404
    assert client.get(f"/cases/{enquired.pk}/evidence/{evidence.pk}").status_code == 404


@pytest.mark.parametrize("outsider", ["school_user_a", "partner_a"])
def test_schools_and_partners_are_refused(request, outsider, client_for, enquired):
    client = client_for(request.getfixturevalue(outsider))
    assert client.get(f"/cases/{enquired.pk}/evidence/new").status_code in (403, 404)


def test_the_ground_needs_its_school_days_of_absence_by_the_calendar(officer_a, client_for, enquired, school_a, la_a):
    from cme.attendance.selectors import provider_calendar
    from cme.attendance.services import term_dates_import

    today = timezone.localdate()
    rows = f"scope,kind,start,end,name\n901,term,{today - timedelta(days=200)},{today + timedelta(days=30)},Term\n"
    term_dates_import(actor=None, la_id=la_a.pk, lines=rows.splitlines(keepends=True), filename="terms.csv")
    short = today - timedelta(days=10)
    days = provider_calendar(la_id=la_a.pk, provider_id=school_a.pk).school_days_between(short - timedelta(days=1), today)
    client = client_for(officer_a)
    response = client.post(f"/cases/{enquired.pk}/evidence/new", {
        "school": str(school_a.pk), "ground": "9(1)(i)", **_date("absence_from", short),
    })
    assert f"Ground 9(1)(i) needs 20 school days of absence; there have been {days}" in response.text
    assert not JointEnquiryEvidence.objects.exists()
    long_ago = today - timedelta(days=45)
    response = client.post(f"/cases/{enquired.pk}/evidence/new", {
        "school": str(school_a.pk), "ground": "9(1)(i)", **_date("absence_from", long_ago),
    })
    assert response.status_code == 302
    evidence = JointEnquiryEvidence.objects.get()
    assert evidence.school_days_absent >= 20
    assert f"{evidence.school_days_absent} school days" in client.get(response.url).text
