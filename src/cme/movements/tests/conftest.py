"""Rolls written as the CSV of docs/roll-csv.md, and the sample CTFs."""

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
HEADINGS = ("upn,legal_surname,legal_forename,middle_names,preferred_surname,preferred_forename,"
            "former_surname,date_of_birth,sex,year_group,entry_date,address_line1,address_line2,"
            "address_line3,postcode,enrolment_status")

# Valid UPNs of LA 901 (check letters computed by the UPN rule).
AMELIA = "D901200119011,Thornton,Amelia,Jane,,,,2014-05-12,F,6,2018-09-05,14 Mill Lane,Upper Moorside,Northmoor,NM1 4AB,C"
OLIVER = "T901200119012,Mahmood,Oliver,,,Ollie,Clarke,2014-11-03,M,6,2021-04-19,2 Weavers Court,Northmoor,,NM2 3DF,C"
ZOFIA = ",Kowalska,Zofia,,,,,2015-01-30,F,5,2019-09-04,88 Station Road,Northmoor,,NM1 6HW,C"
SIOBHAN = "F901200120032,O'Neill,Siobhán,,,Shiv,,2015-03-21,F,5,,5 Harbour View,Northmoor,,NM3 1RT,C"


def roll_csv(*rows: str) -> bytes:
    return ("\n".join((HEADINGS, *rows)) + "\n").encode("utf-8")


@pytest.fixture
def ctf25() -> bytes:
    return (DATA / "ctf25_school_to_la.xml").read_bytes()


@pytest.fixture
def api_for(db):
    """api_for(user) -> a test client sending a fresh bearer token of that user."""
    from django.test import Client

    from cme.accounts.tokens import api_token_create

    def build(user):
        return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='test')}")
    return build
