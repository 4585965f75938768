"""PUT /api/v1/providers/{laestab}/roll replaces a roll from a CSV or a CTF, all or nothing."""

from datetime import date

import pytest

from cme.movements.models import RollImport
from cme.movements.tests.conftest import AMELIA, DATA, OLIVER, roll_csv
from cme.providers.models import Enrolment
from cme.testing import factories as f


def put_roll(client, laestab: str, body: bytes, content_type="text/csv", as_of="2025-10-01"):
    path = f"/api/v1/providers/{laestab}/roll" + (f"?as_of={as_of}" if as_of else "")
    return client.put(path, body, content_type=content_type)


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_la_staff_replace_a_roll_with_a_csv(api_for, persona, school_a):
    response = put_roll(api_for(persona), "9012001", roll_csv(AMELIA, OLIVER))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["laestab"], body["as_of"], body["joined"], body["left"], body["source"]) == (
        "9012001", "2025-10-01", 2, 0, "csv")
    assert Enrolment.objects.filter(provider=school_a).count() == 2


@pytest.mark.parametrize("persona", ["officer_b"], indirect=True)
def test_officer_of_another_la_gets_404(api_for, persona, school_a):
    assert put_roll(api_for(persona), "9012001", roll_csv(AMELIA)).status_code == 404
    assert not RollImport.objects.exists()


def test_school_user_only_for_their_own_laestab(api_for, school_user_a, school_a, la_a):
    f.make_school(la_a, "Moorend Primary School", estab="2002")
    client = api_for(school_user_a)
    assert put_roll(client, "9012001", roll_csv(AMELIA)).status_code == 200
    assert put_roll(client, "9012002", roll_csv(OLIVER)).status_code == 404


def test_partner_gets_404(api_for, partner_a, school_a):
    assert put_roll(api_for(partner_a), "9012001", roll_csv(AMELIA)).status_code == 404


def test_a_ctf_body_is_read_as_xml(api_for, officer_a, school_a):
    body = (DATA / "ctf25_school_to_la.xml").read_bytes()
    response = put_roll(api_for(officer_a), "9012001", body, content_type="application/xml", as_of=None)
    assert response.status_code == 200, response.content
    assert (response.json()["source"], response.json()["as_of"], response.json()["joined"]) == ("ctf", "2025-10-01", 3)


def test_every_bad_row_is_named_in_the_422(api_for, officer_a, school_a):
    bad = roll_csv(AMELIA, "T901200119012,Mahmood,Oliver,,,,,2014-02-30,M,6,,,,,,C",
                   "D901200119012,Okafor,,,,,,2014-06-01,M,6,,,,,,C")
    response = put_roll(api_for(officer_a), "9012001", bad)
    assert response.status_code == 422
    locs = [e["loc"] for e in response.json()["detail"]]
    assert locs == [["body", "row", 3, "date_of_birth"], ["body", "row", 4, "upn"], ["body", "row", 4, "legal_forename"]]
    assert not Enrolment.objects.exists()


def test_hostile_xml_and_other_content_types_are_refused(api_for, officer_a, school_a):
    client = api_for(officer_a)
    response = put_roll(client, "9012001", (DATA / "billion_laughs.xml").read_bytes(), content_type="application/xml")
    assert response.status_code == 422 and "refused for safety" in response.json()["detail"][0]["msg"]
    assert put_roll(client, "9012001", b'{"rows": []}', content_type="application/json").status_code == 415
    response = put_roll(client, "9012001", roll_csv(AMELIA), as_of=None)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "as_of"]
    assert not RollImport.objects.exists()


def test_a_roll_larger_than_the_default_api_body_is_accepted(api_for, officer_a, school_a, settings):
    settings.CME_API_MAX_BODY_BYTES = 200
    response = put_roll(api_for(officer_a), "9012001", roll_csv(AMELIA, OLIVER))
    assert response.status_code == 200
    assert RollImport.objects.get().as_of == date(2025, 10, 1)
