"""Every form refuses what the API and the file readers refuse (cme.core.inputs), naming the
field: control characters, direction overrides, line breaks in one-line fields, text beyond the
column; dates whose boxes hold huge or non-ASCII numbers; page numbers no list reaches.
Nothing is saved, and nothing answers 500 (the public form included)."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms as django_forms
from django.urls import reverse

import cme
from cme.core.forms import Form
from cme.intake.models import Referral
from cme.intake.tests import forms_data

HUGE = "461168601842738792"


def _form_classes():
    for info in pkgutil.walk_packages(cme.__path__, "cme."):
        if ".tests" in info.name or ".migrations" in info.name or not info.name.endswith(("forms", "_forms")):
            continue
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, django_forms.Form) and value.__module__ == info.name:
                yield value


def test_every_form_of_the_service_follows_the_text_rules():
    classes = list(_form_classes())
    assert len(classes) > 30
    outside = [c.__qualname__ for c in classes if not issubclass(c, Form)]
    assert outside == []


@pytest.fixture
def public_form(settings, la_a):
    settings.CME_PUBLIC_REFERRAL_MIN_SECONDS = 0
    return reverse("intake:public-new")


@pytest.mark.parametrize("field, value, words", [
    ("child_forename", "Leo\x00", "First name must not contain a control character (U+0000)"),
    ("child_surname", "Ma\u202ersh", "Last name must not contain a character that changes the direction of text"),
    ("child_address", "1 Mill Lane\x1b[2J", "must not contain a control character (U+001B"),
    ("child_surname", "Marsh\nSmith", "Last name must not contain a line break"),
    ("child_postcode", "NM1\u20282AB", "must not contain a line break (U+2028"),
])
def test_the_public_form_refuses_hostile_text_naming_the_field(client, public_form, field, value, words):
    response = client.post(public_form, forms_data.public(**{field: value}))
    assert response.status_code == 200
    assert words in response.text
    assert f'href="#id_{field}"' in response.text
    assert not Referral.objects.exists()


def test_concerns_may_run_over_lines_but_not_past_the_limit(client, public_form):
    assert client.post(public_form, forms_data.public(concerns="Seen out.\r\n\tTwice.")).status_code == 302
    response = client.post(public_form, forms_data.public(concerns="x" * 5001))
    assert "must be 5000 characters or fewer" in response.text
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("boxes", [
    {"child_date_of_birth-day": "1", "child_date_of_birth-month": "9" * 30, "child_date_of_birth-year": "2013"},
    {"child_date_of_birth-day": HUGE, "child_date_of_birth-month": "1", "child_date_of_birth-year": "2013"},
    {"child_date_of_birth-day": "1", "child_date_of_birth-month": "1", "child_date_of_birth-year": "\uff19" * 4},
    {"child_date_of_birth-day": "²", "child_date_of_birth-month": "1", "child_date_of_birth-year": "2013"},
    {"child_date_of_birth-day": "٣", "child_date_of_birth-month": "1", "child_date_of_birth-year": "2013"},
])
def test_a_date_of_huge_or_foreign_numbers_is_not_a_date(client, public_form, boxes):
    response = client.post(public_form, forms_data.public(**boxes))
    assert response.status_code == 200
    assert "Date of birth must be a real date" in response.text or "Year must include 4 numbers" in response.text
    assert not Referral.objects.exists()


def test_the_officer_form_refuses_the_same_text(officer_a, client_for):
    response = client_for(officer_a).post(reverse("intake:officer-new"),
                                          forms_data.officer(referrer_name="PC \u202eJo"))
    assert response.status_code == 200
    assert "must not contain a character that changes the direction of text" in response.text
    assert not Referral.objects.exists()


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_a_case_list_filter_date_of_huge_numbers_is_an_error_not_a_500(persona, client_for):
    response = client_for(persona).get("/cases", {
        "referred_from-day": "1", "referred_from-month": "9" * 30, "referred_from-year": "2025"})
    assert response.status_code == 200
    assert "Referred on or after must be a real date" in response.text


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
@pytest.mark.parametrize("path", ["/cases", "/at-risk", "/audit/refused"])
def test_a_page_number_no_list_reaches_shows_the_first_page(persona, client_for, case_a, path):
    response = client_for(persona).get(path, {"page": HUGE})
    assert response.status_code in (200, 403)


def test_a_school_pupil_list_with_a_huge_page_number(school_user_a, client_for):
    assert client_for(school_user_a).get("/pupils", {"page": HUGE}).status_code == 200


def test_a_roll_page_with_a_huge_page_number(officer_a, client_for, school_a):
    assert client_for(officer_a).get(f"/providers/{school_a.pk}/roll", {"page": HUGE}).status_code == 200


def test_passwords_are_taken_as_typed(client, officer_a):
    response = client.post("/sign-in", {"username": "alice", "password": "pass\u202eword\x1b"})
    assert response.status_code == 200
    assert "must not contain" not in response.text
