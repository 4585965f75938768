"""Partner agencies and schools refer a child when signed in, and see only their own referrals."""

import pytest
from django.urls import reverse

from cme.intake.models import Referral
from cme.intake.services import referral_close_not_cme, referral_create, referral_triage
from cme.testing import factories as f

from . import forms_data


@pytest.mark.parametrize("persona", ["partner_a", "school_user_a"], indirect=True)
def test_partner_or_school_refers_a_child_and_gets_a_reference(persona, client_for, la_a):
    response = client_for(persona).post(
        reverse("intake:partner-new"),
        forms_data.child(referrer_name="Pat Officer", referrer_phone="101", referrer_email=""),
        follow=True,
    )
    referral = Referral.objects.get()
    assert referral.channel == "online_partner"
    assert referral.la == la_a
    assert referral.submitted_by == persona
    assert referral.submitted_by_org == persona.organisation
    assert referral.referrer_organisation == persona.organisation.name
    assert referral.as_received["fields"]["child_surname"] == "Marsh"
    page = response.content.decode()
    assert referral.reference in page
    assert reverse("intake:mine") in page


def test_the_form_is_filled_with_the_partners_own_details(client_for, partner_a):
    page = client_for(partner_a).get(reverse("intake:partner-new")).content.decode()
    assert 'value="pat@example.org"' in page
    assert 'value="Pat Tester"' in page


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_la_staff_use_the_queue_not_the_partner_pages(persona, client_for):
    for name in ("intake:partner-new", "intake:mine"):
        assert client_for(persona).get(reverse(name)).status_code == 403


def test_partner_sees_the_status_of_its_own_referrals_and_nothing_else(
    client_for, partner_a, officer_a, la_a, la_b
):
    colleague = f.make_user(partner_a.organisation, "partner", username="colleague")
    waiting = referral_create(la=la_a, channel="online_partner", submitted_by=partner_a,
                              child_forename="Leo", child_surname="Marsh")
    accepted = referral_create(la=la_a, channel="online_partner", submitted_by=colleague,
                               child_forename="Ava", child_surname="Stone")
    case = referral_triage(actor=officer_a, referral=accepted, category="missing", reason="other")
    closed = referral_create(la=la_a, channel="online_partner", submitted_by=partner_a,
                             child_forename="Zac", child_surname="Lee")
    referral_close_not_cme(actor=officer_a, referral=closed, reason="Home educated: letter on file")
    other_agency = f.make_user(f.make_partner(la_a, "Northmoor Health"), "partner")
    theirs = referral_create(la=la_a, channel="online_partner", submitted_by=other_agency,
                             child_forename="Mia", child_surname="Ford")
    recorded_by_la = referral_create(la=la_a, channel="phone", submitted_by=officer_a,
                                     child_forename="Noah", child_surname="Hill")

    response = client_for(partner_a).get(reverse("intake:mine"))
    assert response.status_code == 200
    page = response.content.decode()
    for mine in (waiting, accepted, closed):
        assert mine.reference in page
    assert "Leo Marsh" in page
    assert "A CME officer will look at it soon" in page
    assert "A CME officer is working on it" in page
    assert "The council found the child is not missing education" in page
    for not_mine in (theirs, recorded_by_la):
        assert not_mine.reference not in page
    assert "Mia" not in page and "Noah" not in page
    # Not the child's case, nor the officer's reasons.
    assert case.reference not in page
    assert "Home educated" not in page
    assert reverse("intake:detail", args=[waiting.reference]) not in page


def test_partner_sees_the_child_as_it_gave_them_not_the_councils_corrections(
    client_for, partner_a, officer_a, la_a
):
    from cme.intake.services import referral_update

    referral = referral_create(la=la_a, channel="online_partner", submitted_by=partner_a,
                               child_forename="Leo", child_surname="Marsh")
    referral_update(actor=officer_a, referral=referral, child_surname="Marsh-Hartley")
    page = client_for(partner_a).get(reverse("intake:mine")).content.decode()
    assert "Leo Marsh" in page
    assert "Marsh-Hartley" not in page


def test_a_school_does_not_see_a_partner_agencys_referrals(client_for, partner_a, school_user_a, la_a):
    referral = referral_create(la=la_a, channel="online_partner", submitted_by=partner_a,
                               child_surname="Marsh")
    page = client_for(school_user_a).get(reverse("intake:mine")).content.decode()
    assert referral.reference not in page
    assert "has not sent any referrals yet" in page


def test_a_partner_not_linked_to_a_council_is_told_so_and_nothing_is_sent(client_for, la_a):
    from cme.providers.models import Organisation, OrgKind

    unlinked = Organisation.objects.create(kind=OrgKind.PARTNER_AGENCY, name="Faraway Charity")
    user = f.make_user(unlinked, "partner")
    response = client_for(user).post(
        reverse("intake:partner-new"), forms_data.child(referrer_name="Kim")
    )
    assert "Your organisation is not linked to a council yet" in response.content.decode()
    assert not Referral.objects.exists()
