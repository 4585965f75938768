"""A flood of public referrals from one address is stopped with a "too many referrals" page."""

from django.urls import reverse

from cme.intake.models import Referral

from . import forms_data


def test_more_referrals_than_the_rate_allows_get_429(client, la_a, settings):
    settings.CME_PUBLIC_REFERRAL_RATE = "2/h"
    settings.CME_PUBLIC_REFERRAL_MIN_SECONDS = 0
    for _ in range(2):
        assert client.post(reverse("intake:public-new"), forms_data.public()).status_code == 302
    response = client.post(reverse("intake:public-new"), forms_data.public())
    assert response.status_code == 429
    assert "too many referrals" in response.content.decode()
    assert Referral.objects.count() == 2


def test_the_limit_is_per_address(client, la_a, settings):
    settings.CME_PUBLIC_REFERRAL_RATE = "1/h"
    settings.CME_PUBLIC_REFERRAL_MIN_SECONDS = 0
    url = reverse("intake:public-new")
    assert client.post(url, forms_data.public(), REMOTE_ADDR="192.0.2.1").status_code == 302
    assert client.post(url, forms_data.public(), REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.post(url, forms_data.public(), REMOTE_ADDR="192.0.2.2").status_code == 302


def test_reading_the_form_is_not_counted(client, la_a, settings):
    settings.CME_PUBLIC_REFERRAL_RATE = "1/h"
    for _ in range(3):
        assert client.get(reverse("intake:public-new")).status_code == 200
