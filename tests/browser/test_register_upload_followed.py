"""A school uploads its registers; the next page follows the load as the worker runs it, read out
by screen readers (role=status), then shows the result. axe on each page."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from cme.accounts.models import Role
from cme.attendance.tests.db_builders import days_of_marks, register_csv
from cme.testing import factories as f
from cme.testing.tasks import run_queued_tasks

pytestmark = pytest.mark.browser


def test_a_school_uploads_registers_and_follows_the_load(page, signed_in_page, la_a, school_a, assert_accessible,
                                                          tmp_path, settings):
    settings.DATA_DIR = tmp_path
    child = f.make_child(la_a, upn=f.make_upn("901", "2001", serial=55))
    f.enrol(child, school_a, entry=dt.date(2025, 9, 1), upn=child.upn)
    user = f.make_user(school_a, Role.SCHOOL, username="sam")
    path = tmp_path / "registers.csv"
    path.write_bytes(register_csv(*days_of_marks(child.upn, school_a.laestab, dt.date(2025, 9, 8), 5)))

    signed_in_page(user)
    page.goto("/attendance/registers/upload")
    assert_accessible(page)
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Upload registers").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Waiting to be loaded")
    assert_accessible(page)
    # The worker runs while the page is open; the page notices by itself and shows the result.
    run_queued_tasks()
    expect(page.get_by_text("Registers loaded")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("heading", name="registers.csv")).to_be_visible()
    assert_accessible(page)
