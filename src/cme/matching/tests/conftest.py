"""A small roll for the matching tests: plain data, no database."""

from datetime import date

import pytest

from cme.matching.engine import Index, Matcher, Model, Person

ROLL = [
    Person("william", forename="William", middle_names="James", surname="Hartley", dob=date(2014, 3, 12), sex="M",
           postcode="NM1 2AB", address="12 High Street, Northmoor", upn="A901200114001"),
    Person("elizabeth", forename="Elizabeth", surname="Okafor", dob=date(2013, 7, 1), sex="F",
           postcode="NM2 3CD", address="4 Mill Lane, Northmoor"),
    Person("muhammad", forename="Muhammad", surname="Chowdhury", dob=date(2015, 1, 20), sex="M",
           postcode="NM3 1EF", address="9 Park Road, Northmoor"),
    Person("olivia", forename="Olivia", surname="Taylor", former_surname="Wisniewski", preferred_forename="Liv",
           dob=date(2012, 11, 5), sex="F", postcode="NM4 6GH", address="31 Station Road, Northmoor"),
    Person("amelia", forename="Amelia", surname="Smith-Jones", dob=date(2016, 5, 23), sex="F",
           postcode="NM5 7JK", address="2 Church Close, Northmoor"),
    Person("aleksander", forename="Aleksander", surname="Nowak", dob=date(2011, 9, 14), sex="M",
           postcode="NM6 8LM", address="77 Queens Avenue, Northmoor"),
    Person("temp", forename="Grace", surname="Penrose", dob=date(2010, 2, 2), sex="F", upn="A90120011400B",
           postcode="NM7 9NP", address="5 Elm Drive, Northmoor"),
]
# Others, so that agreement means something: siblings, same names, same birthdays.
FILLER = [
    Person(f"f{i}", forename=fn, surname=sn, dob=date(2010 + i % 7, 1 + i % 12, 1 + i % 28), sex="MF"[i % 2],
           postcode=f"NM{1 + i % 9} {i % 10}ZZ", address=f"{i} Long Road, Northmoor")
    for i, (fn, sn) in enumerate(
        [(f, s) for f in ("Jack", "Emily", "Harry", "Sophie", "George", "Ava", "Noah", "Isla", "Oscar", "Mia")
         for s in ("Brown", "Patel", "Walker", "Khan", "Evans", "Hughes", "Wood", "Green", "Hall", "Lewis")]
    )
]


@pytest.fixture(scope="session")
def matcher() -> Matcher:
    return Matcher(Model(), Index(ROLL + FILLER))


def best(matcher: Matcher, **fields):
    found = matcher.match(Person("referral", **fields), limit=3)
    return found[0] if found else None
