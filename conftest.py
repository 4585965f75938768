"""Shared fixtures. Three personas appear in every access test:

- officer_a: a CME officer of LA A
- manager_a: a manager of LA A
- officer_b: a CME officer of LA B, who must see nothing of A
"""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from cme.accounts.models import Role
from cme.testing import factories as f
from cme.testing.pages import PageCheckingClient


def sign_in(client: Client, user) -> Client:
    """Sign a user in as if they had passed two-factor sign-in."""
    client.force_login(user)
    if user.is_la_staff:
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    """The per-process cache holds data of one test's database; never let the next test see it."""
    from django.core.cache import caches

    caches["local"].clear()
    yield
    caches["local"].clear()


@pytest.fixture
def la_a(db):
    return f.make_la("Northmoor Council", "901")


@pytest.fixture
def la_b(db):
    return f.make_la("Eastdale Council", "907")


@pytest.fixture
def school_a(la_a):
    return f.make_school(la_a, "Northmoor Primary School", estab="2001")


@pytest.fixture
def school_b(la_b):
    return f.make_school(la_b, "Eastdale Academy", estab="4001")


@pytest.fixture
def officer_a(la_a):
    return f.make_user(la_a, Role.CME_OFFICER, username="alice")


@pytest.fixture
def manager_a(la_a):
    return f.make_user(la_a, Role.MANAGER, username="mary")


@pytest.fixture
def officer_b(la_b):
    return f.make_user(la_b, Role.CME_OFFICER, username="bob")


@pytest.fixture
def school_user_a(school_a):
    return f.make_user(school_a, Role.SCHOOL, username="sam")


@pytest.fixture
def partner_a(la_a):
    return f.make_user(f.make_partner(la_a), Role.PARTNER, username="pat")


@pytest.fixture
def persona(request):
    """Parametrise a test over the three personas by name."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def child_a(la_a, school_a):
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley")
    return child


@pytest.fixture
def case_a(child_a, officer_a):
    return f.make_case(child_a, responsible_officer=officer_a)


@pytest.fixture
def referral_a(la_a):
    return f.make_referral(la_a, child_forename="Leo", child_surname="Marsh")


@pytest.fixture
def client():
    """An anonymous test client that checks every HTML page it gets (cme.testing.pages)."""
    return PageCheckingClient()


@pytest.fixture
def client_for():
    """client_for(user) -> a signed-in test client that checks every HTML page it gets."""
    def build(user):
        return sign_in(PageCheckingClient(), user)
    return build
