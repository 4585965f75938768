"""The referral queue: LA staff see their own authority's referrals waiting for triage."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cme.audit.models import AuditEvent
from cme.intake.services import referral_triage
from cme.testing import factories as f


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_see_referrals_waiting_for_triage_oldest_first(persona, client_for, la_a):
    newer = f.make_referral(la_a, child_forename="Newer", received_at=timezone.now() - timedelta(days=1))
    older = f.make_referral(la_a, child_forename="Older", received_at=timezone.now() - timedelta(days=9))
    response = client_for(persona).get(reverse("intake:queue"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Referrals waiting for triage" in page
    assert page.index(older.reference) < page.index(newer.reference)
    assert "9 days" in page
    assert f'<a class="govuk-link" href="{reverse("intake:detail", args=[older.reference])}">' in page
    assert f'<a class="govuk-link" href="{reverse("intake:triage", args=[older.reference])}">' in page
    assert "Phone call" in page


def test_officer_of_la_b_sees_an_empty_queue(client_for, officer_b, referral_a):
    response = client_for(officer_b).get(reverse("intake:queue"))
    assert response.status_code == 200
    assert referral_a.reference not in response.content.decode()
    assert "No referrals are waiting for triage" in response.content.decode()


@pytest.mark.parametrize("persona", ["partner_a", "school_user_a"], indirect=True)
def test_partners_and_schools_cannot_see_the_queue(persona, client_for, referral_a):
    response = client_for(persona).get(reverse("intake:queue"))
    assert response.status_code == 403
    assert referral_a.reference not in response.content.decode()


def test_viewing_the_queue_is_audited(client_for, officer_a, referral_a):
    client_for(officer_a).get(reverse("intake:queue"))
    event = AuditEvent.objects.filter(actor=officer_a, action="search", object_type="referral").get()
    assert referral_a.reference in event.detail["ids"]


def test_recently_triaged_referrals_are_listed_apart(client_for, officer_a, officer_b, referral_a, la_a):
    waiting = f.make_referral(la_a, child_forename="Waiting")
    case = referral_triage(actor=officer_a, referral=referral_a, category="missing", reason="other")
    page = client_for(officer_a).get(reverse("intake:queue") + "?show=triaged").content.decode()
    assert referral_a.reference in page
    assert f'<a class="govuk-link" href="{reverse("cases:detail", args=[case.pk])}">{case.reference}</a>' in page
    assert waiting.reference not in page
    queue = client_for(officer_a).get(reverse("intake:queue")).content.decode()
    assert referral_a.reference not in queue
    assert waiting.reference in queue
    other = client_for(officer_b).get(reverse("intake:queue") + "?show=triaged").content.decode()
    assert referral_a.reference not in other
