"""An officer who walks away is signed out after 30 minutes idle."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone


def test_sessions_expire_after_thirty_minutes_idle_and_at_browser_close():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY


def test_each_page_pushes_the_expiry_back(client_for, officer_a):
    client = client_for(officer_a)
    client.get("/")
    expiry = Session.objects.get(session_key=client.session.session_key).expire_date
    assert timedelta(minutes=29) < expiry - timezone.now() <= timedelta(minutes=30)


def test_an_expired_session_is_sent_to_sign_in(client_for, officer_a):
    client = client_for(officer_a)
    assert client.get("/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in?next=/"


def test_a_session_used_again_after_a_minute_is_kept_alive(client_for, officer_a):
    client = client_for(officer_a)
    client.get("/")
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=5))
    session = client.session
    session["_touched"] = 0  # last touched long ago: idle time, not time since sign-in
    session.save()
    client.get("/")
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry - timezone.now() > timedelta(minutes=29)


def test_a_session_is_not_written_on_every_page(client_for, officer_a):
    client = client_for(officer_a)
    client.get("/")
    key = client.session.session_key
    soon = timezone.now() + timedelta(minutes=5)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    client.get("/")  # within the minute: no write
    assert Session.objects.get(session_key=key).expire_date == soon
