"""A value no record holds (a UPN, postcode, sector or district the index has never seen) agrees
with nothing, least of all with a record where the field is missing (issue 8, point 5)."""

from datetime import date

from cme.matching.engine import Index, Matcher, Model, Person
from cme.matching.tests.conftest import FILLER, ROLL

# Records with no UPN and no postcode (an address without one): the ones a never-seen value
# used to "agree" with.
BARE = [
    Person("oliver", forename="Oliver", surname="Smyth", dob=date(2013, 5, 2), sex="M", address="2 Wren Walk, Northmoor"),
    Person("olive", forename="Olive", surname="Smyth", dob=date(2013, 5, 2), sex="F", address="2 Wren Walk, Northmoor"),
]


def matcher() -> Matcher:
    return Matcher(Model(), Index(ROLL + FILLER + BARE))


def levels(referral: Person) -> dict[str, dict[str, str]]:
    return {c.id: {e.field: e.level for e in c.evidence} for c in matcher().match(referral, limit=10)}


def test_unseen_upn_is_not_the_same_upn_as_a_missing_one():
    # The example: "Olivia Smyth, F" with a valid UPN on no roll ranked "Oliver, no UPN, M" first at 0.9999.
    found = matcher().match(Person("r", forename="Olivia", surname="Smyth", sex="F", upn="K901201416011"), limit=5)
    assert found, "the Smyths are still candidates by name"
    for c in found:
        upn = next(e for e in c.evidence if e.field == "upn")
        # Oliver and Olive have no UPN: nothing to compare, so no evidence either way.
        assert upn.level == "missing" and upn.weight == 0


def test_unseen_postcode_sector_and_district_agree_with_no_record_without_them():
    # XX1 1AA: a postcode, sector and district no record has. Oliver's record has an address and
    # no postcode; another address given with the postcode is simply different.
    by_id = levels(Person("r", forename="Oliver", surname="Smyth", postcode="XX1 1AA", address="1 Nowhere Lane"))
    assert by_id["oliver"]["address"] == "different"


def test_seen_values_still_agree():
    william = ROLL[0]
    by_id = levels(Person("r", forename="William", surname="Hartley", upn=william.upn, postcode=william.postcode))
    assert by_id["william"]["upn"] == "same_permanent"
    assert by_id["william"]["address"] == "postcode"
