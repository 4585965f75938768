"""Lost pupils (issue 12, point 2): leavers with no destination are kept; every new entry is
matched against them and a likely match is put to the officer; the lost-pupil CTF reads back."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cme.handoffs.models import CtfCounter, LostPupil, LostPupilMatch
from cme.handoffs.services import lost_match_decide, lost_pupil_ctf
from cme.movements.ctf import parse_ctf
from cme.movements.signals import leaver_recorded, new_entry_recorded
from cme.people.models import Address
from cme.testing import factories as f

pytestmark = pytest.mark.django_db


def _leaver(child, school, destination=""):
    leaver_recorded.send(sender=None, la_id=child.la_id, provider_id=school.pk, child_id=child.pk,
                         leaving_date=date(2026, 11, 20), ground="", destination=destination, source="roll",
                         record=None)


def _new_entry(la, school, **person):
    values = {"upn": "", "forename": "Ruby", "middle_names": "", "surname": "Hartley", "former_surname": "",
              "dob": "2014-05-06", "sex": "F", "postcode": "", "address": ""}
    values.update(person)
    new_entry_recorded.send(sender=None, la_id=la.pk, provider_id=school.pk, child_id=None, person=values,
                            entry_date=date(2026, 12, 1), source="web", record=None)


@pytest.fixture
def lost_ruby(la_a, school_a):
    child = f.make_child(la_a, legal_forename="Ruby", legal_surname="Hartley", date_of_birth=date(2014, 5, 6),
                         upn="A901200124001")
    f.make_child(la_a, legal_forename="Tom", legal_surname="Quill", date_of_birth=date(2013, 1, 2))
    _leaver(child, school_a)
    return LostPupil.objects.get(child=child)


def test_leaver_with_no_destination_joins_the_lost_pupils_once(lost_ruby, school_a):
    _leaver(lost_ruby.child, school_a)
    assert LostPupil.objects.filter(child=lost_ruby.child).count() == 1
    assert lost_ruby.provider == school_a and lost_ruby.status == LostPupil.Status.LOST


def test_leaver_with_a_destination_is_not_lost(la_a, school_a):
    child = f.make_child(la_a)
    _leaver(child, school_a, destination="9012002")
    assert not LostPupil.objects.exists()


def test_new_entry_like_a_lost_pupil_is_put_to_the_officer(lost_ruby, school_a, la_a, officer_a):
    other_school = f.make_school(la_a, "Northmoor High", estab="4002")
    _new_entry(la_a, other_school)
    [match] = LostPupilMatch.objects.all()
    assert match.lost == lost_ruby and match.status == LostPupilMatch.Status.OPEN and match.probability >= 0.5
    _new_entry(la_a, other_school)  # told twice: asked once
    assert LostPupilMatch.objects.count() == 1
    lost_match_decide(actor=officer_a, match=match, same_child=True)
    lost_ruby.refresh_from_db()
    assert lost_ruby.status == LostPupil.Status.FOUND


def test_new_entry_unlike_any_lost_pupil_asks_nothing(lost_ruby, la_a, school_a):
    _new_entry(la_a, school_a, forename="Zebedee", surname="Quartermaine", dob="2010-10-10", sex="M")
    assert not LostPupilMatch.objects.exists()


def test_another_authoritys_new_entry_is_never_matched_against_our_lost_pupils(lost_ruby, la_b, school_b):
    _new_entry(la_b, school_b)
    assert not LostPupilMatch.objects.exists()


def test_officer_b_cannot_decide_authority_as_match(lost_ruby, la_a, school_a, officer_b, school_user_a):
    _new_entry(la_a, school_a)
    match = LostPupilMatch.objects.get()
    with pytest.raises(ValidationError):
        lost_match_decide(actor=officer_b, match=match, same_child=False)
    with pytest.raises(PermissionDenied):
        lost_match_decide(actor=school_user_a, match=match, same_child=False)


def test_lost_pupil_ctf_goes_to_xxxxxxx_counts_on_and_reads_back(lost_ruby, officer_a):
    Address.objects.create(child=lost_ruby.child, line1="1 Refuge Row", postcode="NM9 9ZZ", is_refuge=True)
    Address.objects.create(child=lost_ruby.child, line1="12 High Street", town="Northmoor", postcode="NM1 2AB",
                           lived_from=date(2020, 1, 1))
    name, data = lost_pupil_ctf(actor=officer_a, lost=lost_ruby)
    assert name == "901LLLL_CTF_XXXXXXX_001.xml"
    ctf = parse_ctf(data)
    assert (ctf.header.dest.lea, ctf.header.dest.estab, ctf.header.version) == ("XXX", "XXXX", "25.0")
    [pupil] = ctf.pupils
    assert (pupil.upn, pupil.forename, pupil.surname, pupil.dob) == ("A901200124001", "Ruby", "Hartley",
                                                                    date(2014, 5, 6))
    assert pupil.address is not None and pupil.address.postcode == "NM1 2AB"
    assert b"Refuge" not in data
    assert pupil.school_history[0].leaving_date == date(2026, 11, 20)
    assert lost_pupil_ctf(actor=officer_a, lost=lost_ruby)[0] == "901LLLL_CTF_XXXXXXX_002.xml"
    assert CtfCounter.objects.get(source="901LLLL", destination="XXXXXXX").last == 2


def test_only_the_authoritys_caseworkers_write_its_lost_pupil_ctf(lost_ruby, officer_b, school_user_a):
    with pytest.raises(ValidationError):
        lost_pupil_ctf(actor=officer_b, lost=lost_ruby)
    with pytest.raises(PermissionDenied):
        lost_pupil_ctf(actor=school_user_a, lost=lost_ruby)
