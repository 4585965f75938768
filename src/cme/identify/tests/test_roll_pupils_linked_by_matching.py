"""A roll's pupils are linked to the register's children by the same matching that finds a
referred child (issue 8, point 7): one child is one record however the school spelt the name, a
brother or sister is not taken for the child, and a doubtful link goes to an officer rather than
making a second child."""

from datetime import date

import pytest
from django.urls import reverse

from cme.audit.models import AuditEvent
from cme.matching.tests.rolls import make_rolls
from cme.movements.models import PupilLinkQuestion, QuestionStatus, RollChange
from cme.movements.services import pupil_link_decide, roll_import_csv
from cme.movements.tests.conftest import roll_csv
from cme.people.models import Address, Child
from cme.providers.models import Enrolment
from cme.testing import factories as f

ROLL_DATE = date(2025, 9, 10)
# The register's child, known from a referral: on no roll yet.
ZOFIA = dict(legal_forename="Zofia", legal_surname="Kowalska", date_of_birth=date(2015, 1, 30), sex="F")
MISSPELT = ",Kowalska,Zophia,,,,,2015-01-30,F,5,2019-09-04,88 Station Road,Northmoor,,NM1 6HW,C"
SISTER = ",Kowalska,Marta,,,,,2017-06-02,F,3,2021-09-04,88 Station Road,Northmoor,,NM1 6HW,C"
DOUBTFUL = ",Kowalska,Zofia,,,,,2015-03-30,F,5,2019-09-04,7 Beck Lane,Northmoor,,NM7 1AA,C"


@pytest.fixture
def zofia(la_a, school_a):
    make_rolls(la_a, school_a)  # others on the register, so that agreement means something
    child = f.make_child(la_a, **ZOFIA)
    Address.objects.create(child=child, line1="88 Station Road", town="Northmoor", postcode="NM1 6HW")
    return child


def test_misspelt_pupil_is_linked_to_the_child_on_the_register(officer_a, school_b, la_a, zofia):
    school = f.make_school(la_a, "Moorside Primary", estab="2002")
    record = roll_import_csv(actor=officer_a, provider=school, as_of=ROLL_DATE, data=roll_csv(MISSPELT))
    assert (record.new_children, record.joined, record.to_identify) == (0, 1, 0)
    assert Enrolment.objects.get(provider=school).child == zofia
    assert Child.objects.filter(legal_surname="Kowalska").count() == 1


def test_brother_or_sister_at_the_same_address_becomes_a_child_of_their_own(officer_a, la_a, zofia):
    school = f.make_school(la_a, "Moorside Primary", estab="2002")
    record = roll_import_csv(actor=officer_a, provider=school, as_of=ROLL_DATE, data=roll_csv(SISTER))
    assert record.new_children == 1 and record.to_identify == 0
    marta = Enrolment.objects.get(provider=school).child
    assert marta != zofia and marta.legal_forename == "Marta"
    assert not zofia.enrolments.exists()  # the missing child does not read as on a roll


def test_doubtful_pupil_is_put_to_an_officer_and_no_second_child_is_made(officer_a, la_a, zofia):
    school = f.make_school(la_a, "Moorside Primary", estab="2002")
    before = Child.objects.count()
    record = roll_import_csv(actor=officer_a, provider=school, as_of=ROLL_DATE, data=roll_csv(DOUBTFUL, MISSPELT.replace(
        "Zophia", "Nina").replace("2015-01-30", "2016-02-11").replace("88 Station Road", "3 Elm Road")))
    assert record.to_identify == 1 and record.new_children == 1
    assert Child.objects.count() == before + 1  # Nina only
    question = PupilLinkQuestion.objects.get()
    assert question.status == QuestionStatus.OPEN and question.row == 2
    assert question.candidates[0]["child_id"] == zofia.pk
    assert 0.2 <= question.candidates[0]["probability"] < 0.99
    assert not Enrolment.objects.filter(provider=school, child=zofia).exists()


def test_officer_links_the_doubtful_pupil_to_the_child(officer_a, la_a, zofia):
    school = f.make_school(la_a, "Moorside Primary", estab="2002")
    record = roll_import_csv(actor=officer_a, provider=school, as_of=ROLL_DATE, data=roll_csv(DOUBTFUL))
    question = PupilLinkQuestion.objects.get()
    enrolment = pupil_link_decide(actor=officer_a, question=question, child=zofia)
    assert (enrolment.child, enrolment.provider, enrolment.year_group) == (zofia, school, "5")
    assert RollChange.objects.filter(roll_import=record, child=zofia, change="joined").exists()
    question.refresh_from_db()
    assert (question.status, question.child, question.decided_by) == (QuestionStatus.LINKED, zofia, officer_a)
    assert AuditEvent.objects.filter(action="change", object_type="roll", summary__contains="Identified row 2").exists()
    with pytest.raises(Exception, match="identified already"):
        pupil_link_decide(actor=officer_a, question=question, child=None)


def test_officer_says_the_doubtful_pupil_is_new_to_the_register(officer_a, la_a, zofia):
    school = f.make_school(la_a, "Moorside Primary", estab="2002")
    roll_import_csv(actor=officer_a, provider=school, as_of=ROLL_DATE, data=roll_csv(DOUBTFUL))
    pupil_link_decide(actor=officer_a, question=PupilLinkQuestion.objects.get(), child=None)
    new = Enrolment.objects.get(provider=school).child
    assert new != zofia and (new.legal_forename, new.date_of_birth) == ("Zofia", date(2015, 3, 30))
    assert PupilLinkQuestion.objects.get().status == QuestionStatus.NEW_CHILD


def test_a_pupil_of_this_roll_who_may_be_the_doubtful_one_stays_on_it_until_decided(officer_a, la_a, zofia):
    school = f.make_school(la_a, "Moorside Primary", estab="2002")
    f.enrol(zofia, school, entry=date(2019, 9, 4))
    record = roll_import_csv(actor=officer_a, provider=school, as_of=ROLL_DATE, data=roll_csv(DOUBTFUL))
    assert record.left == 0 and record.to_identify == 1
    assert Enrolment.objects.get(child=zofia, provider=school).leaving_date is None
    pupil_link_decide(actor=officer_a, question=PupilLinkQuestion.objects.get(), child=None)
    # Not her after all: she left this roll on the roll's date.
    assert Enrolment.objects.get(child=zofia, provider=school).leaving_date == ROLL_DATE
    assert RollChange.objects.filter(roll_import=record, child=zofia, change="left").exists()


def test_a_later_roll_replaces_the_open_question(officer_a, la_a, zofia):
    school = f.make_school(la_a, "Moorside Primary", estab="2002")
    roll_import_csv(actor=officer_a, provider=school, as_of=ROLL_DATE, data=roll_csv(DOUBTFUL))
    roll_import_csv(actor=officer_a, provider=school, as_of=date(2025, 10, 1), data=roll_csv(DOUBTFUL))
    assert list(PupilLinkQuestion.objects.order_by("id").values_list("status", flat=True)) == [
        QuestionStatus.SUPERSEDED, QuestionStatus.OPEN]


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"], indirect=True)
def test_staff_of_the_authority_see_and_decide_the_pupils_to_identify(persona, client_for, officer_a, la_a, zofia):
    school = f.make_school(la_a, "Moorside Primary", estab="2002")
    roll_import_csv(actor=officer_a, provider=school, as_of=ROLL_DATE, data=roll_csv(DOUBTFUL))
    question = PupilLinkQuestion.objects.get()
    client = client_for(persona)
    listing = client.get(reverse("identify:to-identify")).text
    assert "1 pupil to identify" in listing and "Moorside Primary" in listing
    page = client.get(reverse("identify:identify", args=[question.pk])).text
    assert "Who is Zofia Kowalska?" in page
    assert "This is the pupil<span class=\"govuk-visually-hidden\"> (Zofia Kowalska)</span>" in page
    response = client.post(reverse("identify:identify", args=[question.pk]), {"child": str(zofia.pk)})
    assert response.status_code == 302
    assert Enrolment.objects.filter(child=zofia, provider=school).exists()


def test_officer_of_another_authority_sees_nothing_of_them(client_for, officer_a, officer_b, la_a, zofia):
    school = f.make_school(la_a, "Moorside Primary", estab="2002")
    roll_import_csv(actor=officer_a, provider=school, as_of=ROLL_DATE, data=roll_csv(DOUBTFUL))
    question = PupilLinkQuestion.objects.get()
    client = client_for(officer_b)
    assert "No pupil is waiting to be identified" in client.get(reverse("identify:to-identify")).text
    assert client.get(reverse("identify:identify", args=[question.pk])).status_code == 404
    assert client.post(reverse("identify:identify", args=[question.pk]), {"child": "new"}).status_code == 404
    assert PupilLinkQuestion.objects.get().status == QuestionStatus.OPEN
    # Each refused attempt is a security event of the pupil's authority (docs/adr/0007).
    refused = AuditEvent.objects.filter(action="access_refused", object_type="pupil_link_question")
    assert [(e.actor_username, e.object_id, e.la_id) for e in refused] == [("bob", str(question.pk), la_a.pk)] * 2


@pytest.mark.parametrize("user", ["school_user_a", "partner_a"])
def test_schools_and_partners_may_not_identify_pupils(user, request, client_for, officer_a, la_a, zofia):
    school = f.make_school(la_a, "Moorside Primary", estab="2002")
    roll_import_csv(actor=officer_a, provider=school, as_of=ROLL_DATE, data=roll_csv(DOUBTFUL))
    client = client_for(request.getfixturevalue(user))
    assert client.get(reverse("identify:to-identify")).status_code == 403
    question = PupilLinkQuestion.objects.get()
    assert client.post(reverse("identify:identify", args=[question.pk]), {"child": "new"}).status_code == 403
