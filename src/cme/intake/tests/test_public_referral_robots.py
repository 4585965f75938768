"""Robots are refused: a filled honeypot, or a form sent faster than a person could."""

from django.urls import reverse

from cme.intake.models import Referral

from . import forms_data


def test_a_filled_honeypot_is_refused_without_creating_a_referral(client, la_a, settings):
    settings.CME_PUBLIC_REFERRAL_MIN_SECONDS = 3
    response = client.post(
        reverse("intake:public-new"), forms_data.public(website="http://spam.example")
    )
    assert response.status_code == 200
    assert "We could not send your referral" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_honeypot_is_hidden_from_people_and_assistive_technology(client, la_a):
    page = client.get(reverse("intake:public-new")).content.decode()
    assert '<div hidden aria-hidden="true">' in page
    assert 'name="website"' in page
    assert 'tabindex="-1"' in page


def test_a_form_sent_too_fast_is_refused_without_creating_a_referral(client, la_a, settings):
    settings.CME_PUBLIC_REFERRAL_MIN_SECONDS = 30
    response = client.post(
        reverse("intake:public-new"), forms_data.public(started=forms_data.started(seconds_ago=2))
    )
    assert "We could not send your referral" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_form_without_a_genuine_start_time_is_refused(client, la_a):
    for started in ("", "1700000000", forms_data.started(60) + "x"):
        response = client.post(reverse("intake:public-new"), forms_data.public(started=started))
        assert "We could not send your referral" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_person_who_was_refused_can_send_again_with_the_start_time_they_began_with(
    client, la_a, settings
):
    settings.CME_PUBLIC_REFERRAL_MIN_SECONDS = 30
    began = forms_data.started(seconds_ago=40)
    response = client.post(reverse("intake:public-new"), forms_data.public(concerns="", started=began))
    assert f'value="{began}"' in response.content.decode()
