"""Two officers changing one case at once (issue 15 point 1): the second is told who changed it,
and nothing is overwritten silently. The personas: an officer and a manager of LA A work the
case; an officer of LA B gets nothing of it, stale or not."""

import re

import pytest

from cme.cases.register.models import Case
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


def _seen(page: str) -> str:
    found = re.search(r'name="case_seen" value="([^"]*)"', page)
    assert found, "the form carries the case as the page showed it"
    return found.group(1)


def test_the_second_officer_is_told_and_nothing_is_overwritten(client_for, case_a, officer_a, manager_a, la_a):
    other = f.make_user(la_a, username="olive")
    first, second = client_for(officer_a), client_for(manager_a)
    # Both open "Change responsible officer" on the same case.
    seen_by_first = _seen(first.get(f"/cases/{case_a.pk}/officer").text)
    seen_by_second = _seen(second.get(f"/cases/{case_a.pk}/officer").text)
    assert seen_by_first == seen_by_second
    done = first.post(f"/cases/{case_a.pk}/officer", {"officer": str(other.pk), "case_seen": seen_by_first})
    assert done.status_code == 302
    refused = second.post(f"/cases/{case_a.pk}/officer", {"officer": str(manager_a.pk), "case_seen": seen_by_second},
                          follow=True)
    assert Case.objects.get(pk=case_a.pk).responsible_officer == other  # the first change stands
    text = refused.text
    assert "changed this case at" in text and "nothing you entered was saved" in text
    # With the page as it is now, the second officer's change goes through.
    fresh = _seen(second.get(f"/cases/{case_a.pk}/officer").text)
    second.post(f"/cases/{case_a.pk}/officer", {"officer": str(manager_a.pk), "case_seen": fresh})
    assert Case.objects.get(pk=case_a.pk).responsible_officer == manager_a


def test_an_officer_of_another_la_learns_nothing_from_a_stale_form(client_for, case_a, officer_b):
    response = client_for(officer_b).post(f"/cases/{case_a.pk}/officer",
                                          {"officer": "", "case_seen": "2000-01-01T00:00:00+00:00"})
    assert response.status_code == 404
