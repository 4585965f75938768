"""An officer works a case in the browser: the case list and its filters, the case page, a stage
move, a note on the timeline, and the child page. axe runs on every page visited."""

import re

import pytest
from playwright.sync_api import expect

from cme.cases.models import CaseNote, Stage
from cme.people.services import child_flag_add
from cme.testing import factories as f

pytestmark = pytest.mark.browser


@pytest.fixture
def register(la_a, officer_a, school_a):
    """Three cases, so that filtering has something to leave out."""
    located = f.make_case(f.make_child(la_a, legal_forename="Lena", legal_surname="Okafor"), stage="located")
    other = f.make_case(f.make_child(la_a, legal_forename="Tom", legal_surname="Briggs"), stage="identified")
    case = f.make_case(
        f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley"),
        stage="logged", responsible_officer=officer_a, last_known_provider=school_a,
    )
    child_flag_add(actor=officer_a, child=case.child, flag="young_carer")
    return case, located, other


def test_officer_filters_the_list_moves_a_stage_and_adds_a_note(signed_in_page, officer_a, register,
                                                                  assert_accessible):
    case, located, other = register
    page = signed_in_page(officer_a)

    # The case list opens on open cases, with the filter panel beside it.
    page.goto("/cases")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    table = page.locator("[data-test=case-list]")
    for c in (case, located, other):
        expect(table).to_contain_text(c.reference)
    assert_accessible(page)

    # Filter to one stage: the other cases leave the list, and the filter shows as selected.
    page.get_by_label("Stage").select_option(label="Logged")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"stage=logged"))
    expect(table).to_contain_text(case.reference)
    expect(table).not_to_contain_text(located.reference)
    expect(table).not_to_contain_text(other.reference)
    expect(page.locator(".moj-filter__selected")).to_contain_text("Logged")
    assert_accessible(page)

    # A date that cannot be is explained, not a crash.
    page.get_by_role("group", name="Referred on or after").get_by_label("Day").fill("31")
    page.get_by_role("group", name="Referred on or after").get_by_label("Month").fill("2")
    page.get_by_role("group", name="Referred on or after").get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Referred on or after must be a real date")
    assert_accessible(page)

    # Open the case.
    page.get_by_role("link", name=case.reference).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ruby Hartley")
    expect(page.locator("[data-test=case-summary]")).to_contain_text("Missing education")
    assert_accessible(page)

    # Move its stage: only the moves the case can make are offered.
    page.get_by_role("button", name="Move stage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Move the case to another stage")
    expect(page.get_by_label("Received")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Move stage").click()  # nothing chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the stage to move the case to")
    assert_accessible(page)
    page.get_by_label("Locating", exact=True).check()
    page.get_by_label("Note (optional)").fill("Home visit booked for Tuesday")
    page.get_by_role("button", name="Move stage").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Stage changed")
    case.refresh_from_db()
    assert case.stage == Stage.LOCATING

    # Add a note and see it, with the stage move, on the timeline.
    page.get_by_label("Add a note").fill("Neighbour says the family moved to Eastdale.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Note added")
    timeline = page.locator("[data-test=timeline]")
    expect(timeline).to_contain_text("Neighbour says the family moved to Eastdale.")
    expect(timeline).to_contain_text("Moved to locating")
    expect(timeline).to_contain_text("Home visit booked for Tuesday")
    expect(timeline.locator(".moj-timeline__item").first).to_contain_text("Note")
    assert CaseNote.objects.get(case=case).author == officer_a
    assert_accessible(page)

    # An empty note is refused with a message, and the page still passes axe.
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the note")
    assert_accessible(page)

    # On to the child page.
    page.locator(".govuk-summary-list").get_by_role("link", name="Ruby Hartley").click()
    expect(page).to_have_url(re.compile(rf"/children/{case.child_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ruby Hartley")
    expect(page.get_by_text("Young carer")).to_be_visible()
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    assert_accessible(page)


def test_manager_sees_who_viewed_the_child(signed_in_page, manager_a, register, assert_accessible):
    case, _, _ = register
    page = signed_in_page(manager_a)
    page.goto(f"/children/{case.child_id}")
    page.get_by_role("link", name="Who has viewed this child").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has viewed this child")
    expect(page.locator("[data-test=viewers]")).to_contain_text("Viewed child Ruby Hartley")
    assert_accessible(page)


def test_every_other_case_and_child_page_passes_axe(signed_in_page, officer_a, register, assert_accessible):
    case, _, _ = register
    page = signed_in_page(officer_a)
    for path in (f"/cases/{case.pk}/officer", f"/cases/{case.pk}/close",
                 f"/children/{case.child_id}/details", f"/children/{case.child_id}/flags/new",
                 f"/children/{case.child_id}/addresses/new", f"/children/{case.child_id}/contacts/new",
                 f"/children/{case.child_id}/names/new", f"/children/{case.child_id}/history",
                 "/children?q=Hartley"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
    # And with errors showing.
    page.goto(f"/cases/{case.pk}/close")
    page.get_by_role("button", name="Close case").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the outcome before closing the case")
    assert_accessible(page)
    page.goto(f"/children/{case.child_id}/details")
    page.get_by_role("group", name="Date of birth").get_by_label("Year").fill("2999")
    page.get_by_role("button", name="Save details").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Date of birth must be in the past")
    assert_accessible(page)


def test_school_user_sees_its_pupils_and_their_basic_details(signed_in_page, school_user_a, school_a, register,
                                                             assert_accessible):
    case, _, _ = register
    f.enrol(case.child, school_a, year_group="4")
    page = signed_in_page(school_user_a)
    page.goto("/pupils")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your pupils")
    assert_accessible(page)
    page.get_by_role("link", name="Ruby Hartley").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ruby Hartley")
    expect(page.get_by_text(case.reference)).to_have_count(0)
    assert_accessible(page)
