"""Issue 12 point 5: Northmoor's officer finds a child now living in Eastdale and sends the case to
Eastdale's CME Tracker from the case page; Eastdale's officer (another server, its own database)
accepts it; Northmoor sees it accepted and closes its case as moved. axe on every page."""

import json

import pytest
from playwright.sync_api import expect

from cme.cases.register.models import Outcome, Reason
from cme.handoffs import signing
from cme.handoffs.models import HandoffStatus, OutgoingHandoff
from cme.handoffs.tests.test_two_instances import SETUP_B, Instance
from cme.testing import factories as f
from cme.testing.factories import TEST_PASSWORD
from cme.testing.tasks import run_queued_tasks

pytestmark = pytest.mark.browser


@pytest.fixture
def eastdale(tmp_path, live_server, settings, la_a):
    keys = {"901": signing.new_key(), "907": signing.new_key()}
    la_a.la_code = "901"
    la_a.save()
    settings.CME_HANDOFF = {"keys": {"901": keys["901"][0]},
                            "peers": {"907": {"url": "", "public_key": keys["907"][1], "name": "Eastdale Council"}}}
    b = Instance(tmp_path / "eastdale", {
        "keys": {"907": keys["907"][0]},
        "peers": {"901": {"url": live_server.url, "public_key": keys["901"][1]}}})
    # A plain sign-in over http on loopback: no second factor, cookies without the secure flag.
    b.env.update(CME_REQUIRE_2FA="0", CME_SECURE_COOKIES="0")
    b.cme("migrate", "--no-input", "-v", "0")
    b.cme("shell", script=SETUP_B)
    b.start()
    settings.CME_HANDOFF["peers"]["907"]["url"] = b.url
    yield b
    b.stop()


def test_northmoor_sends_eastdale_accepts_and_northmoor_closes_as_moved(
        page, chromium, signed_in_page, eastdale, la_a, officer_a, school_a, assert_accessible):
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley", upn="A901200124001")
    case = f.make_case(child, responsible_officer=officer_a, reason=Reason.MOVED_UNKNOWN,
                       last_known_provider=school_a)

    # Northmoor's officer sends the case from its page.
    signed_in_page(officer_a)
    page.goto(f"/cases/{case.pk}")
    page.get_by_role("button", name="Send to another council's CME Tracker").click()
    assert_accessible(page)
    expect(page.get_by_label("Case reference")).to_have_value(case.reference)
    page.get_by_label("Council").select_option(label="Eastdale Council (907)")
    page.get_by_role("button", name="Send the case").click()
    expect(page.get_by_text(f"Case {case.reference} is being sent")).to_be_visible()
    run_queued_tasks()  # the worker delivers it, signed, to Eastdale's server
    out = OutgoingHandoff.objects.get(case=case)
    assert out.status == HandoffStatus.DELIVERED

    # Eastdale's officer, on Eastdale's own server, accepts it.
    other = chromium.new_context(base_url=eastdale.url, locale="en-GB")
    bob = other.new_page()
    bob.goto("/sign-in")
    bob.get_by_label("Username").fill("bob")
    bob.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    bob.get_by_role("button", name="Sign in").click()
    bob.goto("/handoffs")
    card = bob.locator(".govuk-summary-card", has_text="Ruby Hartley")
    expect(card).to_contain_text(f"Their case {case.reference}")
    assert_accessible(bob)
    card.get_by_role("button", name="Accept and open a case").click()
    expect(bob.get_by_text("Hand-off accepted: a case is open")).to_be_visible()
    other.close()
    eastdale.cme("db_worker", "--batch", "--no-startup-delay", "-v", "0")  # its answer goes back

    # Northmoor sees it accepted, with Eastdale's case reference, and closes its own as moved.
    page.goto("/handoffs")
    expect(page.locator("table")).to_contain_text("Accepted")
    out.refresh_from_db()
    assert out.status == HandoffStatus.ACCEPTED and out.answer_case_reference.startswith("C907-")
    expect(page.locator("table")).to_contain_text(out.answer_case_reference)
    assert_accessible(page)
    page.goto(f"/cases/{case.pk}")
    page.get_by_role("button", name="Close case").click()
    page.get_by_label("Moved to another LA and accepted there").check()
    page.get_by_role("button", name="Close case").click()
    expect(page.get_by_text("Case closed")).to_be_visible()
    case.refresh_from_db()
    assert case.outcome == Outcome.MOVED_LA and not case.is_open
    assert json.loads(eastdale.cme("shell", script="import json\nfrom cme.cases.register.models import Case\n"
                                   "print(json.dumps(Case.objects.count()))").strip().splitlines()[-1]) == 1
