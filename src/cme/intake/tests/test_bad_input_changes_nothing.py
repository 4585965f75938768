"""Bad input gets a message naming the field, linked from the error summary, and saves nothing."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from cme.audit.models import AuditEvent
from cme.cases.models import Case
from cme.intake.models import Referral, ReferralStatus
from cme.testing import factories as f

from . import forms_data

TODAY = date.today()
BAD_CHILD_INPUT = [
    pytest.param(forms_data.date_boxes("child_date_of_birth", TODAY + timedelta(days=3)),
                 "Date of birth must be in the past", "#child_date_of_birth-day", id="dob-in-future"),
    pytest.param(forms_data.date_boxes("child_date_of_birth", TODAY.replace(year=TODAY.year - 30)),
                 "Date of birth must be of someone aged 25 or under", "#child_date_of_birth-day",
                 id="dob-over-25"),
    pytest.param({"child_date_of_birth-day": "31", "child_date_of_birth-month": "2",
                  "child_date_of_birth-year": "2014"},
                 "Date of birth must be a real date", "#child_date_of_birth-day", id="dob-not-a-date"),
    pytest.param({"child_forename": "", "child_surname": ""},
                 "Enter the child’s first name or last name", "#id_child_forename", id="no-name"),
]


def wrong_upn() -> str:
    upn = f.make_upn("901")
    return ("B" if upn[0] != "B" else "C") + upn[1:]


def assert_error_shown(response, message: str, anchor: str) -> None:
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert f'href="{anchor}"' in page
    assert "govuk-error-message" in page


@pytest.mark.parametrize(("bad", "message", "anchor"), BAD_CHILD_INPUT)
def test_officer_form_refuses_bad_child_details(bad, message, anchor, client_for, officer_a):
    response = client_for(officer_a).post(reverse("intake:officer-new"), forms_data.officer(**bad))
    assert_error_shown(response, message, anchor)
    assert not Referral.objects.exists()


def test_officer_form_refuses_a_upn_with_a_wrong_check_letter(client_for, officer_a):
    response = client_for(officer_a).post(
        reverse("intake:officer-new"), forms_data.officer(child_upn=wrong_upn())
    )
    assert_error_shown(response, "The UPN’s check letter is wrong", "#id_child_upn")
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action="create").exists()


def test_officer_form_refuses_a_contact_received_in_the_future(client_for, officer_a):
    tomorrow = TODAY + timedelta(days=1)
    response = client_for(officer_a).post(
        reverse("intake:officer-new"),
        forms_data.officer(**forms_data.date_boxes("received_at", tomorrow)),
    )
    assert_error_shown(response, "The date and time received must be in the past", "#received_at-day")
    assert not Referral.objects.exists()


@pytest.mark.parametrize(("field", "value", "message", "anchor"), [
    ("channel", "", "Select how the contact was received", "#channel"),
    ("channel", "api", "Select how the contact was received", "#channel"),
    ("received_time", "", "Enter the time the contact was received", "#id_received_time"),
    ("received_time", "25:00", "Enter the time received like 14:30 or 2:30pm", "#id_received_time"),
    ("referrer_email", "not-an-email", "Enter an email address in the correct format", "#id_referrer_email"),
])
def test_officer_form_names_each_missing_or_wrong_field(field, value, message, anchor, client_for, officer_a):
    response = client_for(officer_a).post(reverse("intake:officer-new"), forms_data.officer(**{field: value}))
    assert_error_shown(response, message, anchor)
    assert not Referral.objects.exists()


@pytest.mark.parametrize(("bad", "message", "anchor"), BAD_CHILD_INPUT)
def test_public_form_refuses_bad_child_details(bad, message, anchor, client, la_a, settings):
    settings.CME_PUBLIC_REFERRAL_MIN_SECONDS = 3
    response = client.post(reverse("intake:public-new"), forms_data.public(**bad))
    assert_error_shown(response, message, anchor)
    assert not Referral.objects.exists()


@pytest.mark.parametrize(("bad", "message", "anchor"), BAD_CHILD_INPUT)
def test_partner_form_refuses_bad_child_details(bad, message, anchor, client_for, partner_a):
    response = client_for(partner_a).post(
        reverse("intake:partner-new"), forms_data.child(referrer_name="Pat", **bad)
    )
    assert_error_shown(response, message, anchor)
    assert not Referral.objects.exists()


def test_partner_form_refuses_a_wrong_upn(client_for, school_user_a):
    response = client_for(school_user_a).post(
        reverse("intake:partner-new"), forms_data.child(referrer_name="Sam", child_upn=wrong_upn())
    )
    assert_error_shown(response, "The UPN’s check letter is wrong", "#id_child_upn")
    assert not Referral.objects.exists()


def _triage(client, referral, **data):
    from .test_triage_decisions import triage_data

    return client.post(reverse("intake:triage", args=[referral.reference]), triage_data(referral, **data))


def _unchanged(referral, before) -> None:
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_TRIAGE
    assert (referral.child_forename, referral.child_surname, referral.child_date_of_birth,
            referral.child_upn) == before
    assert not Case.objects.exists()
    assert not AuditEvent.objects.filter(action="change").exists()


@pytest.mark.parametrize("action", ["save", "decide"])
@pytest.mark.parametrize(("bad", "message", "anchor"), BAD_CHILD_INPUT)
def test_triage_refuses_bad_corrections(bad, message, anchor, action, client_for, officer_a, referral_a):
    before = (referral_a.child_forename, referral_a.child_surname, referral_a.child_date_of_birth,
              referral_a.child_upn)
    response = _triage(client_for(officer_a), referral_a, action=action, decision="new",
                       category="missing", reason="other", **bad)
    assert_error_shown(response, message, anchor)
    _unchanged(referral_a, before)


def test_triage_refuses_a_wrong_upn_and_opens_no_case(client_for, officer_a, referral_a):
    before = (referral_a.child_forename, referral_a.child_surname, referral_a.child_date_of_birth,
              referral_a.child_upn)
    response = _triage(client_for(officer_a), referral_a, child_upn=wrong_upn(), decision="new",
                       category="missing", reason="other")
    assert_error_shown(response, "The UPN’s check letter is wrong", "#id_child_upn")
    _unchanged(referral_a, before)


@pytest.mark.parametrize(("data", "message", "anchor"), [
    ({}, "Select what should happen to this referral", "#outcome"),
    ({"decision": "new", "reason": "other"},
     "Select whether the child is missing education or at risk of missing it", "#category"),
    ({"decision": "new", "category": "missing"}, "Select a reason", "#id_reason"),
    # Checked by the service, after the correction: the correction must be undone with it.
    ({"decision": "not_cme", "not_cme_reason": "  "},
     "Enter why this child is not missing education", "#id_not_cme_reason"),
])
def test_triage_asks_for_each_missing_choice(data, message, anchor, client_for, officer_a, referral_a):
    before = (referral_a.child_forename, referral_a.child_surname, referral_a.child_date_of_birth,
              referral_a.child_upn)
    response = _triage(client_for(officer_a), referral_a, child_surname="Corrected", **data)
    assert_error_shown(response, message, anchor)
    _unchanged(referral_a, before)


def test_a_new_child_cannot_be_opened_with_the_upn_of_a_child_on_the_register(
    client_for, officer_a, la_a
):
    upn = f.make_upn("901")
    f.make_child(la_a, legal_forename="Amelia", legal_surname="Price", upn=upn)
    referral = Referral.objects.create(
        la=la_a, reference="R901-X1", channel="phone", received_at=referral_received(),
        as_received={"fields": {}}, child_forename="Millie", child_surname="Price", child_upn=upn,
    )
    before = (referral.child_forename, referral.child_surname, referral.child_date_of_birth, upn)
    response = _triage(client_for(officer_a), referral, decision="new", category="missing",
                       reason="other")
    assert_error_shown(response, "already on the register with this UPN", "#decision")
    _unchanged(referral, before)


def referral_received():
    from django.utils import timezone

    return timezone.now() - timedelta(hours=2)


def test_public_form_lists_errors_in_the_order_of_the_fields_with_the_name_on_both(client, la_a):
    import re

    response = client.post("/refer", {"child_date_of_birth-day": "31", "child_date_of_birth-month": "2",
                                      "child_date_of_birth-year": "2015", "concerns": ""})
    page = response.content.decode()
    summary = page.split("govuk-error-summary__list")[1].split("</ul>")[0]
    anchors = re.findall(r'href="#([^"]+)"', summary)
    # First name, then date of birth, then the concerns: the page's order, the name listed once.
    assert anchors.index("id_child_forename") < anchors.index("child_date_of_birth-day") \
        < anchors.index("id_concerns")
    assert summary.count("first name or last name") == 1
    for field in ("id_child_forename", "id_child_surname"):
        assert re.search(rf'id="{field}-error"', page), field


def test_the_confirmation_names_the_councils_cme_contact(client_for, partner_a, la_a):
    la_a.contact_name, la_a.contact_phone, la_a.contact_email = "CME team", "01632 960000", "cme@northmoor.example"
    la_a.save()
    response = client_for(partner_a).post("/partner/referrals/new", {
        "child_forename": "Ada", "child_surname": "Lane", "concerns": "Not at school since May",
        "referrer_name": "PC Farrell", "referrer_email": "farrell@police.example"}, follow=True)
    page = response.content.decode()
    assert "Referral sent" in page, page[:400]
    assert "01632 960000" in page and "cme@northmoor.example" in page


def test_a_school_home_links_to_its_own_referrals(client_for, school_user_a):
    assert 'href="/partner/referrals"' in client_for(school_user_a).get("/").content.decode()
