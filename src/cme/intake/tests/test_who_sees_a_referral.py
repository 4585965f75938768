"""A referral's page and its triage page: for LA A's staff only."""

import pytest
from django.urls import reverse

from cme.audit.models import AuditEvent
from cme.intake.services import referral_create, referral_update


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_see_the_referral_as_received_beside_the_working_copy(persona, client_for, la_a):
    referral = referral_create(la=la_a, channel="email", child_forename="leo ", child_surname="MARSH",
                               concerns="Line one\nLine two")
    response = client_for(persona).get(reverse("intake:detail", args=[referral.reference]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "As received" in page
    assert "Working copy" in page
    assert "MARSH" in page
    assert "Line one<br>Line two" in page
    assert "Waiting for triage" in page
    assert reverse("intake:triage", args=[referral.reference]) in page


def test_corrections_are_marked_and_the_original_stays_on_the_page(client_for, officer_a, la_a):
    referral = referral_create(la=la_a, channel="email", child_forename="Leo", child_surname="marsh")
    referral_update(actor=officer_a, referral=referral, child_surname="Marsh")
    page = client_for(officer_a).get(reverse("intake:detail", args=[referral.reference])).content.decode()
    assert "marsh" in page
    assert "Marsh" in page
    assert "Corrected" in page


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_la_a_who_work_cases_can_open_triage(persona, client_for, referral_a):
    response = client_for(persona).get(reverse("intake:triage", args=[referral_a.reference]))
    assert response.status_code == 200
    assert "Triage the referral" in response.content.decode()


@pytest.mark.parametrize("page", ["intake:detail", "intake:triage"])
def test_officer_of_la_b_gets_404_for_a_referral_of_la_a(page, client_for, officer_b, referral_a):
    response = client_for(officer_b).get(reverse(page, args=[referral_a.reference]))
    assert response.status_code == 404
    assert "Leo" not in response.content.decode()


@pytest.mark.parametrize("page", ["intake:detail", "intake:triage"])
def test_a_partner_cannot_open_even_its_own_referral(page, client_for, partner_a, la_a):
    referral = referral_create(la=la_a, channel="online_partner", submitted_by=partner_a,
                               child_surname="Marsh")
    response = client_for(partner_a).get(reverse(page, args=[referral.reference]))
    assert response.status_code == 403


def test_viewing_a_referral_is_audited(client_for, officer_a, referral_a):
    client_for(officer_a).get(reverse("intake:detail", args=[referral_a.reference]))
    assert AuditEvent.objects.filter(
        actor=officer_a, action="view", object_type="referral", object_id=referral_a.reference
    ).exists()


def test_an_admissions_officer_sees_the_referral_but_cannot_triage(client_for, la_a, referral_a):
    from cme.accounts.models import Role
    from cme.testing import factories as f

    admissions = f.make_user(la_a, Role.ADMISSIONS)
    client = client_for(admissions)
    page = client.get(reverse("intake:detail", args=[referral_a.reference]))
    assert page.status_code == 200
    assert reverse("intake:triage", args=[referral_a.reference]) not in page.content.decode()
    assert client.get(reverse("intake:triage", args=[referral_a.reference])).status_code == 403


def test_a_triaged_referral_sends_the_officer_back_to_its_page(client_for, officer_a, referral_a):
    from cme.intake.services import referral_close_not_cme

    referral_close_not_cme(actor=officer_a, referral=referral_a, reason="On roll in Leeds")
    response = client_for(officer_a).get(reverse("intake:triage", args=[referral_a.reference]), follow=True)
    page = response.content.decode()
    assert "has already been triaged" in page
    assert "On roll in Leeds" in page
    assert "Alice Tester" in page
