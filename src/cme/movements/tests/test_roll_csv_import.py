"""A roll CSV replaces a provider's roll: joiners get an enrolment, leavers' enrolments end."""

from datetime import date

import pytest

from cme.audit.models import AuditEvent
from cme.movements.models import RollChange, RollImport
from cme.movements.services import roll_import_csv
from cme.movements.tests.conftest import AMELIA, OLIVER, SIOBHAN, ZOFIA, roll_csv
from cme.people.models import Child, ChildName, FormerUPN
from cme.providers.models import Enrolment
from cme.providers.signals import roll_changed
from cme.testing import factories as f


def current(provider) -> set[str]:
    return set(Enrolment.objects.filter(provider=provider, leaving_date__isnull=True)
               .values_list("child__legal_forename", flat=True))


def test_first_roll_adds_every_pupil_as_a_joiner(officer_a, school_a):
    record = roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 9, 10),
                             data=roll_csv(AMELIA, OLIVER, ZOFIA), file_name="roll.csv")
    assert (record.pupils, record.joined, record.left, record.new_children) == (3, 3, 0, 3)
    assert current(school_a) == {"Amelia", "Oliver", "Zofia"}
    amelia = Child.objects.get(upn="D901200119011")
    assert (amelia.la_id, amelia.legal_middle_names, amelia.sex) == (school_a.la_id, "Jane", "F")
    assert amelia.addresses.get().postcode == "NM1 4AB"
    enrolment = amelia.enrolments.get()
    assert (enrolment.entry_date, enrolment.year_group, enrolment.enrolment_status) == (date(2018, 9, 5), "6", "C")
    oliver = Child.objects.get(upn="T901200119012")
    assert {(n.kind, n.forename, n.surname) for n in ChildName.objects.filter(child=oliver)} == {
        ("preferred", "Ollie", ""), ("former", "", "Clarke")}


def test_second_roll_records_who_joined_and_who_left(officer_a, school_a):
    roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 9, 10), data=roll_csv(AMELIA, OLIVER, ZOFIA))
    second = roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 10, 1),
                             data=roll_csv(AMELIA, ZOFIA, SIOBHAN))
    assert (second.joined, second.left, second.unchanged, second.new_children) == (1, 1, 2, 1)
    assert current(school_a) == {"Amelia", "Zofia", "Siobhán"}
    oliver = Enrolment.objects.get(child__upn="T901200119012")
    assert oliver.leaving_date == date(2025, 10, 1)
    changes = {(c.child.legal_forename, c.change) for c in RollChange.objects.filter(roll_import=second)}
    assert changes == {("Siobhán", "joined"), ("Oliver", "left")}
    assert Child.objects.filter(legal_surname="Kowalska").count() == 1  # matched by name and date of birth
    assert RollImport.objects.filter(provider=school_a).count() == 2


def test_pupil_is_attached_by_upn_or_former_upn_to_a_known_child(officer_a, la_a, school_a):
    known = f.make_child(la_a, legal_forename="Amy", legal_surname="Thornton-Hall", upn="D901200119011")
    renumbered = f.make_child(la_a, legal_forename="Ollie", legal_surname="Clarke")
    FormerUPN.objects.create(child=renumbered, upn="T901200119012")
    record = roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 9, 10),
                             data=roll_csv(AMELIA, OLIVER))
    assert record.new_children == 0
    assert set(Enrolment.objects.filter(provider=school_a).values_list("child_id", flat=True)) == {
        known.pk, renumbered.pk}
    known.refresh_from_db()
    assert known.legal_forename == "Amy"  # the register's record is not overwritten by a roll


def test_a_child_of_another_authority_is_never_attached(officer_a, la_b, school_a):
    other = f.make_child(la_b, legal_forename="Amelia", legal_surname="Thornton", upn="D901200119011",
                         date_of_birth=date(2014, 5, 12))
    roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 9, 10), data=roll_csv(AMELIA))
    assert not Enrolment.objects.filter(child=other).exists()
    assert Child.objects.filter(la=school_a.la, upn="D901200119011").exists()


def test_import_is_audited_and_tells_matching_after_commit(officer_a, school_a, django_capture_on_commit_callbacks):
    seen = []

    def listener(sender, provider_id, **kwargs):
        seen.append(provider_id)

    roll_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            record = roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 9, 10),
                                     data=roll_csv(AMELIA, OLIVER))
    finally:
        roll_changed.disconnect(listener)
    assert seen == [school_a.pk]
    event = AuditEvent.objects.get(object_type="roll")
    assert event.object_id == str(record.pk) and event.actor_id == officer_a.pk
    assert event.detail["joined"] == 2 and "Northmoor Primary School" in event.summary


def test_home_education_list_is_a_roll(officer_a, la_a):
    home = f.make_school(la_a, "Northmoor Council: children educated at home", kind="home_education")
    home.estab = ""
    home.save()
    record = roll_import_csv(actor=officer_a, provider=home, as_of=date(2025, 9, 10), data=roll_csv(ZOFIA))
    assert record.joined == 1 and current(home) == {"Zofia"}


@pytest.mark.parametrize("as_of", [date(2025, 9, 1), date(2099, 1, 1)])
def test_roll_older_than_the_current_one_or_in_the_future_is_refused(officer_a, school_a, as_of):
    from cme.movements.services import RollRefused

    roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 9, 10), data=roll_csv(AMELIA))
    with pytest.raises(RollRefused, match="as_of"):
        roll_import_csv(actor=officer_a, provider=school_a, as_of=as_of, data=roll_csv(OLIVER))
