"""From a member of the public's referral to a case on the register, with axe on every page."""

import re

import pytest
from playwright.sync_api import expect

from cme.cases.models import Case
from cme.intake.models import Referral, ReferralStatus

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def no_wait_before_sending(settings):
    # The robot check wants a person to take a few seconds over the form; a test types faster.
    settings.CME_PUBLIC_REFERRAL_MIN_SECONDS = 0


def fill_child(page, *, forename="Leo", surname="Marsh", dob=("6", "5", "2013")):
    page.get_by_label("First name").fill(forename)
    page.get_by_label("Last name").fill(surname)
    for box, value in zip(("Day", "Month", "Year"), dob, strict=True):
        page.get_by_role("group", name="Date of birth").get_by_label(box).fill(value)
    page.get_by_label("Male", exact=True).check()


def test_public_referral_becomes_a_case_after_triage(page, signed_in_page, la_a, officer_a,
                                                     assert_accessible):
    # A neighbour tells the council about a child, without signing in.
    page.goto("/refer")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tell us about a child who may be missing education")
    assert_accessible(page)

    page.get_by_role("button", name="Send referral").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the child’s first name or last name")
    expect(summary).to_contain_text("Enter why you are worried about the child’s education")
    expect(summary).to_be_focused()
    assert_accessible(page)
    summary.get_by_role("link", name="Enter the child’s first name or last name").click()
    expect(page.get_by_label("First name")).to_be_focused()

    fill_child(page)
    page.get_by_label("Where does the child live?").fill("12 Mill Lane, Northmoor")
    page.get_by_label("Why are you worried about the child’s education?").fill(
        "Seen at home every school day since Easter.")
    page.get_by_label("Your name").fill("Pat Neighbour")
    page.get_by_label("Your phone number").fill("01632 960001")
    page.get_by_role("button", name="Send referral").click()

    panel = page.locator(".govuk-panel--confirmation")
    expect(panel).to_contain_text("Referral sent")
    referral = Referral.objects.get()
    expect(panel).to_contain_text(referral.reference)
    assert referral.channel == "online_public"
    assert_accessible(page)

    # A CME officer signs in and finds it waiting for triage.
    page = signed_in_page(officer_a)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Referrals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals waiting for triage")
    row = page.get_by_role("row").filter(has_text=referral.reference)
    expect(row).to_contain_text("Leo Marsh")
    expect(row).to_contain_text("Online form (public)")
    assert_accessible(page)

    page.get_by_role("link", name=referral.reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(referral.reference)
    expect(page.get_by_role("heading", name="As received")).to_be_visible()
    assert_accessible(page)

    # Triage: correct the spelling, then open a case for a new child.
    page.get_by_role("button", name="Triage this referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage the referral")
    # Matched against every roll, the home-education list and the register: nobody like Leo.
    expect(page.locator("#identified")).to_contain_text("On no roll")
    assert_accessible(page)

    page.get_by_role("button", name="Confirm decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select what should happen to this referral")
    assert_accessible(page)

    # The child's details are folded away until needed; the decision's fields follow the choice.
    expect(page.get_by_label("Missing education", exact=True)).to_be_hidden()
    page.get_by_text("Check or correct the child’s details").click()
    page.get_by_label("Last name").fill("Marsh-Hill")
    page.get_by_label("Open a case, or add the referral to the child’s open case").check()
    page.get_by_label("A child new to the register").check()
    page.get_by_label("Missing education", exact=True).check()
    page.get_by_label("Reason", exact=True).select_option(label="Moved with no known destination")
    page.get_by_role("button", name="Confirm decision").click()

    # The case page.
    case = Case.objects.get()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Leo Marsh-Hill")
    expect(page.get_by_text(f"Case opened: {case.reference}")).to_be_visible()
    assert_accessible(page)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CASE_OPENED
    assert referral.case == case
    assert case.responsible_officer == officer_a
    assert referral.as_received["fields"]["child_surname"] == "Marsh"

    # The referral now says who triaged it, and links to the case.
    page.goto(f"/referrals/{referral.reference}")
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    expect(page.get_by_text("Corrected", exact=True)).to_be_visible()
    assert_accessible(page)
    page.goto("/referrals?show=triaged")
    expect(page.get_by_role("row").filter(has_text=referral.reference)).to_contain_text("Case opened")
    assert_accessible(page)


def test_officer_records_a_call_and_closes_it_as_not_cme(signed_in_page, officer_a,
                                                         assert_accessible):
    page = signed_in_page(officer_a)
    page.goto("/referrals/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a contact about a child")
    assert_accessible(page)

    page.get_by_label("Phone call").check()
    fill_child(page, forename="Ava", surname="Stone", dob=("1", "1", "2099"))
    page.get_by_role("button", name="Save referral").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Date of birth must be in the past")
    assert_accessible(page)
    assert not Referral.objects.exists()

    page.get_by_role("group", name="Date of birth").get_by_label("Year").fill("2015")
    page.get_by_role("button", name="Save referral").click()
    referral = Referral.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(referral.reference)
    assert_accessible(page)

    page.get_by_role("button", name="Triage this referral").click()
    page.get_by_label("Close it: the child is not missing education").check()
    page.get_by_label("Why is the child not missing education?").fill(
        "On roll at Eastdale Academy since September.")
    page.get_by_role("button", name="Confirm decision").click()
    expect(page.get_by_text(f"Referral {referral.reference} closed as not CME")).to_be_visible()
    expect(page.get_by_text("On roll at Eastdale Academy since September.")).to_be_visible()
    assert_accessible(page)


def test_partner_refers_a_child_and_follows_its_status(signed_in_page, partner_a,
                                                        assert_accessible):
    page = signed_in_page(partner_a)
    page.goto("/partner/referrals/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a referral")
    assert_accessible(page)

    fill_child(page, forename="Mia", surname="Ford")
    page.get_by_label("Why are you concerned about the child’s education?").fill(
        "Family in temporary accommodation; no school place since moving.")
    page.get_by_role("button", name="Send referral").click()
    referral = Referral.objects.get()
    expect(page.locator(".govuk-panel--confirmation")).to_contain_text(referral.reference)
    assert_accessible(page)

    page.get_by_role("link", name="see the status of your referrals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your referrals")
    row = page.get_by_role("row").filter(has_text=referral.reference)
    expect(row).to_contain_text("Mia Ford")
    expect(row).to_contain_text("A CME officer will look at it soon")
    assert_accessible(page)
