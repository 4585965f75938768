"""Members of the public refer a child without signing in, and get a reference number back."""

import pytest
from django.urls import reverse

from cme.intake.models import Referral
from cme.testing import factories as f

from . import forms_data


@pytest.fixture(autouse=True)
def fast_enough(settings):
    settings.CME_PUBLIC_REFERRAL_MIN_SECONDS = 3


def test_the_form_opens_without_signing_in(client, la_a):
    response = client.get(reverse("intake:public-new"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tell us about a child who may be missing education" in page
    assert 'name="started"' in page
    assert "Which council" not in page  # only one council: nothing to choose


def test_public_referral_gives_a_reference_and_keeps_what_was_given(client, la_a):
    response = client.post(reverse("intake:public-new"), forms_data.public(), follow=True)
    referral = Referral.objects.get()
    assert referral.channel == "online_public"
    assert referral.la == la_a
    assert referral.submitted_by is None
    assert referral.as_received["channel"] == "online_public"
    assert referral.as_received["fields"]["concerns"] == (
        "Not seen at school since half-term.\nFamily may have moved."
    )
    assert referral.as_received["fields"]["child_date_of_birth"] == "2013-05-06"
    assert referral.as_received["fields"]["referrer_name"] == "Pat Neighbour"
    assert "website" not in referral.as_received["fields"]
    page = response.content.decode()
    assert "Referral sent" in page
    assert f"<strong>{referral.reference}</strong>" in page
    assert "govuk-panel--confirmation" in page


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_staff_of_any_la_can_open_the_public_form(persona, client_for, la_a):
    assert client_for(persona).get(reverse("intake:public-new")).status_code == 200


def test_with_several_councils_the_person_chooses_one(client, la_a, la_b):
    page = client.get(reverse("intake:public-new")).content.decode()
    assert "Northmoor Council" in page and "Eastdale Council" in page
    missing = client.post(reverse("intake:public-new"), forms_data.public())
    assert "Select the council the child lives in" in missing.content.decode()
    assert not Referral.objects.exists()
    client.post(reverse("intake:public-new"), forms_data.public(la=str(la_b.pk)))
    assert Referral.objects.get().la == la_b


def test_the_confirmation_link_cannot_be_forged(client, la_a):
    response = client.get(reverse("intake:sent", args=["R901-000001"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:public-new")


def test_a_signed_in_partner_can_use_the_public_form_too(client_for, partner_a, la_a):
    client_for(partner_a).post(reverse("intake:public-new"), forms_data.public())
    assert Referral.objects.get().channel == "online_public"


def test_concerns_are_required(client, la_a):
    response = client.post(reverse("intake:public-new"), forms_data.public(concerns=""))
    assert "Enter why you are worried about the child’s education" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_public_form_takes_no_upn(client, la_a):
    upn = f.make_upn("901")
    client.post(reverse("intake:public-new"), forms_data.public(child_upn=upn))
    assert Referral.objects.get().child_upn == ""
