"""The in-memory index follows the database: a roll import (or any change to a child) bumps the
authority's version, and the next lookup in any process applies the change."""

from datetime import date

from cme.matching import adapter
from cme.matching.engine import Person
from cme.matching.models import IndexState
from cme.movements.services import roll_import_csv
from cme.people.models import Child
from cme.providers.models import Enrolment
from cme.testing import factories as f

from .rolls import make_rolls

HEADER = "upn,legal_surname,legal_forename,date_of_birth,sex,year_group,entry_date,address_line1,postcode\n"
OLIVER = "Twist,Oliver,2015-04-09,M,4,2024-09-04,3 Saffron Hill,NM9 1AA\n"


def oliver_found(la):
    found = adapter.match(la_id=la.pk, person=Person("q", forename="Olly", surname="Twist", dob=date(2015, 4, 9)))
    return found[0] if found and found[0].probability > 0.5 else None


def test_a_roll_import_is_seen_at_the_next_lookup(la_a, school_a, officer_a, django_capture_on_commit_callbacks):
    make_rolls(la_a, school_a)
    assert oliver_found(la_a) is None  # the index is built here, without Oliver
    built = adapter.index_for(la_a.pk)
    builds = built.build_seconds

    with django_capture_on_commit_callbacks(execute=True):
        roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 1, 6),
                        data=(HEADER + "," + OLIVER).encode())
    found = oliver_found(la_a)
    assert found is not None
    assert found.placement == "on_roll" and [p.name for p in found.providers] == [school_a.name]
    ix = adapter.index_for(la_a.pk)
    assert ix is built and ix.increments >= 1 and ix.build_seconds == builds  # patched, not rebuilt

    # The next roll leaves Oliver off: he is still on the register, but on no roll.
    with django_capture_on_commit_callbacks(execute=True):
        roll_import_csv(actor=officer_a, provider=school_a, as_of=date(2025, 2, 3),
                        data=(HEADER + ",Brown,Jack,2012-01-10,M,8,2024-09-04,,\n").encode())
    assert oliver_found(la_a).placement == "register_only"


def test_an_enrolment_made_directly_is_seen_too(la_a, school_a):
    child = f.make_child(la_a, legal_forename="Oliver", legal_surname="Twist", date_of_birth=date(2015, 4, 9))
    assert oliver_found(la_a).placement == "register_only"
    before = IndexState.objects.get(la=la_a).version
    Enrolment.objects.create(child=child, provider=school_a, entry_date=date(2024, 9, 4))
    assert IndexState.objects.get(la=la_a).version > before
    assert oliver_found(la_a).placement == "on_roll"


def test_another_process_holding_an_old_index_catches_up(la_a, school_a):
    make_rolls(la_a, school_a)
    adapter.match(la_id=la_a.pk, person=Person("q", surname="Hartley"))
    # Another worker's index, as it was before the change below.
    stale = adapter.index_for(la_a.pk).version
    child = f.make_child(la_a, legal_forename="Oliver", legal_surname="Twist", date_of_birth=date(2015, 4, 9))
    f.enrol(child, school_a)
    assert IndexState.objects.get(la=la_a).version > stale
    assert oliver_found(la_a).placement == "on_roll"


def test_each_authority_holds_only_its_own_children(la_a, la_b, school_a):
    make_rolls(la_a, school_a)
    f.make_child(la_b, legal_forename="Oliver", legal_surname="Twist", date_of_birth=date(2015, 4, 9))
    assert oliver_found(la_a) is None
    assert oliver_found(la_b) is not None
    ids_b = {int(i.partition("~")[0]) for i in adapter.index_for(la_b.pk).matcher.index.ids}
    assert set(Child.objects.filter(pk__in=ids_b).values_list("la_id", flat=True)) == {la_b.pk}
