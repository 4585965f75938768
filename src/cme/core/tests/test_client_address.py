"""One rule decides the client's address (cme.core.client.client_address): the audit trail, the
public form's flood limit and sign-in lock-out all use it, behind a proxy as without one."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from cme.audit.models import Action, AuditEvent
from cme.core.client import client_address
from cme.intake.models import Referral
from cme.intake.tests import forms_data


def _request(**meta):
    return RequestFactory().get("/", **meta)


def test_without_a_proxy_the_address_is_the_connections(settings):
    settings.CME_CLIENT_IP_HEADER = ""
    assert client_address(_request(REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="6.6.6.6")) == "192.0.2.9"


def test_behind_a_proxy_the_address_the_proxy_saw_is_used_not_one_the_client_wrote(settings):
    settings.CME_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.CME_TRUSTED_PROXIES = 1
    # The client wrote 6.6.6.6 itself; the proxy appended the address it saw.
    request = _request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_address(request) == "203.0.113.7"


def test_two_proxies_count_from_the_right(settings):
    settings.CME_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.CME_TRUSTED_PROXIES = 2
    request = _request(REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.2")
    assert client_address(request) == "203.0.113.7"


@pytest.mark.parametrize("header", ["", "not-an-address", "1.2.3", "<script>"])
def test_a_missing_or_garbled_header_falls_back_to_the_connection(settings, header):
    settings.CME_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client_address(_request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=header)) == "10.0.0.2"


def test_ipv6_is_given_in_its_normal_form(settings):
    settings.CME_CLIENT_IP_HEADER = ""
    assert client_address(_request(REMOTE_ADDR="2001:0DB8:0:0:0:0:0:0001")) == "2001:db8::1"


def test_audit_and_flood_limit_agree_on_the_address_behind_a_proxy(client, la_a, settings):
    settings.CME_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.CME_TRUSTED_PROXIES = 1
    settings.CME_PUBLIC_REFERRAL_RATE = "1/h"
    settings.CME_PUBLIC_REFERRAL_MIN_SECONDS = 0
    url = reverse("intake:public-new")
    through_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    first = client.post(url, forms_data.public(), HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", **through_proxy)
    assert first.status_code == 302
    # The same visitor writing another address of their own is still the same visitor.
    again = client.post(url, forms_data.public(), HTTP_X_FORWARDED_FOR="7.7.7.7, 203.0.113.7", **through_proxy)
    assert again.status_code == 429
    # Another visitor behind the same proxy has their own limit.
    other = client.post(url, forms_data.public(), HTTP_X_FORWARDED_FOR="203.0.113.8", **through_proxy)
    assert other.status_code == 302
    assert Referral.objects.count() == 2
    created = AuditEvent.objects.filter(action=Action.CREATE, object_type="referral").order_by("id")
    assert [e.ip_address for e in created] == ["203.0.113.7", "203.0.113.8"]


def test_sign_in_failures_are_counted_by_the_same_address(client, officer_a, settings):
    from axes.models import AccessAttempt

    settings.CME_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.CME_TRUSTED_PROXIES = 1
    client.post("/sign-in", {"username": "alice", "password": "wrong"},
                REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.7"]
    event = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert event.ip_address == "203.0.113.7"
