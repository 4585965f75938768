"""A case from referral to closure: triage, reasonable enquiries, the child found, a key worker and a
needs assessment, provision, and closing with an outcome. axe runs on every page visited."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cme.cases.models import Case, Enquiry, NeedsAssessment, Stage
from cme.testing import factories as f

pytestmark = pytest.mark.browser


def fill_date(page, group: str, day):
    box = page.get_by_role("group", name=group)
    box.get_by_label("Day").fill(str(day.day))
    box.get_by_label("Month").fill(str(day.month))
    box.get_by_label("Year").fill(str(day.year))


def test_officer_takes_a_case_from_referral_to_closure(signed_in_page, la_a, officer_a, school_a,
                                                       assert_accessible):
    today = timezone.localdate()
    referral = f.make_referral(la_a, child_forename="Leo", child_surname="Marsh",
                               last_known_school="Northmoor Primary School")
    page = signed_in_page(officer_a)

    # Triage: open a case for a new child.
    page.goto(f"/referrals/{referral.reference}")
    page.get_by_role("button", name="Triage this referral").click()
    page.get_by_label("Open a case, or add the referral to the child’s open case").check()
    page.get_by_label("A child new to the register").check()
    page.get_by_label("Missing education", exact=True).check()
    page.get_by_label("Reason", exact=True).select_option(label="Moved with no known destination")
    page.get_by_role("button", name="Confirm decision").click()
    case = Case.objects.get()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}$"))
    checklist = page.locator("[data-test=enquiry-checklist]")
    expect(page.get_by_text("0 of 15 kinds of enquiry made.")).to_be_visible()
    assert_accessible(page)

    # An enquiry in the future is refused, with nothing saved.
    page.get_by_role("button", name="Record an enquiry").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an enquiry")
    assert_accessible(page)
    page.get_by_label("Home visit").check()
    fill_date(page, "Date of the enquiry", today.replace(year=today.year + 1))
    page.get_by_label("What did the enquiry find?").fill("No answer at 12 Mill Lane")
    page.get_by_role("button", name="Save enquiry").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The date of the enquiry must be today or in the past")
    expect(summary).to_be_focused()
    assert_accessible(page)
    assert not Enquiry.objects.exists()

    fill_date(page, "Date of the enquiry", today)
    page.get_by_label("Next step (optional)").fill("Ask the school")
    page.get_by_role("button", name="Save enquiry").click()
    expect(page.get_by_text("Enquiry recorded")).to_be_visible()
    expect(page.get_by_text("1 of 15 kinds of enquiry made.")).to_be_visible()
    expect(page.locator("[data-test=case-summary]")).to_contain_text("Locating")

    # The task list links each enquiry still to make; the school last attended is next.
    checklist.get_by_role("link", name="School last attended").click()
    expect(page.get_by_label("School last attended")).to_be_checked()
    fill_date(page, "Date of the enquiry", today)
    page.get_by_label("What did the enquiry find?").fill("Mother phoned the school: they live at 4 Canal Row")
    page.get_by_role("button", name="Save enquiry").click()
    expect(page.get_by_text("2 of 15 kinds of enquiry made.")).to_be_visible()
    assert_accessible(page)

    # Found.
    page.get_by_role("button", name="Child found").click()
    assert_accessible(page)
    fill_date(page, "Date the child was found", today)
    page.get_by_label("Address line 1").fill("4 Canal Row")
    page.get_by_label("Postcode (optional)").fill("NM1 2AB")
    page.get_by_label("Who has parental responsibility?").fill("Jane Marsh (mother)")
    page.get_by_role("button", name="Save: child found").click()
    expect(page.locator("[data-test=whereabouts]")).to_contain_text("Found at an address")
    expect(page.locator("[data-test=case-summary]")).to_contain_text("Located")

    # Key worker, then the needs assessment.
    page.get_by_role("link", name="Allocate key worker or lead professional").click()
    assert_accessible(page)
    page.get_by_label("Officer").select_option(label=str(officer_a))
    page.get_by_label("Key worker", exact=True).check()
    page.get_by_role("button", name="Save key worker").click()
    expect(page.locator("[data-test=needs]")).to_contain_text(str(officer_a))

    page.get_by_role("button", name="Start needs assessment").click()
    assert_accessible(page)
    page.get_by_label("Education history and gaps").fill("Year 5 at Northmoor Primary until March")
    page.get_by_label("SEN support").check()
    page.get_by_label("Health", exact=True).fill("Asthma")
    page.get_by_label("Family circumstances").fill("Moved twice this year")
    page.get_by_label("Why the child disengaged from education").fill("Anxiety after the moves")
    page.get_by_label("Parents’ preferences").fill("A school near Canal Row")
    page.get_by_label("The child’s preferences").fill("With his cousin")
    page.get_by_label("Mainstream school").check()
    page.get_by_role("button", name="Complete assessment").click()
    expect(page.locator("[data-test=needs]")).to_contain_text("Mainstream school")
    expect(page.locator("[data-test=case-summary]")).to_contain_text("Needs determined")
    assert NeedsAssessment.objects.get().assessed_on == today
    assert_accessible(page)

    # A move that skips a step is not offered, and says what is missing.
    page.get_by_role("button", name="Move stage").click()
    expect(page.locator("[data-test=blocked-moves]")).to_contain_text(
        "In provision and monitored: Before the case can be in provision: record the provider")
    expect(page.get_by_label("In provision and monitored")).to_have_count(0)
    assert_accessible(page)
    page.go_back()

    # The task list says what is next; the provision found, then the day the child starts.
    steps = page.locator("[data-test=case-steps]")
    expect(steps).to_contain_text("Record the provider of the provision found")
    steps.get_by_role("link", name="Identify provision and a place").click()
    assert_accessible(page)
    page.get_by_label("Provider with a place for the child").select_option(label=school_a.name)
    fill_date(page, "Date the provision was identified", today)
    page.get_by_role("button", name="Save provision").click()
    expect(page.locator("[data-test=case-summary]")).to_contain_text("Provision identified")
    steps.get_by_role("link", name="Start in provision").click()
    fill_date(page, "Date the child starts (when agreed)", today)
    page.get_by_role("button", name="Save provision").click()
    expect(page.locator("[data-test=case-summary]")).to_contain_text("In provision and monitored")
    case.refresh_from_db()
    assert case.provision_provider == school_a and case.moved_into_provision_on == today

    # Closing needs an outcome.
    page.get_by_role("button", name="Close case").click()
    page.get_by_role("button", name="Close case").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the outcome before closing the case")
    assert_accessible(page)
    page.get_by_label("Back in school").check()
    page.get_by_role("button", name="Close case").click()
    expect(page.get_by_text("Case closed")).to_be_visible()
    timeline = page.locator("[data-test=timeline]")
    expect(timeline).to_contain_text("Moved to closed")
    expect(timeline).to_contain_text("Enquiry: Home visit")
    expect(timeline).to_contain_text("Child found")
    expect(timeline).to_contain_text("Needs assessment complete")
    assert_accessible(page)
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.outcome == "back_in_school"
