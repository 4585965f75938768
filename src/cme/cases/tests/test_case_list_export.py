"""Every list exports (issue 14 point 3): the case list, with its filters, as CSV and XLSX, safe
against formula injection, and the export audited with the children in it. LA B's officer gets
none of A's cases."""

import io

import pytest
from openpyxl import load_workbook

from cme.audit.models import AuditEvent
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile_case(la_a, officer_a):
    child = f.make_child(la_a, legal_forename="=HYPERLINK(\"http://evil\")", legal_surname="@Marsh")
    return f.make_case(child, responsible_officer=officer_a)


def test_the_case_list_exports_as_csv_and_xlsx_written_as_text_and_audited(client_for, officer_a, manager_a,
                                                                          hostile_case):
    csv_text = client_for(officer_a).get("/cases?format=csv").content.decode("utf-8-sig")
    assert hostile_case.reference in csv_text
    assert "'@Marsh" in csv_text and "'=HYPERLINK" in csv_text.replace('""', '"')
    book = load_workbook(io.BytesIO(client_for(manager_a).get("/cases?format=xlsx").content))
    cells = [c for row in book.active.iter_rows() for c in row if c.value == "@Marsh"]
    assert cells and all(c.data_type == "s" for c in cells)
    events = AuditEvent.objects.filter(action="export", object_type="case")
    assert events.count() == 2 and all(hostile_case.pk in e.detail["ids"] for e in events)


def test_the_export_keeps_the_lists_filters(client_for, officer_a, hostile_case, la_a):
    other = f.make_case(f.make_child(la_a, legal_surname="Quiet"), responsible_officer=officer_a, category="at_risk")
    text = client_for(officer_a).get("/cases?category=missing&format=csv").content.decode("utf-8-sig")
    assert hostile_case.reference in text and other.reference not in text


def test_another_authoritys_officer_exports_nothing_of_a(client_for, officer_b, hostile_case):
    text = client_for(officer_b).get("/cases?format=csv").content.decode("utf-8-sig")
    assert hostile_case.reference not in text and len(text.splitlines()) == 1
