"""The directory: LA staff see their authority's providers, a school its own, a partner nothing."""

from datetime import date

import pytest

from cme.movements.models import RollImport
from cme.providers.models import OrgKind, Status
from cme.testing import factories as f


@pytest.fixture
def directory(la_a, la_b, school_a, school_b):
    pru = f.make_school(la_a, "Moorend Pupil Referral Unit", estab="1100", kind=OrgKind.PRU)
    closed = f.make_school(la_a, "Old Mill Primary School", estab="2050")
    closed.status, closed.is_open = Status.CLOSED, False
    closed.save()
    child = f.make_child(la_a)
    f.enrol(child, school_a)
    RollImport.objects.create(provider=school_a, as_of=date(2025, 10, 1), source_kind="csv", pupils=1, joined=1)
    return {"pru": pru, "closed": closed}


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_la_staff_see_their_authoritys_providers(client_for, persona, directory):
    page = client_for(persona).get("/providers")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Northmoor Primary School" in text and "Moorend Pupil Referral Unit" in text
    assert "Eastdale Academy" not in text


@pytest.mark.parametrize("persona", ["officer_b"], indirect=True)
def test_officer_of_another_la_sees_none_of_la_a(client_for, persona, directory, school_a):
    page = client_for(persona).get("/providers")
    assert "Eastdale Academy" in page.content.decode()
    assert "Northmoor Primary School" not in page.content.decode()
    assert client_for(persona).get(f"/providers/{school_a.pk}").status_code == 404


def test_filters_by_kind_status_and_search(client_for, officer_a, directory):
    client = client_for(officer_a)
    text = client.get("/providers", {"kind": "pru"}).content.decode()
    assert "Moorend Pupil Referral Unit" in text and "Northmoor Primary School" not in text
    text = client.get("/providers", {"status": "closed"}).content.decode()
    assert "Old Mill Primary School" in text and "Northmoor Primary School" not in text
    text = client.get("/providers", {"q": "9012001"}).content.decode()
    assert "Northmoor Primary School" in text and "Old Mill" not in text


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_provider_page_shows_roll_count_and_last_import(client_for, persona, directory, school_a):
    page = client_for(persona).get(f"/providers/{school_a.pk}")
    text = page.content.decode()
    assert "1 pupil on roll now" in text
    assert "as of 1 October 2025" in text
    assert f"/providers/{school_a.pk}/roll" in text
    assert "Upload a roll" in text


def test_school_user_sees_only_their_own_school(client_for, school_user_a, directory, school_a, school_b):
    client = client_for(school_user_a)
    text = client.get("/providers").content.decode()
    assert "Northmoor Primary School" in text and "Moorend Pupil Referral Unit" not in text
    assert client.get(f"/providers/{school_a.pk}").status_code == 200
    assert client.get(f"/providers/{directory['pru'].pk}").status_code == 404


def test_partner_sees_nothing(client_for, partner_a, directory, school_a):
    client = client_for(partner_a)
    assert client.get("/providers").status_code == 403
    assert client.get(f"/providers/{school_a.pk}").status_code == 404
