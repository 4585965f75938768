"""From "needs determined" to "in provision": the officer sees the suitable places and asks a
school for one, the school answers on its own pages, the officer takes up the offer and the case
is in provision with attendance watched. axe runs on every page visited."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cme.accounts.models import Role
from cme.cases.models import NeedsAssessment, Stage
from cme.people.models import Address
from cme.places.models import PlacementRequest, Postcode, YearGroupPlaces
from cme.places.ranking import year_group_for, year_label
from cme.providers.models import Organisation, OrgKind
from cme.testing import factories as f

pytestmark = pytest.mark.browser


def school(la, name, estab, postcode, lat, year):
    org = Organisation.objects.create(kind=OrgKind.SCHOOL, name=name, la=la, la_code=la.la_code, estab=estab,
                                      phase="secondary", postcode=postcode)
    Postcode.objects.create(postcode=postcode, latitude=lat, longitude=-1.55)
    YearGroupPlaces.objects.create(provider=org, year_group=year, capacity=30, on_roll=28,
                                   roll_counted_at=timezone.now())
    return org


def fill_date(page, group: str, day):
    box = page.get_by_role("group", name=group)
    box.get_by_label("Day").fill(str(day.day))
    box.get_by_label("Month").fill(str(day.month))
    box.get_by_label("Year").fill(str(day.year))


def test_officer_finds_a_place_the_school_offers_it_and_the_child_starts(signed_in_page, la_a, officer_a,
                                                                         assert_accessible):
    today = timezone.localdate()
    dob = today.replace(year=today.year - 12, day=1)
    year = year_label(year_group_for(dob, today))
    near = school(la_a, "Moor Lane Academy", "4101", "NM1 2BB", 53.805, year)
    school(la_a, "Hilltop High School", "4102", "NM2 3CC", 53.85, year)
    head = f.make_user(near, Role.SCHOOL, username="nina")
    child = f.make_child(la_a, legal_forename="Maya", legal_surname="Brook", date_of_birth=dob)
    Postcode.objects.create(postcode="NM1 1AA", latitude=53.80, longitude=-1.55)
    Address.objects.create(child=child, line1="1 Moor Lane", postcode="NM1 1AA")
    case = f.make_case(child, responsible_officer=officer_a, stage="needs_determined", located_on=today)
    NeedsAssessment.objects.create(case=case, assessed_by=officer_a, state="not_needed",
                                   recommended_provision="mainstream", assessed_on=today)

    page = signed_in_page(officer_a)
    page.goto(f"/cases/{case.pk}")
    page.get_by_role("button", name="Places and requests").click()
    suggestions = page.locator("[data-test=suggestions]")
    expect(suggestions.locator("tbody tr").first).to_contain_text("Moor Lane Academy")
    expect(suggestions).to_contain_text("2 places free")
    assert_accessible(page)
    page.get_by_label("Provider to ask").select_option(label="Moor Lane Academy")
    page.get_by_label("In-year admission application").check()
    page.get_by_role("button", name="Ask for a place").click()
    expect(page.locator("[data-test=requests]")).to_contain_text("Waiting for an answer")
    page.get_by_role("button", name="Sign out").click()

    page = signed_in_page(head)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Places").click()
    request = PlacementRequest.objects.get()
    page.get_by_role("link", name=f"Request {request.pk}").click()
    assert_accessible(page)
    page.get_by_label("Offered a place").check()
    fill_date(page, "Start date (with an offer)", today)
    page.get_by_role("button", name="Save the answer").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Offered, starting")
    page.get_by_role("button", name="Sign out").click()

    page = signed_in_page(officer_a)
    page.goto(f"/cases/{case.pk}/places")
    page.get_by_role("button", name="Take up the offer").click()
    expect(page.locator("[data-test=watches]")).to_contain_text("Moor Lane Academy")
    assert_accessible(page)
    case.refresh_from_db()
    assert case.provision_provider == near and case.stage == Stage.IN_PROVISION
    page.get_by_role("link", name=f"Back to case {case.reference}").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}$"))
    expect(page.locator("[data-test=case-summary]")).to_contain_text("Moor Lane Academy")
