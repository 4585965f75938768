"""The term dates page: council administrators, managers and CME officers load their council's
term dates; nobody else."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cme.accounts.models import Role
from cme.attendance.models import CalendarPeriod
from cme.attendance.selectors import calendar_for
from cme.attendance.tests.db_builders import TERM_DATES_901
from cme.testing import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("attendance:term-dates")


def upload(client, text: str, provider: str = ""):
    return client.post(URL, {"file": SimpleUploadedFile("terms.csv", text.encode()), "provider": provider})


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_council_staff_see_the_term_dates_page(client_for, persona):
    page = client_for(persona).get(URL).content.decode()
    assert "No term dates are loaded yet" in page


def test_officer_a_loads_term_dates_and_school_days_follow(client_for, officer_a, la_a):
    page = upload(client_for(officer_a), TERM_DATES_901).content.decode()
    assert "Term dates loaded" in page and "Autumn 1" in page
    assert calendar_for(la_id=la_a.pk).add_school_days(dt.date(2025, 10, 24), 1) == dt.date(2025, 11, 3)


def test_manager_a_loads_a_provider_s_own_dates(client_for, manager_a, la_a, school_a):
    upload(client_for(manager_a), TERM_DATES_901)
    own = f"scope,kind,start,end,name\n{school_a.laestab},term,2025-09-01,2026-07-17,Year\n"
    page = upload(client_for(manager_a), own, provider=str(school_a.pk)).content.decode()
    assert "Term dates loaded" in page
    assert CalendarPeriod.objects.filter(provider=school_a).count() == 1


def test_officer_b_cannot_load_la_a_dates(client_for, officer_b, la_a):
    page = upload(client_for(officer_b), TERM_DATES_901).content.decode()
    assert "is neither LA 907 nor one of its providers" in page
    assert not CalendarPeriod.objects.exists()


def test_school_user_and_ewo_cannot_load_term_dates(client_for, school_user_a, la_a, partner_a):
    assert client_for(school_user_a).get(URL).status_code == 403
    assert client_for(partner_a).get(URL).status_code == 403
    ewo = f.make_user(la_a, Role.EWO, username="eve")
    assert client_for(ewo).get(URL).status_code == 403
