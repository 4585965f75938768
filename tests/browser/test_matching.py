"""An officer triages a misspelt referral: the pupil on roll is offered with its probability and
the evidence field by field; the officer confirms; the referral reads "On roll at …". axe on each."""

from datetime import date

import pytest
from playwright.sync_api import expect

from cme.identify.models import MatchDecision
from cme.intake.services import referral_create
from cme.matching.tests.rolls import make_rolls

pytestmark = pytest.mark.browser


def test_officer_confirms_the_pupil_on_roll_for_a_misspelt_referral(
    page, signed_in_page, la_a, school_a, officer_a, assert_accessible
):
    rolls = make_rolls(la_a, school_a)
    referral = referral_create(la=la_a, channel="phone", child_forename="Bill", child_surname="Hartly",
                               child_date_of_birth=date(2014, 3, 12), child_postcode="NM1 2AB")
    signed_in_page(officer_a)
    page.goto(f"/referrals/{referral.reference}/triage")
    expect(page.get_by_role("heading", name="1. Is the child on a roll?")).to_be_visible()
    candidate = page.get_by_role("heading", name="William Hartley", level=3)
    expect(candidate).to_be_visible()
    expect(page.get_by_text(f"On roll at {school_a.name}").first).to_be_visible()
    expect(page.get_by_text("Probability it is the child").first).to_be_visible()
    assert_accessible(page)

    page.get_by_text("How this match was scored").first.click()
    explanation = page.locator("#explanation-1")
    expect(explanation).to_contain_text("day and month swapped")
    expect(explanation).to_contain_text("nickname or another form of the same name")
    assert_accessible(page)

    page.get_by_role("button", name="This is the child (William Hartley)").click()
    expect(page.locator("#identified")).to_contain_text(f"On roll at {school_a.name}")
    expect(page.get_by_label("At risk of missing education")).to_be_checked()
    assert_accessible(page)
    assert MatchDecision.objects.get().child == rolls["william"]


def test_officer_is_warned_when_a_brother_or_sister_fits_and_lists_a_thin_search(
    page, signed_in_page, la_a, school_a, officer_a, assert_accessible
):
    from cme.people.models import Address
    from cme.testing import factories as f

    make_rolls(la_a, school_a)
    for forename, dob in (("Ella", date(2012, 4, 3)), ("Jack", date(2015, 9, 21))):
        child = f.make_child(la_a, legal_forename=forename, legal_surname="Burton", date_of_birth=dob)
        Address.objects.create(child=child, line1="17 Orchard Way", town="Northmoor", postcode="NM9 4QR")
        f.enrol(child, school_a)
    referral = referral_create(la=la_a, channel="phone", child_forename="Sofia", child_surname="Burton",
                               child_postcode="NM9 4QR", child_address="17 Orchard Way")
    signed_in_page(officer_a)
    page.goto(f"/referrals/{referral.reference}/triage")
    expect(page.locator("#household-warning")).to_contain_text("a brother or sister of this child may be the one referred")
    # Nothing chosen for the officer: no candidate is taken to be the child.
    expect(page.locator("input[name=decision]:checked")).to_have_count(0)
    expect(page.locator("input[name=outcome]:checked")).to_have_count(0)
    assert_accessible(page)

    page.goto("/find-a-child?surname=Burton")
    expect(page.locator("#results")).to_contain_text("Too little to tell which child: 2 children fit")
    expect(page.get_by_role("link", name="Ella Burton")).to_be_visible()
    assert_accessible(page)


def test_officer_identifies_a_pupil_a_roll_could_not_link_surely(
    page, signed_in_page, la_a, school_a, officer_a, assert_accessible
):
    from cme.movements.models import PupilLinkQuestion
    from cme.movements.services import roll_import_csv
    from cme.movements.tests.conftest import roll_csv
    from cme.people.models import Address
    from cme.providers.models import Enrolment
    from cme.testing import factories as f

    make_rolls(la_a, school_a)
    zofia = f.make_child(la_a, legal_forename="Zofia", legal_surname="Kowalska", date_of_birth=date(2015, 1, 30), sex="F")
    Address.objects.create(child=zofia, line1="88 Station Road", town="Northmoor", postcode="NM1 6HW")
    school = f.make_school(la_a, "Moorside Primary", estab="3998")
    roll_import_csv(actor=officer_a, provider=school, as_of=date(2025, 9, 10), data=roll_csv(
        ",Kowalska,Zofia,,,,,2015-03-30,F,5,2019-09-04,7 Beck Lane,Northmoor,,NM7 1AA,C"))
    signed_in_page(officer_a)
    page.goto("/providers")
    page.get_by_role("link", name="Pupils on imported rolls to identify").click()
    expect(page.get_by_role("heading", name="Pupils to identify", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Zofia Kowalska").click()
    expect(page.get_by_role("heading", name="Who is Zofia Kowalska?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="This is the pupil (Zofia Kowalska)").click()
    expect(page.get_by_text("No pupil is waiting to be identified")).to_be_visible()
    assert_accessible(page)
    assert Enrolment.objects.get(provider=school).child == zofia
    assert PupilLinkQuestion.objects.get().status == "linked"
