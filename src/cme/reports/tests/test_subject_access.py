"""A subject-access export (issue 15 point 5): everything held on one child, found through the
models, as JSON and a readable PDF, audited. A manager of LA A exports; A's officer is refused;
LA B's manager gets nothing of A's child."""

import io
import json
from datetime import date

import pytest
from pypdf import PdfReader

from cme.accounts.models import Role
from cme.audit.models import AuditEvent
from cme.cases.register.services import case_note_add
from cme.people.models import Address, VulnerabilityFlag
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def child_record(la_a, officer_a, school_a):
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley")
    Address.objects.create(child=child, line1="4 Refuge Road", postcode="NM1 1AA", is_refuge=True)
    VulnerabilityFlag.objects.create(child=child, flag="child_protection")
    f.enrol(child, school_a)
    case = f.make_case(child, responsible_officer=officer_a)
    case_note_add(actor=officer_a, case=case, text="Spoke to the aunt")
    return child


def test_everything_on_the_child_comes_out_as_json_and_pdf_and_is_audited(client_for, manager_a, child_record):
    client = client_for(manager_a)
    data = json.loads(client.get(f"/children/{child_record.pk}/subject-access").content)
    records = data["records"]
    assert records["people.child"][0]["legal_surname"] == "Hartley"
    assert records["people.address"][0]["is_refuge"] is True  # restricted records included
    assert records["people.vulnerabilityflag"][0]["flag"] == "child_protection"
    assert records["providers.enrolment"] and records["cases.case"]
    assert records["cases.casenote"][0]["text"] == "Spoke to the aunt"  # found through the case
    assert any("note" in e["summary"].lower() for e in records["audit.auditevent"])
    pdf = PdfReader(io.BytesIO(client.get(f"/children/{child_record.pk}/subject-access?format=pdf").content))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Ruby Hartley" in text and "Spoke to the aunt" in text
    assert AuditEvent.objects.filter(action="export", object_type="child", child_id=child_record.pk).count() == 2


def test_records_linked_through_others_and_every_history_copy_come_out_too(client_for, manager_a, child_record,
                                                                         school_a):
    from cme.attendance.models import RegisterMarkChange, RegisterYear

    enrolment = child_record.enrolments.get()
    register = RegisterYear.objects.create(enrolment=enrolment, provider=school_a, academic_year=2024,
                                           start_date=date(2024, 9, 2), marks=b"", last_marked=None)
    RegisterMarkChange.objects.create(register=register, date=date(2024, 9, 3), session="am", old_code="/",
                                      new_code="N")
    child_record.legal_surname = "Hartley-Stone"
    child_record.save()
    records = json.loads(client_for(manager_a).get(f"/children/{child_record.pk}/subject-access").content)["records"]
    assert [r["id"] for r in records["attendance.registeryear"]] == [register.pk]  # through the enrolment
    assert records["attendance.registermarkchange"][0]["new_code"] == "N"  # through the register
    surnames = {r["legal_surname"] for r in records["people.historicalchild"]}
    assert surnames == {"Hartley", "Hartley-Stone"}  # the earlier name is held too
    assert records["cases.historicalcase"]


def test_only_a_manager_of_the_childs_authority_may_export(client_for, officer_a, officer_b, la_b, child_record):
    assert client_for(officer_a).get(f"/children/{child_record.pk}/subject-access").status_code == 403
    manager_b = f.make_user(la_b, Role.MANAGER, username="manager-b")
    assert client_for(manager_b).get(f"/children/{child_record.pk}/subject-access").status_code == 404
    assert client_for(officer_b).get(f"/children/{child_record.pk}/subject-access").status_code in (403, 404)


def test_the_command_writes_both_files(manager_a, child_record, tmp_path):
    from django.core.management import call_command

    call_command("subject-access", "--child", str(child_record.pk), "--as", manager_a.username, "--out", str(tmp_path))
    assert (tmp_path / f"subject-access-{child_record.pk}.json").exists()
    assert (tmp_path / f"subject-access-{child_record.pk}.pdf").read_bytes().startswith(b"%PDF")
