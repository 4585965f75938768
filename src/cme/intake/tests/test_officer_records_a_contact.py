"""An officer records a phone call, email, truancy sweep, letter or visit as a referral."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from cme.intake.models import Referral

from . import forms_data


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_officer_records_a_phone_call_from_the_police(persona, client_for, la_a):
    response = client_for(persona).post(reverse("intake:officer-new"), forms_data.officer(), follow=True)
    referral = Referral.objects.get()
    assert referral.la == la_a
    assert referral.channel == "phone"
    assert referral.submitted_by == persona
    assert referral.referrer_organisation == "Northmoor Police"
    assert referral.child_postcode == "NM1 2AB"
    assert referral.as_received["fields"]["child_postcode"] == "nm1 2ab"
    assert referral.received_at.date() == date.today()
    assert response.redirect_chain[-1][0] == reverse("intake:detail", args=[referral.reference])
    assert f"Referral {referral.reference} recorded" in response.content.decode()


def test_officer_of_la_b_records_into_la_b(client_for, officer_b, la_b):
    client_for(officer_b).post(reverse("intake:officer-new"), forms_data.officer(channel="sweep"))
    referral = Referral.objects.get()
    assert referral.la == la_b
    assert referral.get_channel_display() == "Truancy sweep"


def test_the_time_received_can_be_typed_as_people_write_it(client_for, officer_a):
    client_for(officer_a).post(
        reverse("intake:officer-new"),
        forms_data.officer(**forms_data.date_boxes("received_at", date(2026, 1, 5)), received_time="2:30pm"),
    )
    received = timezone.localtime(Referral.objects.get().received_at)
    assert (received.date(), received.hour, received.minute) == (date(2026, 1, 5), 14, 30)


def test_the_form_starts_with_now_as_the_time_received(client_for, officer_a):
    page = client_for(officer_a).get(reverse("intake:officer-new")).content.decode()
    assert f'value="{date.today().year}"' in page
    assert "How was the contact received?" in page


@pytest.mark.parametrize("persona", ["partner_a", "school_user_a"], indirect=True)
def test_partners_and_schools_use_their_own_form_not_this_one(persona, client_for):
    assert client_for(persona).get(reverse("intake:officer-new")).status_code == 403
    assert client_for(persona).post(reverse("intake:officer-new"), forms_data.officer()).status_code == 403
    assert not Referral.objects.exists()
