"""Deletion and new-entry returns through the API, as a school information system makes them."""

import pytest
from django.utils import timezone

from cme.testing import factories as f
from cme.tracking.models import DeletionReturn

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def pupil(la_a, school_a):
    child = f.make_child(la_a, legal_forename="Ella", legal_surname="Burton", upn=f.make_upn("901"))
    f.enrol(child, school_a, upn=child.upn)
    return child


def test_the_api_returns_a_deletion_by_the_pupils_upn(api_for, school_user_a, pupil, school_a):
    response = api_for(school_user_a).post_json("/api/v1/deletion-returns", {
        "laestab": school_a.laestab, "upn": pupil.upn, "deleted_on": TODAY.isoformat(), "ground": "o"})
    assert response.status_code == 201, response.content
    assert [fl["code"] for fl in response.json()["flags"]] == ["no_exclusion_date"]


def test_a_school_cannot_return_another_schools_pupil(api_for, la_a, pupil, school_a):
    other = f.make_school(la_a, "Northmoor High", estab="4002")
    user = f.make_user(other, "school", username="otto")
    response = api_for(user).post_json("/api/v1/deletion-returns", {
        "laestab": school_a.laestab, "upn": pupil.upn, "deleted_on": TODAY.isoformat(), "ground": "g"})
    assert response.status_code in (404, 422)
    assert not DeletionReturn.objects.exists()




def test_a_new_entry_through_the_api_is_kept_and_matched(api_for, school_user_a, school_a):
    response = api_for(school_user_a).post_json("/api/v1/new-entries", {
        "laestab": school_a.laestab, "entry_date": TODAY.isoformat(), "forename": "Ada", "surname": "Lane",
        "dob": "2015-04-04", "sex": "F"})
    assert response.status_code == 201, response.content
    assert response.json()["match"] == "none"


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_leavers_through_the_api_are_the_authoritys_own(persona, api_for):
    response = api_for(persona).get("/api/v1/leavers")
    assert response.status_code == 200 and response.json() == []
