"""Signing in through the real pages in Chromium, two-factor sign-in included, with axe on each."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from cme.testing.factories import TEST_PASSWORD
from tests.browser.conftest import _secret_key, totp_code

pytestmark = pytest.mark.browser


def test_officer_sets_up_two_factor_then_reaches_home(page, officer_a, case_a, assert_accessible):
    page.goto("/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to CME Tracker")
    assert_accessible(page)

    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/two-factor/set-up$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    assert_accessible(page)

    key = _secret_key(page.locator("#totp-secret").inner_text())
    page.get_by_label("Code from your authenticator app").fill(totp_code(key))
    page.get_by_role("button", name="Confirm and continue").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    expect(page.get_by_text("Two-factor sign-in is set up")).to_be_visible()
    expect(page.get_by_role("link", name=case_a.reference)).to_be_visible()
    expect(page.locator(".govuk-generic-header")).to_contain_text("Northmoor Council")
    assert_accessible(page)
    assert TOTPDevice.objects.get(user=officer_a).confirmed


def test_officer_with_an_app_enters_its_code(page, officer_a, assert_accessible):
    device = TOTPDevice.objects.create(user=officer_a, name="Phone", confirmed=True)

    page.goto("/sign-in")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/two-factor$"))
    assert_accessible(page)
    page.get_by_label("Enter the code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    assert_accessible(page)

    page.wait_for_timeout(1100)  # django-otp makes a second try wait a second after a wrong one
    device.refresh_from_db()
    page.get_by_label("Enter the code from your authenticator app").fill(
        totp_code(device.bin_key, after_t=device.last_t)
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")


def test_wrong_password_shows_an_accessible_error(page, officer_a, assert_accessible):
    page.goto("/sign-in")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(summary).to_be_focused()
    assert_accessible(page)


def test_signed_in_officer_signs_out(signed_in_page, officer_a):
    page = signed_in_page(officer_a)
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/$"))


def test_partner_and_school_users_sign_in_without_two_factor(signed_in_page, partner_a, assert_accessible):
    page = signed_in_page(partner_a)
    expect(page.get_by_role("heading", level=1)).to_have_text("Refer a child missing education")
    expect(page.get_by_role("navigation", name="Menu")).to_contain_text("Your referrals")
    assert_accessible(page)
