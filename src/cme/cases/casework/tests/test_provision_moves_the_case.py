"""Steps 7 and 8: the provision found and the day the child starts move the case on, when the
earlier steps are done; the page and the API are one service."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cme.cases.models import Stage, StageChange
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed(child_a, officer_a):
    from cme.cases.casework.models import NeedsAssessment

    case = f.make_case(child_a, stage="needs_determined", responsible_officer=officer_a)
    NeedsAssessment.objects.create(case=case, assessed_by=officer_a, state="not_needed",
                                   assessed_on=timezone.localdate() - timedelta(days=2))
    return case


def _day(prefix, d):
    return {f"{prefix}-day": d.day, f"{prefix}-month": d.month, f"{prefix}-year": d.year}


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_record_the_provision_and_the_start(persona, client_for, assessed, school_a):
    client = client_for(persona)
    assert client.get(f"/cases/{assessed.pk}/provision").status_code == 200
    today = timezone.localdate()
    response = client.post(f"/cases/{assessed.pk}/provision",
                           {"provider": str(school_a.pk), **_day("on", today)})
    assert response.status_code == 302
    assessed.refresh_from_db()
    assert assessed.stage == Stage.PROVISION_IDENTIFIED and assessed.provision_provider == school_a
    response = client.post(f"/cases/{assessed.pk}/provision",
                           {"provider": str(school_a.pk), **_day("on", today), **_day("starts_on", today)})
    assessed.refresh_from_db()
    assert assessed.stage == Stage.IN_PROVISION and assessed.moved_into_provision_on == today


def test_a_start_still_to_come_is_accessing_provision(client_for, officer_a, assessed, school_a):
    later = timezone.localdate() + timedelta(days=7)
    client_for(officer_a).post(f"/cases/{assessed.pk}/provision",
                               {"provider": str(school_a.pk), **_day("starts_on", later)})
    assessed.refresh_from_db()
    assert assessed.stage == Stage.ACCESSING_PROVISION and assessed.provision_starts_on == later


def test_without_an_assessment_the_provision_is_kept_but_the_case_does_not_skip(client_for, officer_a,
                                                                                 child_a, school_a):
    case = f.make_case(child_a, stage="located", responsible_officer=officer_a)
    client_for(officer_a).post(f"/cases/{case.pk}/provision", {"provider": str(school_a.pk)})
    case.refresh_from_db()
    assert case.provision_provider == school_a and case.stage == Stage.LOCATED
    assert not StageChange.objects.filter(case=case, to_stage=Stage.PROVISION_IDENTIFIED).exists()


def test_officer_of_la_b_cannot_reach_the_page(client_for, officer_b, assessed, school_a):
    client = client_for(officer_b)
    assert client.get(f"/cases/{assessed.pk}/provision").status_code == 404
    assert client.post(f"/cases/{assessed.pk}/provision", {"provider": str(school_a.pk)}).status_code == 404
    assessed.refresh_from_db()
    assert assessed.provision_provider is None


def test_the_api_records_provision_as_the_page_does(api_for, manager_a, assessed, school_a):
    today = timezone.localdate().isoformat()
    response = api_for(manager_a).post_json(f"/api/v1/cases/{assessed.pk}/provision",
                                            {"laestab": school_a.laestab, "starts_on": today})
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "in_provision"
