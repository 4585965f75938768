"""The GIAS extract adds and updates providers by URN, all or nothing, naming every bad row."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cme.audit.models import AuditEvent
from cme.providers.gias import read_extract
from cme.providers.models import Organisation, OrgKind, Status
from cme.providers.services import ImportRefused, gias_import

DEMO = Path(__file__).resolve().parent.parent / "data" / "gias-demo-extract.csv"
HEAD = ("URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,TypeOfEstablishment (name),"
        "EstablishmentStatus (name),OpenDate,CloseDate,PhaseOfEducation (name),StatutoryLowAge,"
        "StatutoryHighAge,Postcode\r\n")


def extract(*rows: str, head: str = HEAD) -> bytes:
    return (head + "".join(r + "\r\n" for r in rows)).encode("cp1252")


def test_demo_extract_loads_both_authorities_with_windows_1252_names(la_a, la_b):
    call_command("import-gias", str(DEMO), stdout=StringIO(), stderr=StringIO())
    closed = Organisation.objects.get(urn="140950")
    assert closed.name == "St Thérèse’s Catholic Primary School"
    assert (closed.status, closed.is_open, closed.la) == (Status.CLOSED, False, la_a)
    assert closed.close_date.isoformat() == "2023-08-31"
    assert Organisation.objects.get(urn="140951").kind == OrgKind.INDEPENDENT_SCHOOL
    assert Organisation.objects.get(urn="140952").kind == OrgKind.FE_COLLEGE
    assert Organisation.objects.get(urn="150950").name == "Dunmere Café Lane Primary School"
    assert Organisation.objects.filter(la=la_b, from_gias=True).count() > 20
    assert not Organisation.objects.filter(urn="140953").exists()  # a children's centre is not tracked
    assert Organisation.objects.filter(kind=OrgKind.PRU, la=la_a).count() == 1


def test_la_filter_and_a_second_import_updates_by_urn(la_a):
    out = StringIO()
    call_command("import-gias", str(DEMO), "--la", "901", stdout=out, stderr=StringIO())
    assert not Organisation.objects.filter(la_code="907").exists()
    school = Organisation.objects.get(urn="140007")
    school.name = "Renamed by hand"
    school.save()
    out = StringIO()
    call_command("import-gias", str(DEMO), "--la", "901", stdout=out, stderr=StringIO())
    assert "0 providers added, 1 updated" in out.getvalue()
    school.refresh_from_db()
    assert school.name != "Renamed by hand" and school.from_gias


def test_existing_school_without_urn_is_matched_by_laestab(la_a, school_a):
    data = extract("140100,901,Northmoor,2001,Northmoor Primary School,Community school,Open,01-09-1990,,"
                   "Primary,4,11,NM1 1AA")
    gias_import(actor=None, extract=read_extract(data))
    school_a.refresh_from_db()
    assert (school_a.urn, school_a.type_of_establishment, school_a.from_gias) == ("140100", "Community school", True)
    assert Organisation.objects.filter(la_code="901", estab="2001").count() == 1


def test_older_headings_are_understood(la_a):
    head = ("URN,Local authority (code),Establishment number,Establishment name,Type of establishment,"
            "Establishment status,Phase of education\r\n")
    data = extract("140101,901,2002,Moorend Primary School,Academy converter,Open,Primary", head=head)
    gias_import(actor=None, extract=read_extract(data))
    assert Organisation.objects.get(urn="140101").phase == "primary"


def test_bad_rows_change_nothing_and_every_row_and_field_is_named(la_a):
    data = extract(
        "140102,901,Northmoor,2003,Good Primary School,Community school,Open,01-09-1990,,Primary,4,11,NM1 1AA",
        "14010,901,Northmoor,2004,Short URN School,Community school,Open,,,Primary,4,11,",
        "140104,9X1,Northmoor,204,Bad Codes School,Community school,Sort of open,31-02-2001,,Primary,11,4,",
    )
    parsed = read_extract(data)
    with pytest.raises(ImportRefused) as refused:
        gias_import(actor=None, extract=parsed)
    named = {(p.row, p.column) for p in refused.value.problems}
    assert named == {
        (3, "URN"),
        (4, "LA (code)"),
        (4, "EstablishmentStatus (name)"),
        (4, "OpenDate"),
        (4, "StatutoryHighAge"),
    }
    assert not Organisation.objects.filter(urn="140102").exists()
    assert not AuditEvent.objects.filter(object_type="provider").exists()


def test_command_lists_every_problem_and_fails(la_a, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(extract("14010,901,Northmoor,2004,Short URN School,Community school,Open,,,Primary,4,11,"))
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import-gias", str(bad), stdout=StringIO(), stderr=err)
    assert "Row 2 (URN 14010), URN: A URN must be 6 digits" in err.getvalue()


def test_import_is_audited(la_a):
    call_command("import-gias", str(DEMO), "--la", "901", stdout=StringIO(), stderr=StringIO())
    event = AuditEvent.objects.get(object_type="provider")
    assert "gias-demo-extract.csv" in event.summary and event.detail["added"] > 20
