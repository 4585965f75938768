"""A school user's own pupils: those on its roll today, nobody else."""

from datetime import date

import pytest

from cme.testing import factories as f


@pytest.fixture
def rolls(la_a, school_a, la_b):
    other_school = f.make_school(la_a, "Moorside Academy")
    on_roll = f.make_child(la_a, legal_forename="Olive", legal_surname="Onroll")
    f.enrol(on_roll, school_a, year_group="5")
    left = f.make_child(la_a, legal_forename="Leo", legal_surname="Left")
    f.enrol(left, school_a, leaving_date=date(2025, 7, 18))
    elsewhere = f.make_child(la_a, legal_forename="Elsie", legal_surname="Elsewhere")
    f.enrol(elsewhere, other_school)
    return on_roll, left, elsewhere


def test_school_user_sees_only_its_current_pupils(school_user_a, client_for, rolls):
    response = client_for(school_user_a).get("/pupils")
    assert response.status_code == 200
    assert "Olive Onroll" in response.text and "Year group" in response.text
    assert "Leo Left" not in response.text and "Elsie Elsewhere" not in response.text


def test_school_user_searches_its_pupils(school_user_a, client_for, rolls):
    response = client_for(school_user_a).get("/pupils", {"q": "Elsie"})
    assert "Elsie Elsewhere" not in response.text and "No pupils found" in response.text


def test_school_user_opens_its_pupil_but_not_another_schools(school_user_a, client_for, rolls):
    on_roll, left, elsewhere = rolls
    client = client_for(school_user_a)
    assert client.get(f"/children/{on_roll.pk}").status_code == 200
    assert client.get(f"/children/{left.pk}").status_code == 404
    assert client.get(f"/children/{elsewhere.pk}").status_code == 404


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_the_pupils_page_is_for_schools_only(persona, client_for, rolls):
    response = client_for(persona).get("/pupils")
    assert response.status_code == 403 and "Olive" not in response.text


def test_partner_gets_403_for_pupils(partner_a, client_for, rolls):
    assert client_for(partner_a).get("/pupils").status_code == 403
