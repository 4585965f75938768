"""The child's change history: every field change, before and after, with who made it."""

import pytest

from cme.people.services import child_update
from cme.testing import factories as f


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_see_field_level_changes(persona, officer_a, client_for, child_a):
    child_update(actor=officer_a, child=child_a, legal_surname="Hartley-Ward", sex="M")
    response = client_for(persona).get(f"/children/{child_a.pk}/history")
    assert response.status_code == 200
    text = response.text
    assert "Changed legal surname, sex" in text and "by Alice Tester" in text
    assert '<td class="govuk-table__cell">Hartley</td>' in text
    assert '<td class="govuk-table__cell">Hartley-Ward</td>' in text
    # Choices by their labels, not their codes.
    assert '<td class="govuk-table__cell">Female</td>' in text
    assert '<td class="govuk-table__cell">Male</td>' in text


@pytest.mark.parametrize("user", ["officer_b", "partner_a"])
def test_anyone_outside_la_a_gets_404_for_the_history(user, request, client_for, child_a):
    assert client_for(request.getfixturevalue(user)).get(f"/children/{child_a.pk}/history").status_code == 404


def test_school_user_cannot_see_the_history_of_its_pupil(school_user_a, school_a, client_for, child_a):
    f.enrol(child_a, school_a)
    assert client_for(school_user_a).get(f"/children/{child_a.pk}/history").status_code == 403
