"""Hand-offs through the API (issue 12, point 5): the same rules as the pages."""

import base64
from datetime import date

import pytest

from cme.handoffs.models import LostPupil
from cme.movements.ctf import parse_ctf
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost(la_a, school_a):
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley")
    return LostPupil.objects.create(la=la_a, provider=school_a, child=child, leaving_date=date(2026, 11, 20))


def test_officer_lists_lost_pupils_and_writes_the_ctf(api_for, officer_a, lost):
    api = api_for(officer_a)
    assert [r["id"] for r in api.get("/api/v1/lost-pupils").json()] == [lost.pk]
    body = api.post(f"/api/v1/lost-pupils/{lost.pk}/ctf").json()
    assert body["file_name"] == "901LLLL_CTF_XXXXXXX_001.xml"
    assert parse_ctf(base64.b64decode(body["content_base64"])).pupils[0].surname == "Hartley"
    assert api.get("/api/v1/handoffs").json() == []


def test_officer_b_sees_nothing_of_authority_a(api_for, officer_b, lost):
    api = api_for(officer_b)
    assert api.get("/api/v1/lost-pupils").json() == []
    assert api.post(f"/api/v1/lost-pupils/{lost.pk}/ctf").status_code == 404


def test_manager_reads_but_a_school_user_is_refused(api_for, manager_a, school_user_a, lost):
    assert len(api_for(manager_a).get("/api/v1/lost-pupils").json()) == 1
    assert api_for(school_user_a).get("/api/v1/lost-pupils").status_code == 403


def test_the_openapi_document_shows_the_hand_off_operations(api_for, officer_a):
    paths = api_for(officer_a).get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/lost-pupils", "/api/v1/lost-pupils/{lost_id}/ctf", "/api/v1/handoffs"} <= set(paths)
