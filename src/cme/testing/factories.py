"""Builders for tests and benchmarks: each returns a valid, saved object."""

import itertools
from datetime import date, timedelta

from django.utils import timezone

from cme.accounts.models import Role, RoleGrant, User
from cme.cases.models import Case
from cme.intake.models import Channel, Referral
from cme.people.identifiers import upn_check_letter
from cme.people.models import Child
from cme.providers.models import Enrolment, Organisation, OrgKind

_seq = itertools.count(1)

TEST_PASSWORD = "correct horse battery staple"


def make_upn(la_code: str, estab: str = "2001", year: int = 24, serial: int | None = None) -> str:
    serial = next(_seq) % 1000 if serial is None else serial
    body = f"{la_code}{estab}{year:02d}{serial:03d}"
    return upn_check_letter("A" + body) + body


def make_la(name: str = "Northmoor Council", la_code: str = "901") -> Organisation:
    return Organisation.objects.create(kind=OrgKind.LA, name=name, la_code=la_code)


def make_school(la: Organisation, name: str | None = None, estab: str | None = None, kind=OrgKind.SCHOOL) -> Organisation:
    n = next(_seq)
    return Organisation.objects.create(
        kind=kind,
        name=name or f"School {n}",
        la=la,
        la_code=la.la_code,
        estab=estab or f"{2000 + n % 8000:04d}",
        phase="primary",
    )


def make_partner(la: Organisation, name: str = "Northmoor Police") -> Organisation:
    return Organisation.objects.create(kind=OrgKind.PARTNER_AGENCY, name=name, la=la)


def make_user(org: Organisation, *roles: str, username: str | None = None, **fields) -> User:
    username = username or f"user{next(_seq)}"
    user = User.objects.create_user(
        username=username,
        password=TEST_PASSWORD,
        organisation=org,
        first_name=fields.pop("first_name", username.title()),
        last_name=fields.pop("last_name", "Tester"),
        email=fields.pop("email", f"{username}@example.org"),
        **fields,
    )
    for role in roles or (Role.CME_OFFICER,):
        RoleGrant.objects.create(user=user, role=role)
    return user


def make_child(la: Organisation, **fields) -> Child:
    n = next(_seq)
    defaults = {
        "legal_forename": f"Alex{n}",
        "legal_surname": f"Smith{n}",
        # Distinct birthdays, all of a child of compulsory school age in 2024-2027.
        "date_of_birth": date(2014, 3, 1) + timedelta(days=n % 900),
        "sex": "F",
    }
    defaults.update(fields)
    return Child.objects.create(la=la, **defaults)


def enrol(child: Child, provider: Organisation, entry: date = date(2024, 9, 4), **fields) -> Enrolment:
    return Enrolment.objects.create(child=child, provider=provider, entry_date=entry, **fields)


def make_referral(la: Organisation, **fields) -> Referral:
    n = next(_seq)
    defaults = {
        "reference": f"R{la.la_code}-T{n:05d}",
        "channel": Channel.PHONE,
        "received_at": timezone.now() - timedelta(days=1),
        "child_forename": f"Jamie{n}",
        "child_surname": f"Jones{n}",
        "child_date_of_birth": date(2013, 5, 6),
        "concerns": "Not seen at school since half-term.",
    }
    defaults.update(fields)
    defaults.setdefault("as_received", {"fields": {k: str(v) for k, v in defaults.items() if k.startswith("child_")}})
    return Referral.objects.create(la=la, **defaults)


def make_case(child: Child, **fields) -> Case:
    n = next(_seq)
    defaults = {
        "reference": f"C{child.la.la_code}-T{n:05d}",
        "category": "missing",
        "reason": "moved_unknown",
        "stage": "logged",
        "referred_on": timezone.localdate() - timedelta(days=10),
    }
    defaults.update(fields)
    # A case made at "located" or later has the whereabouts record such a case has (the stage
    # rules ask for it); pass whereabouts="" to make one without.
    order = ["received", "identified", "logged", "locating"]
    if defaults["stage"] not in order:
        defaults.setdefault("whereabouts", "found")
    return Case.objects.create(la=child.la, child=child, **defaults)
