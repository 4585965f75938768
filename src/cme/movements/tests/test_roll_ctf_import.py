"""A CTF is a roll too: the provider comes from its header, its pupils bring their carers."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cme.movements.models import RollImport
from cme.movements.tests.conftest import DATA
from cme.people.models import Child
from cme.providers.models import Enrolment


def test_import_ctf_command_replaces_the_source_schools_roll(school_a):
    out = StringIO()
    call_command("import-ctf", str(DATA / "ctf25_school_to_la.xml"), stdout=out, stderr=StringIO())
    record = RollImport.objects.get()
    assert (record.provider, record.as_of, record.source_kind, record.joined) == (school_a, date(2025, 10, 1), "ctf", 3)
    amelia = Child.objects.get(upn="D901200119011")
    assert {(c.name, c.relationship, c.parental_responsibility) for c in amelia.contacts.all()} == {
        ("Mrs Claire Thornton", "PAM", True), ("Mr Gareth Thornton", "PAD", True)}
    assert amelia.enrolments.get().entry_date == date(2018, 9, 5)  # from its school history
    oliver = Child.objects.get(upn="T901200119012")
    assert list(oliver.former_upns.values_list("upn", flat=True)) == ["G901200119013"]
    assert "3 pupils; 3 joined" in out.getvalue()


def test_namespaced_ctf18_goes_to_its_destination_school(school_a, school_b, tmp_path):
    full = tmp_path / "full.xml"
    full.write_text((DATA / "ctf18_namespaced_transfer.xml").read_text(encoding="utf-8").replace(
        ">partial<", ">full<"), encoding="utf-8")
    call_command("import-ctf", str(full), "--as-of", "2019-01-15", stdout=StringIO(), stderr=StringIO())
    enrolment = Enrolment.objects.get()
    assert enrolment.provider == school_a and enrolment.child.legal_forename == "Siobhán"
    assert enrolment.year_group == "R"


def test_partial_ctf_is_not_taken_as_a_whole_roll(school_a, school_b):
    # A transfer CTF carries only the movers; as a roll it would make every other pupil a leaver.
    with pytest.raises(CommandError):
        call_command("import-ctf", str(DATA / "ctf18_namespaced_transfer.xml"), "--as-of", "2019-01-15",
                     stdout=StringIO(), stderr=StringIO())
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("name", ["xxe.xml", "billion_laughs.xml"])
def test_hostile_xml_is_refused_and_nothing_changes(school_a, name):
    err = StringIO()
    with pytest.raises(CommandError, match="cannot be read as a CTF"):
        call_command("import-ctf", str(DATA / name), stdout=StringIO(), stderr=err)
    assert "refused for safety" in err.getvalue()
    assert not Child.objects.exists()


def test_ctf_for_an_unknown_school_is_refused(la_a):
    with pytest.raises(CommandError, match="No provider matches"):
        call_command("import-ctf", str(DATA / "ctf25_school_to_la.xml"), stdout=StringIO(), stderr=StringIO())
