"""Deletion returns from a school, the reconciliation of leavers, and who may see what: a school
sees and makes only its own pupils' returns; LA B sees nothing of LA A."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from cme.intake.models import Channel, Referral
from cme.providers.models import Enrolment, OrgKind
from cme.testing import factories as f
from cme.tracking.models import DeletionReturn, Leaver, LeaverStatus, NewEntry

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def term_dates(la_a):
    from cme.attendance.calendar import DEMO_CALENDAR
    from cme.attendance.services import term_dates_import

    lines = [line for line in DEMO_CALENDAR.read_text().splitlines(keepends=True)
             if line.startswith(("scope", "901,"))]
    term_dates_import(actor=None, la_id=la_a.pk, lines=lines, filename="terms.csv")


@pytest.fixture
def pupil(la_a, school_a):
    child = f.make_child(la_a, legal_forename="Ella", legal_surname="Burton", upn=f.make_upn("901"))
    f.enrol(child, school_a, upn=child.upn)
    return child


def _day(prefix, d):
    return {f"{prefix}-day": d.day, f"{prefix}-month": d.month, f"{prefix}-year": d.year}


def test_a_school_returns_a_deletion_of_its_own_pupil_and_gaps_are_flagged(client_for, school_user_a, pupil,
                                                                             school_a):
    client = client_for(school_user_a)
    assert client.get("/deletion-returns/new").status_code == 200
    response = client.post("/deletion-returns/new", {"pupil": str(pupil.pk), **_day("deleted_on", TODAY),
                                                      "ground": "g"})
    assert response.status_code == 302, response.content.decode()[:2000]
    record = DeletionReturn.objects.get()
    assert record.provider == school_a and record.ground == "g"
    assert [fl["code"] for fl in record.flags] == ["no_destination"]
    assert Enrolment.objects.get(child=pupil).leaving_date == TODAY
    assert "No new school or address given" in client.get("/deletion-returns").content.decode()


def test_ground_f_needs_the_written_notice_and_puts_the_child_on_the_home_education_list(
        client_for, school_user_a, pupil, la_a):
    home = f.make_school(la_a, "Elective home education", estab="0000")
    home.kind = OrgKind.HOME_EDUCATION
    home.save()
    client_for(school_user_a).post("/deletion-returns/new", {"pupil": str(pupil.pk), **_day("deleted_on", TODAY),
                                                             "ground": "f"})
    assert [fl["code"] for fl in DeletionReturn.objects.get().flags] == ["no_written_notice"]
    assert Enrolment.objects.filter(child=pupil, provider=home, leaving_date__isnull=True).exists()


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_leavers_are_seen_by_their_own_authority_only(persona, client_for, term_dates, pupil, school_a, la_a):
    from cme.tracking.services import deletion_return_record, leavers_reconcile

    deletion_return_record(actor=None, provider=school_a, child=pupil, deleted_on=dt.date(2025, 1, 10),
                           ground="g", source="api")
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 3, 3))
    html = client_for(persona).get("/leavers").content.decode()
    assert ("Ella Burton" in html) == (persona.la_id == la_a.pk)


def test_a_leaver_not_found_beyond_the_grace_period_becomes_one_referral(term_dates, pupil, school_a, la_a):
    from cme.tracking.services import deletion_return_record, leavers_reconcile

    deletion_return_record(actor=None, provider=school_a, child=pupil, deleted_on=dt.date(2025, 1, 10),
                           ground="g", source="api")
    summary = leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 1, 17))  # 5 school days
    assert summary.counts == {"unreconciled": 1} and summary.referrals_opened == 0
    summary = leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 3, 3))
    assert summary.referrals_opened == 1
    referral = Referral.objects.get(channel=Channel.RECONCILIATION)
    assert "Left the roll of" in referral.concerns and referral.child_surname == "Burton"
    # Running again opens nothing more.
    call_command("reconcile-leavers", "--la", "901", "--as-of", "2025-03-04")
    assert Referral.objects.filter(channel=Channel.RECONCILIATION).count() == 1


def test_a_new_entry_elsewhere_is_matched_to_the_leaver_and_closes_the_loop(term_dates, pupil, school_a, la_a,
                                                                            officer_a, client_for):
    from cme.tracking.services import deletion_return_record, leavers_reconcile, new_entry_record

    deletion_return_record(actor=None, provider=school_a, child=pupil, deleted_on=dt.date(2025, 1, 10),
                           ground="g", source="api")
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 3, 3))
    other = f.make_school(la_a, "Northmoor High", estab="4002")
    entry = new_entry_record(actor=None, provider=other, entry_date=dt.date(2025, 3, 4), source="api", person={
        "upn": "", "forename": "Ela", "surname": "Burton", "dob": pupil.date_of_birth.isoformat(), "sex": "F"})
    assert entry.match_state == NewEntry.MatchState.TO_CONFIRM
    assert entry.matched_leaver.child == pupil
    client = client_for(officer_a)
    assert "Ela Burton" in client.get("/new-entries").content.decode()
    referral = Leaver.objects.get(child=pupil).referral
    assert referral is not None and referral.status == "awaiting_triage"
    case = f.make_case(pupil, responsible_officer=officer_a)
    client.post(f"/new-entries/{entry.pk}/decision", {"decision": "confirm"})
    assert Leaver.objects.get(child=pupil).status == LeaverStatus.ON_ROLL
    # Found again: the leaver's referral waits for triage no longer, and the case's officer is told.
    referral.refresh_from_db()
    assert referral.status == "not_cme" and "on the roll of Northmoor High" in referral.closed_reason
    [task] = case.tasks.all()
    assert task.assigned_to == officer_a and "Child found on the roll of Northmoor High" in task.title


def test_a_sibling_joining_elsewhere_is_not_the_leaver(term_dates, pupil, school_a, la_a):
    from cme.tracking.services import deletion_return_record, leavers_reconcile, new_entry_record

    deletion_return_record(actor=None, provider=school_a, child=pupil, deleted_on=dt.date(2025, 1, 10),
                           ground="g", source="api")
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 3, 3))
    other = f.make_school(la_a, "Northmoor High", estab="4002")
    entry = new_entry_record(actor=None, provider=other, entry_date=dt.date(2025, 3, 4), source="api", person={
        "forename": "Jack", "surname": "Burton", "dob": "2016-09-21", "sex": "M"})
    assert entry.match_state == NewEntry.MatchState.NONE


def test_the_radar_is_for_managers(client_for, officer_a, manager_a):
    assert client_for(officer_a).get("/leavers/radar").status_code == 403
    assert client_for(manager_a).get("/leavers/radar").status_code == 200


def test_a_csv_of_returns_is_all_or_nothing_naming_row_and_field(tmp_path, pupil, school_a, la_a):
    from django.core.management import CommandError

    good = f"{school_a.laestab},{pupil.upn},2025-01-10,g,,,,,\n"
    bad = f"{school_a.laestab},A000000000000,2025-01-11,g,,,,,\n{school_a.laestab},{pupil.upn},2025-13-01,z,,,maybe,,\n"
    header = "laestab,upn,deleted_on,ground,destination,destination_detail,notice_received,other_registration,exclusion_on\n"
    path = tmp_path / "returns.csv"
    path.write_text(header + good + bad)
    with pytest.raises(CommandError) as e:
        call_command("import-deletion-returns", str(path), "--la", "901")
    text = str(e.value)
    assert "row 3, field upn" in text and "row 4, field deleted_on" in text and "row 4, field notice_received" in text
    assert not DeletionReturn.objects.exists()
    assert Enrolment.objects.get(child=pupil).leaving_date is None
    path.write_text(header + good)
    call_command("import-deletion-returns", str(path), "--la", "901")
    assert DeletionReturn.objects.get().source == "csv"


def test_a_school_uploads_returns_for_its_own_pupils_only(client_for, school_user_a, pupil, school_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    header = "laestab,upn,deleted_on,ground,destination,destination_detail,notice_received,other_registration,exclusion_on\n"
    client = client_for(school_user_a)
    bad = SimpleUploadedFile("r.csv", (header + f"9079999,{pupil.upn},2025-01-10,g,,,,,\n").encode())
    page = client.post("/deletion-returns/upload", {"file": bad}).content.decode()
    assert "row 2, field laestab" in page and not DeletionReturn.objects.exists()
    good = SimpleUploadedFile("r.csv", (header + f"{school_a.laestab},{pupil.upn},2025-01-10,g,,,,,\n").encode())
    assert client.post("/deletion-returns/upload", {"file": good}).status_code == 302
    assert DeletionReturn.objects.count() == 1


def test_a_joiner_on_a_later_roll_import_is_a_new_entry(la_a, school_a, officer_a, django_capture_on_commit_callbacks):
    from cme.movements.services import roll_import_csv

    header = "upn,legal_surname,legal_forename,date_of_birth,sex,entry_date\n"
    first = header + f"{f.make_upn('901')},Lane,Ada,2015-04-04,F,2022-09-05\n"
    later = first + f"{f.make_upn('901')},Khan,Mia,2014-07-07,F,2025-01-06\n"
    with django_capture_on_commit_callbacks(execute=True):
        roll_import_csv(actor=officer_a, provider=school_a, data=first.encode(), as_of=dt.date(2024, 9, 10))
    assert not NewEntry.objects.exists()  # the first roll is everyone already there
    with django_capture_on_commit_callbacks(execute=True):
        roll_import_csv(actor=officer_a, provider=school_a, data=later.encode(), as_of=dt.date(2025, 1, 10))
    entry = NewEntry.objects.get()
    assert entry.source == "roll" and entry.person["surname"] == "Khan"


def _register(child, school, *, absent_from: dt.date, until: dt.date):
    """A register for the autumn term of 2024: present (/) on school days, then N from absent_from."""
    from cme.attendance import codes as C
    from cme.attendance.models import RegisterYear

    start, marks, day = dt.date(2024, 9, 2), bytearray(), dt.date(2024, 9, 2)
    while day <= until:
        code = C.NO_SESSION if day.weekday() >= 5 else ("N" if day >= absent_from else "/")
        marks += bytes([C.encode(code), C.encode(code)])
        day += dt.timedelta(days=1)
    RegisterYear.objects.create(enrolment=Enrolment.objects.get(child=child, provider=school), provider=school,
                                academic_year=2024, start_date=start, marks=bytes(marks), last_marked=until)


@pytest.mark.parametrize(("absent_from", "premature"), [(dt.date(2024, 10, 14), True), (dt.date(2024, 10, 1), False)])
def test_ground_i_reads_the_run_of_absence_from_the_schools_registers(pupil, school_a, absent_from, premature):
    from cme.tracking.services import deletion_return_record

    deleted_on = dt.date(2024, 10, 29)
    _register(pupil, school_a, absent_from=absent_from, until=deleted_on)
    record = deletion_return_record(actor=None, provider=school_a, child=pupil, deleted_on=deleted_on,
                                    ground="i", source="web")
    messages = {fl["code"]: fl["message"] for fl in record.flags}
    assert record.premature is premature
    if premature:  # 14 Oct to 29 Oct: 12 school days of N
        assert messages["premature"] == ("The registers show 12 school days of continuous absence (G, N or O) "
                                         "before the deletion: ground (i) needs 20")
    else:
        assert "premature" not in messages
    assert "no_joint_enquiries" in messages  # the enquiries are a separate need


def test_ground_i_with_no_registers_says_the_run_cannot_be_checked(pupil, school_a):
    from cme.tracking.services import deletion_return_record

    record = deletion_return_record(actor=None, provider=school_a, child=pupil, deleted_on=dt.date(2024, 10, 29),
                                    ground="i", source="web")
    assert "no_registers" in {fl["code"] for fl in record.flags}


def test_a_roll_leaver_row_with_a_ground_is_a_deletion_return(la_a, school_a, officer_a,
                                                                django_capture_on_commit_callbacks):
    """Issue 11 point 1: returns arrive from roll imports too (a leaver with a leaving reason)."""
    from cme.handoffs.models import LostPupil
    from cme.movements.services import roll_import_csv

    ada, mia, zoe = f.make_upn("901"), f.make_upn("901"), f.make_upn("901")
    header = "upn,legal_surname,legal_forename,date_of_birth,sex,entry_date,leaving_date,leaving_ground,destination\n"
    first = (header + f"{ada},Lane,Ada,2015-04-04,F,2022-09-05,,,\n{mia},Khan,Mia,2014-07-07,F,2022-09-05,,,\n"
             f"{zoe},Ross,Zoe,2014-02-02,F,2022-09-05,,,\n")
    # Ada stays; Mia left on 6 January under (g) for no known school; Zoe left under (f).
    later = (header + f"{ada},Lane,Ada,2015-04-04,F,2022-09-05,,,\n{mia},Khan,Mia,2014-07-07,F,2022-09-05,"
             f"2025-01-06,g,\n{zoe},Ross,Zoe,2014-02-02,F,2022-09-05,2025-01-08,f,\n")
    with django_capture_on_commit_callbacks(execute=True):
        roll_import_csv(actor=officer_a, provider=school_a, data=first.encode(), as_of=dt.date(2024, 9, 10))
    with django_capture_on_commit_callbacks(execute=True):
        roll_import_csv(actor=officer_a, provider=school_a, data=later.encode(), as_of=dt.date(2025, 1, 10))
    returns = {r.child.legal_surname: r for r in DeletionReturn.objects.all()}
    assert set(returns) == {"Khan", "Ross"}
    assert returns["Khan"].source == "roll" and returns["Khan"].ground == "g"
    assert returns["Khan"].deleted_on == dt.date(2025, 1, 6)  # the row's date, not the roll's
    assert [fl["code"] for fl in returns["Khan"].flags] == ["no_destination"]
    assert Enrolment.objects.get(child__legal_surname="Ross", provider=school_a).leaving_date == dt.date(2025, 1, 8)
    assert Enrolment.objects.get(child__legal_surname="Lane").leaving_date is None
    # Mia is a lost pupil; Zoe, home educated, is not.
    assert set(LostPupil.objects.values_list("child__legal_surname", flat=True)) == {"Khan"}


def test_a_roll_leaver_row_is_refused_with_row_and_field_when_it_makes_no_sense(la_a, school_a, officer_a):
    from cme.movements.services import RollRefused, roll_import_csv

    header = "upn,legal_surname,legal_forename,date_of_birth,sex,entry_date,leaving_date,leaving_ground,destination\n"
    bad = header + (f"{f.make_upn('901')},Khan,Mia,2014-07-07,F,2022-09-05,2025-02-01,z,12345\n"
                    f"{f.make_upn('901')},Ross,Zoe,2014-02-02,F,2022-09-05,,g,\n")
    with pytest.raises(RollRefused) as refused:
        roll_import_csv(actor=officer_a, provider=school_a, data=bad.encode(), as_of=dt.date(2025, 1, 10))
    text = "\n".join(str(p) for p in refused.value.problems)
    assert "Row 2" in text and "leaving_date: The leaving date is after the date of the roll" in text
    assert "leaving_ground: “z” is not a ground for deletion" in text
    assert "destination" in text and "Row 3" in text
    assert not Enrolment.objects.filter(provider=school_a).exists()


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "officer_b"], indirect=True)
def test_the_leavers_list_exports_as_csv_and_xlsx_audited_and_scoped(persona, client_for, term_dates, pupil,
                                                                    school_a, la_a):
    import io

    from openpyxl import load_workbook

    from cme.audit.models import AuditEvent
    from cme.tracking.services import deletion_return_record, leavers_reconcile

    deletion_return_record(actor=None, provider=school_a, child=pupil, deleted_on=dt.date(2025, 1, 10),
                           ground="g", source="api")
    leavers_reconcile(la_id=la_a.pk, as_of=dt.date(2025, 3, 3))
    client = client_for(persona)
    text = client.get("/leavers?format=csv").content.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(client.get("/leavers?format=xlsx").content))
    surnames = [row[0].value for row in book.active.iter_rows(min_row=2)]
    mine = persona.la_id == la_a.pk
    assert ("Burton" in text) == mine and (surnames == ["Burton"]) == mine
    assert AuditEvent.objects.filter(action="export", object_type="leaver", actor_id=persona.pk).count() == 2
