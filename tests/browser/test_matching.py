"""An officer triages a misspelt referral: the pupil on roll is offered with its probability and
the evidence field by field; the officer confirms; the referral reads "On roll at …". axe on each."""

from datetime import date

import pytest
from playwright.sync_api import expect

from cme.intake.services import referral_create
from cme.matching.models import MatchDecision
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
    expect(page.get_by_role("heading", name="Is the child on a roll?")).to_be_visible()
    candidate = page.get_by_role("heading", name="William Hartley", level=3)
    expect(candidate).to_be_visible()
    expect(page.get_by_text(f"On roll at {school_a.name}").first).to_be_visible()
    expect(page.get_by_text("% likely").first).to_be_visible()
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
