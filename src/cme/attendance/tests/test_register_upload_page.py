"""The register upload page: schools and alternative providers load their own provider's
registers, council staff any provider of their council, partners nothing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cme.accounts.models import Role
from cme.attendance.models import RegisterYear
from cme.attendance.tests.db_builders import days_of_marks, register_csv
from cme.audit.models import AuditEvent
from cme.providers.models import OrgKind
from cme.testing import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("attendance:upload")
MONDAY = dt.date(2025, 9, 8)


@pytest.fixture
def pupil(la_a, school_a):
    child = f.make_child(la_a, upn=f.make_upn("901", "2001", serial=31))
    f.enrol(child, school_a, entry=dt.date(2025, 9, 1), upn=child.upn)
    return child


def upload(client, data: bytes, name: str = "registers.csv"):
    """Upload, let the worker load what was queued, and return the page that follows the load."""
    from cme.attendance.models import RegisterUpload
    from cme.attendance.services import register_upload_load

    response = client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})
    if response.status_code != 302:
        return response
    for queued in RegisterUpload.objects.filter(state="queued"):
        register_upload_load(upload_id=queued.pk)  # what the task queue's worker does
    return client.get(response["Location"])


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_council_staff_see_the_upload_page(client_for, persona):
    response = client_for(persona).get(URL)
    assert response.status_code == 200
    assert "Registers of any school or provider of the council" in response.content.decode()


def test_officer_a_loads_registers_of_a_provider_of_the_la(client_for, officer_a, pupil, school_a):
    response = upload(client_for(officer_a), register_csv(*days_of_marks(pupil.upn, school_a.laestab, MONDAY, 5)))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Registers loaded" in page and "Marks added" in page
    assert RegisterYear.objects.count() == 1
    event = AuditEvent.objects.get(object_type="register")
    assert event.actor_id == officer_a.pk


def test_manager_a_sees_the_same_file_again_change_nothing(client_for, manager_a, pupil, school_a):
    data = register_csv(*days_of_marks(pupil.upn, school_a.laestab, MONDAY, 5))
    client = client_for(manager_a)
    upload(client, data)
    page = upload(client, data).content.decode()
    assert "<dt class=\"govuk-summary-list__key\">\n      Marks changed" in page or "Marks changed" in page
    assert RegisterYear.objects.get().changes.count() == 0


def test_officer_b_cannot_load_registers_of_la_a(client_for, officer_b, pupil, school_a):
    response = upload(client_for(officer_b), register_csv(*days_of_marks(pupil.upn, school_a.laestab, MONDAY, 1)))
    page = response.content.decode()
    assert "Not loaded: the file has problems" in page
    assert "row 2, field laestab: 9012001 is not a provider of this LA" in page
    assert not RegisterYear.objects.exists()


def test_school_user_loads_its_own_registers_only(client_for, school_user_a, la_a, pupil, school_a):
    client = client_for(school_user_a)
    page = client.get(URL).content.decode()
    assert f"Registers of {school_a.name}" in page
    other = f.make_school(la_a, "Northmoor High School", estab="4002")
    rejected = upload(client, register_csv((pupil.upn, other.laestab, MONDAY.isoformat(), "AM", "/")))
    assert "9014002 is not your provider" in rejected.content.decode()
    upload(client, register_csv(*days_of_marks(pupil.upn, school_a.laestab, MONDAY, 1)))
    assert RegisterYear.objects.count() == 1


def test_alternative_provider_user_uploads_its_own(client_for, la_a):
    ap = f.make_school(la_a, "Northmoor Learning Centre", estab="1101", kind=OrgKind.ALTERNATIVE_PROVISION)
    child = f.make_child(la_a, upn=f.make_upn("901", "1101", serial=41))
    f.enrol(child, ap, entry=dt.date(2025, 9, 1), upn=child.upn)
    user = f.make_user(ap, Role.SCHOOL, username="alex")
    response = upload(client_for(user), register_csv(*days_of_marks(child.upn, ap.laestab, MONDAY, 2)))
    assert "Registers loaded" in response.content.decode()


def test_partner_gets_nothing(client_for, partner_a):
    assert client_for(partner_a).get(URL).status_code == 403


def test_a_bad_file_lists_every_problem(client_for, officer_a, pupil, school_a):
    data = register_csv((pupil.upn, school_a.laestab, "2025-02-30", "AM", "/"),
                        (pupil.upn, school_a.laestab, MONDAY.isoformat(), "AM", "Q9"))
    page = upload(client_for(officer_a), data).content.decode()
    assert "row 2, field date" in page
    assert "row 3, field code: unknown attendance code &#39;Q9&#39;" in page
    assert "Problems found in the file" in page


def test_no_file_is_a_field_error(client_for, officer_a):
    page = client_for(officer_a).post(URL, {}).content.decode()
    assert "Choose a file to upload" in page
