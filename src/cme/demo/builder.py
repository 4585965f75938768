"""Build the demo: two fictional neighbouring authorities with schools, rolls, staff and cases.

Everything is fictional and reproducible: one seeded random generator drives it all, and dates
are counted back from today so that the demo always looks current. The big roll data (children,
enrolments, addresses, carers, flags) is bulk-created; referrals and cases go through the
services, so their audit trail, stage history and field history are real.
"""

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from random import Random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from cme.accounts.models import Role, RoleGrant, User
from cme.cases.casework import services as casework
from cme.cases.models import (
    Case,
    CaseNote,
    Category,
    KeyWorkerRole,
    OtherLaReferral,
    Outcome,
    Reason,
    Stage,
    StageChange,
)
from cme.cases.register import services as register
from cme.demo import names
from cme.intake import services as intake_services
from cme.intake.models import Channel, Referral
from cme.intake.services import referral_triage
from cme.people import services as people_services
from cme.people.identifiers import UPN_ALPHABET, upn_check_letter
from cme.people.models import (
    Address,
    CarerContact,
    Child,
    ChildName,
    FormerUPN,
    NameKind,
    Vulnerability,
    VulnerabilityFlag,
)
from cme.providers.models import Enrolment, Organisation, OrgKind, PartnerService, Phase

DEMO_PASSWORD = "cme-tracker-demo"
DEFAULT_PUPILS_PER_LA = 5000
DEFAULT_CASES_PER_LA = 150
DEFAULT_SEED = 2026

AUTHORITIES = [
    {"name": "Northmoor Council", "code": "901", "slug": "northmoor", "urn_base": 140000},
    {"name": "Eastdale Council", "code": "907", "slug": "eastdale", "urn_base": 150000},
]

# One demo sign-in per role per authority: (username prefix, role, first, last, job title).
STAFF = {
    "901": [
        ("officer", Role.CME_OFFICER, "Priya", "Shah", "Children missing education officer"),
        ("ewo", Role.EWO, "Daniel", "Okoro", "Education welfare officer"),
        ("manager", Role.MANAGER, "Helen", "Brierley", "Head of access and inclusion"),
        ("admissions", Role.ADMISSIONS, "Tom", "Haworth", "School admissions officer"),
        ("admin", Role.ADMINISTRATOR, "Sue", "Pickles", "Systems administrator"),
        ("director", Role.SENIOR_LEADER, "Andrew", "Lister", "Director of children's services"),
        ("school", Role.SCHOOL, "Karen", "Ashworth", "Attendance lead"),
        ("police", Role.PARTNER, "Jay", "Farrell", "Police constable, schools liaison"),
    ],
    "907": [
        ("officer", Role.CME_OFFICER, "Grace", "Adeyemi", "Children missing education officer"),
        ("ewo", Role.EWO, "Liam", "Doyle", "Education welfare officer"),
        ("manager", Role.MANAGER, "Fiona", "McKenzie", "Service manager, education access"),
        ("admissions", Role.ADMISSIONS, "Ravi", "Mistry", "School admissions officer"),
        ("admin", Role.ADMINISTRATOR, "Janet", "Cole", "Systems administrator"),
        ("director", Role.SENIOR_LEADER, "Nadia", "Begum", "Assistant director, education"),
        ("school", Role.SCHOOL, "Imran", "Hussain", "Deputy headteacher"),
        ("police", Role.PARTNER, "Beth", "Rowley", "Police constable, schools liaison"),
    ],
}
# Colleagues who work cases but have no demo sign-in, so that cases have several officers.
COLLEAGUES = {
    "901": [("Aisha", "Rahman", Role.EWO), ("Mark", "Greenwood", Role.CME_OFFICER)],
    "907": [("Megan", "Price", Role.EWO), ("Tomasz", "Nowak", Role.CME_OFFICER)],
}

# Schools per phase at the full size of ~25, with their pupils per school before scaling,
# their national curriculum year groups, and their statutory age range.
SCHOOL_PLAN = [
    # phase, count, pupils, year groups (N1=-2 .. 13), ages
    (Phase.NURSERY, 2, 50, (-2, -1), (2, 5)),
    (Phase.PRIMARY, 14, 200, (0, 6), (4, 11)),
    (Phase.SECONDARY, 3, 320, (7, 11), (11, 16)),
    (Phase.SECONDARY, 2, 300, (7, 13), (11, 18)),
    (Phase.ALL_THROUGH, 1, 350, (-1, 13), (3, 18)),
    (Phase.SPECIAL, 2, 70, (0, 13), (2, 19)),
    (Phase.SIXTEEN_PLUS, 1, 150, (12, 13), (16, 19)),
]
PRU_PUPILS, AP_PUPILS, HOME_EDUCATED = 30, 15, 50

# Stage of each demo case at the full size, in proportion; every stage gets at least one.
STAGE_WEIGHTS = {
    Stage.RECEIVED: 8,
    Stage.IDENTIFIED: 12,
    Stage.LOGGED: 14,
    Stage.LOCATING: 22,
    Stage.LOCATED: 12,
    Stage.NEEDS_DETERMINED: 10,
    Stage.PROVISION_IDENTIFIED: 10,
    Stage.ACCESSING_PROVISION: 10,
    Stage.IN_PROVISION: 14,
    Stage.CLOSED: 38,
}
# How long ago a case at each stage was referred (days): later stages are older.
NEEDS_HISTORY = [
    "Attended primary school locally; left in Year 5 when the family moved",
    "On roll at a secondary school until the spring term; poor attendance before that",
    "Home educated for a year; the family now wants a school place",
]

REFERRED_DAYS_AGO = {
    Stage.RECEIVED: (1, 10),
    Stage.IDENTIFIED: (2, 21),
    Stage.LOGGED: (5, 45),
    Stage.LOCATING: (10, 120),
    Stage.LOCATED: (20, 160),
    Stage.NEEDS_DETERMINED: (30, 200),
    Stage.PROVISION_IDENTIFIED: (40, 250),
    Stage.ACCESSING_PROVISION: (50, 300),
    Stage.IN_PROVISION: (60, 420),
    Stage.CLOSED: (30, 540),
}
REASON_WEIGHTS = {
    Reason.MOVED_UNKNOWN: 30,
    Reason.WITHDRAWAL: 18,
    Reason.EXCLUSION: 12,
    Reason.FAILED_TRANSITION: 10,
    Reason.NEVER_STARTED: 12,
    Reason.OTHER: 18,
}
# Share of children with each flag, per thousand.
FLAG_RATES = {
    Vulnerability.SEN_EHCP: 120,
    Vulnerability.MEDICAL_EMOTIONAL: 20,
    Vulnerability.CHILD_IN_NEED: 30,
    Vulnerability.YOUNG_CARER: 10,
    Vulnerability.HOMELESS: 8,
    Vulnerability.LOOKED_AFTER: 7,
    Vulnerability.GRT: 5,
    Vulnerability.ASYLUM_REFUGEE: 5,
    Vulnerability.TRANSIENT: 5,
    Vulnerability.CHILD_PROTECTION: 4,
    Vulnerability.EXCLUDED: 3,
    Vulnerability.YOUNG_OFFENDER: 2,
    Vulnerability.REFUGE: 1,
    Vulnerability.TEENAGE_PARENT: 1,
}
FLAG_DETAIL = {
    Vulnerability.SEN_EHCP: [
        "SEN support: speech, language and communication needs",
        "SEN support: specific learning difficulty (dyslexia)",
        "EHCP: autism spectrum condition",
        "EHCP: social, emotional and mental health needs",
        "SEN support: moderate learning difficulty",
    ],
    Vulnerability.CHILD_PROTECTION: [
        "Child protection plan, category neglect. Lead social worker in the Children's "
        "Social Care assessment team.",
        "Child protection plan, category emotional abuse. Core group meets monthly.",
    ],
    Vulnerability.REFUGE: ["Family placed in a refuge; do not share the address."],
    Vulnerability.LOOKED_AFTER: ["Looked after under section 20; in foster care."],
    Vulnerability.MEDICAL_EMOTIONAL: [
        "Long-term anxiety; under CAMHS.",
        "Type 1 diabetes; individual healthcare plan.",
        "Epilepsy; individual healthcare plan.",
    ],
}


@dataclass
class Family:
    surname: str
    address: tuple[str, str, str]  # line1, town, postcode
    carers: list[tuple[str, str, bool]]  # name, relationship, parental responsibility
    phone: str
    email: str
    children: int = 0


@dataclass
class Authority:
    la: Organisation
    slug: str
    code: str
    schools: list[Organisation] = field(default_factory=list)
    named_school: Organisation | None = None  # the school of the demo school user
    pru: Organisation | None = None
    aps: list[Organisation] = field(default_factory=list)
    home_education: Organisation | None = None
    police: Organisation | None = None
    other_la: Organisation | None = None  # the other demo authority, in this one's LA contacts
    users: dict[str, User] = field(default_factory=dict)
    caseworkers: list[User] = field(default_factory=list)
    year_groups: dict[int, tuple[int, int]] = field(default_factory=dict)  # org id -> range


@dataclass
class Summary:
    authorities: int = 0
    schools: int = 0
    children: int = 0
    enrolments: int = 0
    referrals: int = 0
    cases: int = 0


def sign_ins() -> list[tuple[str, str, str]]:
    """(authority, role, username) of every demo sign-in; all share DEMO_PASSWORD."""
    rows = []
    for auth in AUTHORITIES:
        for prefix, role, *_ in STAFF[auth["code"]]:
            rows.append((auth["name"], Role(role).label, f"{prefix}.{auth['slug']}"))
    return rows


def demo_loaded() -> bool:
    codes = [a["code"] for a in AUTHORITIES]
    return Organisation.objects.filter(kind=OrgKind.LA, la_code__in=codes).exists()


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


class DemoBuilder:
    def __init__(
        self,
        *,
        pupils_per_la: int = DEFAULT_PUPILS_PER_LA,
        cases_per_la: int = DEFAULT_CASES_PER_LA,
        seed: int = DEFAULT_SEED,
        log=print,
    ):
        self.pupils_per_la = pupils_per_la
        self.cases_per_la = cases_per_la
        self.rng = Random(seed)
        self.seed = seed
        self.log = log
        self.today = timezone.localdate()
        # The academic year runs from 1 September.
        self.year_start = self.today.year if self.today.month >= 9 else self.today.year - 1
        self.used_upns: set[str] = set()
        self.upn_serials: dict[tuple[str, str, int], int] = {}
        self.urn = 0
        self.summary = Summary()

    # ---- small helpers -------------------------------------------------------------------

    def _date_between(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def _postcode(self, area: str, town_index: int) -> str:
        letters = "ABDEFGHJLNPQRSTUWXYZ"  # inward-code letters never use C, I, K, M, O or V
        return (
            f"{area}{town_index + 1} {self.rng.randint(1, 9)}"
            f"{self.rng.choice(letters)}{self.rng.choice(letters)}"
        )

    def _phone(self) -> str:
        # 07700 900000 to 900999 is Ofcom's range reserved for drama: never a real number.
        return f"07700 900{self.rng.randint(0, 999):03d}"

    def _surname(self) -> str:
        if self.rng.random() < 0.06:
            return self.rng.choice(names.DOUBLE_BARRELLED)
        return self.rng.choice(names.SURNAMES)

    def _forename(self, sex: str) -> str:
        return self.rng.choice(names.GIRLS if sex == "F" else names.BOYS)

    def _year_label(self, ncy: int) -> str:
        return {-2: "N1", -1: "N2", 0: "R"}.get(ncy, str(ncy))

    def _dob_for_year_group(self, ncy: int) -> date:
        # A child born between 1 September and 31 August starts Reception five Septembers on.
        cohort = self.year_start - 5 - ncy
        return self._date_between(date(cohort, 9, 1), date(cohort + 1, 8, 31))

    def _upn(self, la_code: str, estab: str, year: int, temporary: bool = False) -> str:
        key = (la_code, estab, year)
        while True:
            serial = self.upn_serials.get(key, 0) + 1
            self.upn_serials[key] = serial
            if temporary:
                tail = f"{serial % 100:02d}{self.rng.choice(UPN_ALPHABET)}"
            else:
                tail = f"{serial % 1000:03d}"
            body = f"{la_code}{estab}{year % 100:02d}{tail}"
            upn = upn_check_letter("A" + body) + body
            if upn not in self.used_upns:
                self.used_upns.add(upn)
                return upn

    def _uln(self) -> str:
        while True:
            digits = [self.rng.randint(1, 9)] + [self.rng.randint(0, 9) for _ in range(8)]
            r = sum(d * (10 - i) for i, d in enumerate(digits)) % 11
            if r:
                return "".join(map(str, digits)) + str(10 - r)

    def _family(self, auth: Authority, surname: str | None = None) -> Family:
        place = names.PLACES[auth.code]
        town_index = self.rng.randrange(len(place["towns"]))
        surname = surname or self._surname()
        line1 = f"{self.rng.randint(1, 180)} {self.rng.choice(names.STREETS)}"
        if self.rng.random() < 0.15:
            line1 = f"Flat {self.rng.randint(1, 24)}, {line1}"
        carers: list[tuple[str, str, bool]] = []
        roll = self.rng.random()
        mother = f"{self._forename('F')} {surname}"
        father = f"{self._forename('M')} {surname.split('-')[0]}"
        if roll < 0.55:
            carers = [(mother, "Mother", True), (father, "Father", True)]
        elif roll < 0.85:
            carers = [(mother, "Mother", True)]
        elif roll < 0.93:
            carers = [(father, "Father", True)]
        elif roll < 0.97:
            carers = [(mother, "Mother", True), (f"{self._forename('M')} {self._surname()}",
                                                 "Stepfather", False)]
        else:
            carers = [(f"{self._forename('F')} {surname}", "Grandmother (special guardian)", True)]
        first = carers[0][0].split()[0]
        return Family(
            surname=surname,
            address=(line1, place["towns"][town_index], self._postcode(place["area"], town_index)),
            carers=carers,
            phone=self._phone(),
            email=f"{_ascii(first)}.{_ascii(surname).replace(' ', '').replace(chr(39), '')}"
            f"{self.rng.randint(1, 99)}@example.com",
        )

    # ---- organisations and staff ---------------------------------------------------------

    def _org(self, auth: Authority | None, **fields) -> Organisation:
        la = auth.la if auth else None
        return Organisation(la=la, la_code=auth.code if auth else fields.pop("la_code", ""),
                            **fields)

    def build_authority(self, spec: dict) -> Authority:
        code, slug = spec["code"], spec["slug"]
        la = Organisation.objects.create(
            kind=OrgKind.LA,
            name=spec["name"],
            la_code=code,
            postcode=self._postcode(names.PLACES[code]["area"], 0),
            contact_name=" ".join(STAFF[code][0][2:4]),
            contact_email=f"cme@{slug}-council.example",
            contact_phone=f"0{self.rng.randint(1200, 1999)} {self.rng.randint(100000, 999999)}",
        )
        auth = Authority(la=la, slug=slug, code=code)
        place = names.PLACES[code]
        words = list(place["school_words"])
        self.rng.shuffle(words)
        # The named school for the school user is the first primary: keep its name stable.
        words.remove(place["school_words"][0])
        words.insert(0, place["school_words"][0])
        word_iter = iter(words * 2)
        serial = {"nursery": 1000, "primary": 2000, "secondary": 4000, "all_through": 4500,
                  "special": 7000, "16_plus": 8000}
        orgs = []
        first_primary_done = False
        for phase, count, _pupils, years, ages in SCHOOL_PLAN:
            for _ in range(count):
                if phase == Phase.PRIMARY and not first_primary_done:
                    word = place["school_words"][0]
                    first_primary_done = True
                else:
                    word = next(word_iter)
                    if word == place["school_words"][0]:
                        word = next(word_iter)
                name = self._school_name(word, phase)
                serial[phase] += self.rng.randint(3, 40)
                self.urn += 1
                org = self._org(
                    auth,
                    kind=OrgKind.SCHOOL,
                    name=name,
                    estab=f"{serial[phase]:04d}",
                    urn=f"{spec['urn_base'] + self.urn * 7 % 9999:06d}",
                    phase=phase,
                    statutory_low_age=ages[0],
                    statutory_high_age=ages[1],
                    postcode=self._postcode(place["area"], self.rng.randrange(len(place["towns"]))),
                    contact_name=f"{self._forename('F')} {self._surname()}",
                    contact_email=f"office@{_ascii(word).replace(' ', '').replace(chr(39), '')}"
                    f"-{phase.replace('_', '')}.{slug}.sch.example",
                    contact_phone=f"0{self.rng.randint(1200, 1999)} {self.rng.randint(100000, 999999)}",
                )
                orgs.append((org, years))
        town = place["towns"][0]
        pru = self._org(auth, kind=OrgKind.PRU, name=f"{town} Pupil Referral Unit",
                        estab="1100", urn=f"{spec['urn_base'] + 9990:06d}", phase=Phase.SECONDARY,
                        statutory_low_age=11, statutory_high_age=16,
                        postcode=self._postcode(place["area"], 0))
        orgs.append((pru, (7, 11)))
        ap_names = {"901": ["Open Door Learning Centre", "Engine House Vocational Centre"],
                    "907": ["Harbour Light Alternative Provision", "Saltmarsh Skills Academy"]}
        for i, ap_name in enumerate(ap_names[code]):
            ap = self._org(auth, kind=OrgKind.ALTERNATIVE_PROVISION, name=ap_name,
                           estab=f"{6010 + i * 17:04d}", urn=f"{spec['urn_base'] + 9991 + i:06d}",
                           phase=Phase.SECONDARY, statutory_low_age=11, statutory_high_age=16,
                           postcode=self._postcode(place["area"], i + 1))
            orgs.append((ap, (9, 11)))
        home = self._org(auth, kind=OrgKind.HOME_EDUCATION,
                         name=f"{spec['name']}: children educated at home",
                         contact_name="Elective home education team")
        orgs.append((home, (1, 11)))
        partners = [
            (f"{town} District Police", "Schools liaison team", PartnerService.POLICE),
            (f"{town} Community Health NHS Trust", "School nursing service", PartnerService.HEALTH),
            (f"{spec['name']} Housing Options", "Housing options team", PartnerService.HOUSING),
            (f"{spec['name']} Children's Social Care", "Front door (MASH)", PartnerService.SOCIAL_CARE),
        ]
        for partner_name, contact, service in partners:
            orgs.append((self._org(auth, kind=OrgKind.PARTNER_AGENCY, name=partner_name,
                                   contact_name=contact, service=service,
                                   contact_email=f"referrals@{_ascii(partner_name).replace(' ', '-').replace(chr(39), '')}.example"),
                         None))
        created = Organisation.objects.bulk_create([o for o, _ in orgs])
        for org, (_, years) in zip(created, orgs, strict=True):
            if years is not None:
                auth.year_groups[org.pk] = years
            if org.kind == OrgKind.SCHOOL:
                auth.schools.append(org)
                if auth.named_school is None and org.phase == Phase.PRIMARY:
                    auth.named_school = org
            elif org.kind == OrgKind.PRU:
                auth.pru = org
            elif org.kind == OrgKind.ALTERNATIVE_PROVISION:
                auth.aps.append(org)
            elif org.kind == OrgKind.HOME_EDUCATION:
                auth.home_education = org
            elif org.name.endswith("Police"):
                auth.police = org
        self.summary.authorities += 1
        self.summary.schools += len(auth.schools)
        self._build_staff(auth)
        return auth

    def _school_name(self, word: str, phase: str) -> str:
        saint = word.startswith(("St ", "Holy", "Priory"))
        options = {
            Phase.NURSERY: ["{} Nursery School", "{} Early Years Centre"],
            Phase.PRIMARY: (
                ["{} Catholic Primary School", "{} Church of England Primary School"]
                if saint
                else ["{} Primary School", "{} Community Primary School", "{} Primary Academy",
                      "{} Junior and Infant School"]
            ),
            Phase.SECONDARY: (
                ["{} Catholic High School", "{} Church of England Academy"]
                if saint
                else ["{} Academy", "{} High School", "{} Community College", "{} School"]
            ),
            Phase.ALL_THROUGH: ["{} All-Through Academy"],
            Phase.SPECIAL: ["{} Special School", "{} School (special)"],
            Phase.SIXTEEN_PLUS: ["{} Sixth Form College"],
        }[phase]
        return self.rng.choice(options).format(word)

    def _build_staff(self, auth: Authority) -> None:
        named_school = auth.named_school
        # Hashing is slow on purpose; every demo sign-in shares one password, so hash it once.
        if not hasattr(self, "_password_hash"):
            self._password_hash = make_password(DEMO_PASSWORD)
        for prefix, role, first, last, title in STAFF[auth.code]:
            org = {Role.SCHOOL: named_school, Role.PARTNER: auth.police}.get(role, auth.la)
            user = User.objects.create(
                username=f"{prefix}.{auth.slug}",
                password=self._password_hash,
                first_name=first,
                last_name=last,
                email=f"{_ascii(first)}.{_ascii(last)}@{auth.slug}.example",
                organisation=org,
                job_title=title,
            )
            RoleGrant.objects.create(user=user, role=role)
            auth.users[prefix] = user
        for first, last, role in COLLEAGUES[auth.code]:
            user = User.objects.create_user(
                username=f"{_ascii(first)}.{_ascii(last)}.{auth.slug}",
                password=None,  # no sign-in: colleagues only appear on cases
                first_name=first,
                last_name=last,
                email=f"{_ascii(first)}.{_ascii(last)}@{auth.slug}.example",
                organisation=auth.la,
                job_title="Education welfare officer" if role == Role.EWO else "CME officer",
            )
            RoleGrant.objects.create(user=user, role=role)
            auth.caseworkers.append(user)
        auth.caseworkers += [auth.users["officer"], auth.users["officer"], auth.users["ewo"]]

    # ---- rolls ---------------------------------------------------------------------------

    def build_rolls(self, auth: Authority, neighbour_code: str) -> None:
        """Children on the authority's rolls, with their families, addresses and flags."""
        weights = [(phase, count, pupils) for phase, count, pupils, *_ in SCHOOL_PLAN]
        full = sum(c * p for _, c, p in weights) + PRU_PUPILS + 2 * AP_PUPILS + HOME_EDUCATED
        scale = self.pupils_per_la / full
        per_school = {}
        schools_by_phase: dict[str, list[Organisation]] = {}
        for school in auth.schools:
            schools_by_phase.setdefault(school.phase, []).append(school)
        # Schools were made in SCHOOL_PLAN order, so the plan gives each its size.
        plan_iter = iter(
            [(p, pupils) for p, count, pupils, *_ in SCHOOL_PLAN for _ in range(count)]
        )
        for school in auth.schools:
            _, pupils = next(plan_iter)
            per_school[school.pk] = max(1, round(pupils * scale))
        per_school[auth.pru.pk] = max(1, round(PRU_PUPILS * scale))
        for ap in auth.aps:
            per_school[ap.pk] = max(1, round(AP_PUPILS * scale))
        per_school[auth.home_education.pk] = max(1, round(HOME_EDUCATED * scale))

        primaries = schools_by_phase.get(Phase.PRIMARY, [])
        secondaries = schools_by_phase.get(Phase.SECONDARY, [])
        families: list[Family] = []
        children: list[Child] = []
        extras: list[dict] = []  # per child: enrolments, family, flags, etc.
        providers = [*auth.schools, auth.pru, *auth.aps, auth.home_education]
        for provider in providers:
            low, high = auth.year_groups[provider.pk]
            for _ in range(per_school[provider.pk]):
                ncy = self.rng.randint(low, high)
                sex = "F" if self.rng.random() < 0.49 else "M"
                # A third of children have a brother or sister already on a roll here.
                if families and self.rng.random() < 0.33:
                    family = self.rng.choice(families[-300:])
                else:
                    family = self._family(auth)
                    families.append(family)
                family.children += 1
                forename = self._forename(sex)
                dob = self._dob_for_year_group(ncy)
                enrolments = self._enrolment_history(
                    auth, provider, ncy, primaries, secondaries, neighbour_code
                )
                first_school, first_year = enrolments[0][0], enrolments[0][1].year
                if enrolments[0][1].month < 9:
                    first_year -= 1
                from_neighbour = self.rng.random() < 0.04
                temporary = self.rng.random() < 0.015
                if from_neighbour:
                    # Moved in from the neighbouring authority: their UPN was allocated there.
                    upn = self._upn(neighbour_code, f"{self.rng.randint(2000, 3999):04d}",
                                    first_year)
                else:
                    upn = self._upn(auth.code, first_school.estab or "2000", first_year,
                                    temporary=temporary)
                child = Child(
                    la=auth.la,
                    legal_forename=forename,
                    legal_middle_names=(
                        self._forename(sex) if self.rng.random() < 0.45 else ""
                    ),
                    legal_surname=family.surname,
                    date_of_birth=dob,
                    sex=sex,
                    upn=upn,
                    uln=self._uln() if ncy >= 12 else "",
                )
                children.append(child)
                extras.append({"family": family, "enrolments": enrolments, "ncy": ncy,
                               "provider": provider, "temporary": temporary})

        created = Child.objects.bulk_create(children, batch_size=2000)
        enrolment_rows, address_rows, carer_rows, flag_rows = [], [], [], []
        former_rows, name_rows = [], []
        for child, extra in zip(created, extras, strict=True):
            family = extra["family"]
            for provider, entry, leaving in extra["enrolments"]:
                enrolment_rows.append(Enrolment(
                    child=child, provider=provider, entry_date=entry, leaving_date=leaving,
                    year_group=self._year_label(extra["ncy"]) if leaving is None else "",
                    upn=child.upn,
                ))
            line1, town, postcode = family.address
            flags = self._flags(extra["ncy"], extra["provider"])
            in_refuge = Vulnerability.REFUGE in flags
            address_rows.append(Address(
                child=child, line1=line1, town=town, postcode=postcode,
                lived_from=self._date_between(child.date_of_birth, self.today - timedelta(days=30)),
                is_refuge=in_refuge,
            ))
            if self.rng.random() < 0.12 or in_refuge:
                # An earlier address: families move.
                place = names.PLACES[auth.code]
                t = self.rng.randrange(len(place["towns"]))
                address_rows.append(Address(
                    child=child,
                    line1=f"{self.rng.randint(1, 180)} {self.rng.choice(names.STREETS)}",
                    town=place["towns"][t], postcode=self._postcode(place["area"], t),
                    lived_from=child.date_of_birth,
                    lived_to=self._date_between(child.date_of_birth, self.today - timedelta(days=31)),
                ))
            for i, (name, relationship, pr) in enumerate(family.carers):
                if Vulnerability.LOOKED_AFTER in flags and i == 0:
                    carer_rows.append(CarerContact(
                        child=child, name=f"{self._forename('F')} {self._surname()}",
                        relationship="Foster carer", parental_responsibility=False,
                        phone=self._phone(), lives_with_child=True,
                    ))
                    pr = False
                carer_rows.append(CarerContact(
                    child=child, name=name, relationship=relationship,
                    parental_responsibility=pr,
                    phone=family.phone if i == 0 else self._phone(),
                    email=family.email if i == 0 else "",
                    lives_with_child=Vulnerability.LOOKED_AFTER not in flags,
                    address="" if Vulnerability.LOOKED_AFTER not in flags else "Not shared",
                ))
            for flag in flags:
                details = FLAG_DETAIL.get(flag)
                flag_rows.append(VulnerabilityFlag(
                    child=child, flag=flag,
                    detail=self.rng.choice(details) if details else "",
                    started_on=self._date_between(child.date_of_birth, self.today),
                ))
            if extra["temporary"] is False and self.rng.random() < 0.02:
                # A temporary UPN given before the permanent one arrived, kept for matching.
                former_rows.append(FormerUPN(child=child, upn=self._upn(
                    auth.code, extra["provider"].estab or "2000", self.year_start, temporary=True)))
            preferred = names.PREFERRED.get(child.legal_forename)
            if preferred and self.rng.random() < 0.5:
                name_rows.append(ChildName(child=child, kind=NameKind.PREFERRED,
                                           forename=preferred))
            if self.rng.random() < 0.01:
                name_rows.append(ChildName(
                    child=child, kind=NameKind.FORMER, forename=child.legal_forename,
                    surname=self._surname(), used_from=child.date_of_birth,
                    used_to=self._date_between(child.date_of_birth, self.today - timedelta(days=60)),
                ))
        Enrolment.objects.bulk_create(enrolment_rows, batch_size=2000)
        Address.objects.bulk_create(address_rows, batch_size=2000)
        CarerContact.objects.bulk_create(carer_rows, batch_size=2000)
        VulnerabilityFlag.objects.bulk_create(flag_rows, batch_size=2000)
        FormerUPN.objects.bulk_create(former_rows, batch_size=2000)
        ChildName.objects.bulk_create(name_rows, batch_size=2000)
        self.summary.children += len(created)
        self.summary.enrolments += len(enrolment_rows)

    def _enrolment_history(self, auth, provider, ncy, primaries, secondaries, neighbour_code):
        """[(provider, entry, leaving)] oldest first; the last one is current."""
        history = []
        def september(year: int) -> date:
            return min(date(year, 9, self.rng.randint(3, 7)), self.today)

        def july(year: int) -> date:
            return min(date(year, 7, self.rng.randint(18, 23)), self.today)

        # The September this child started Reception (or nursery).
        reception = self.year_start - max(ncy, 0)
        kind, phase = provider.kind, provider.phase
        if phase in (Phase.NURSERY, Phase.PRIMARY, Phase.ALL_THROUGH, Phase.SPECIAL) and \
                kind == OrgKind.SCHOOL:
            start = self.year_start - (ncy + 2) if ncy < 0 else reception
            entry = september(start)
            if self.rng.random() < 0.1 and ncy > 0:
                entry = self._date_between(entry, self.today - timedelta(days=14))  # in-year move
            history.append((provider, entry, None))
            return history
        if kind == OrgKind.HOME_EDUCATION:
            # Withdrawn from school to be educated at home.
            if ncy >= 7 and secondaries:
                school, entry = self.rng.choice(secondaries), september(self.year_start - (ncy - 7))
            elif primaries:
                school, entry = self.rng.choice(primaries), september(reception)
            else:
                return [(provider, september(reception), None)]
            withdrawn = self._date_between(entry, self.today - timedelta(days=10))
            if ncy >= 7 and primaries:
                history.append((self.rng.choice(primaries), september(reception),
                                july(self.year_start - ncy + 7)))
            history += [(school, entry, withdrawn), (provider, withdrawn, None)]
            return history
        # Secondary-age providers: first a primary, then a secondary.
        if primaries:
            history.append((self.rng.choice(primaries), september(reception),
                            july(self.year_start - ncy + 7)))
        y7 = self.year_start - (ncy - 7)
        if phase == Phase.SIXTEEN_PLUS and kind == OrgKind.SCHOOL:
            if secondaries:
                history.append((self.rng.choice(secondaries), september(y7),
                                july(self.year_start - ncy + 12)))
            history.append((provider, september(self.year_start - (ncy - 12)), None))
        elif kind == OrgKind.SCHOOL:
            history.append((provider, september(y7), None))
        elif secondaries:  # a pupil referral unit or alternative provision
            school = self.rng.choice(secondaries)
            moved = self._date_between(september(y7), self.today - timedelta(days=20))
            if kind == OrgKind.ALTERNATIVE_PROVISION:
                # Dual registered: still on the school's roll, part-time at the provider.
                history += [(school, september(y7), None), (provider, moved, None)]
            else:  # excluded, then on the unit's roll
                history += [(school, september(y7), moved),
                            (provider, moved + timedelta(days=6), None)]
        else:
            history.append((provider, september(y7), None))
        return history

    def _flags(self, ncy: int, provider: Organisation) -> list[str]:
        flags = []
        for flag, per_thousand in FLAG_RATES.items():
            if flag == Vulnerability.TEENAGE_PARENT and ncy < 10:
                continue
            if flag == Vulnerability.YOUNG_OFFENDER and ncy < 6:
                continue
            if self.rng.randrange(1000) < per_thousand:
                flags.append(flag)
        if provider.phase == Phase.SPECIAL and Vulnerability.SEN_EHCP not in flags:
            flags.append(Vulnerability.SEN_EHCP)
        if provider.kind == OrgKind.PRU and Vulnerability.EXCLUDED not in flags:
            flags.append(Vulnerability.EXCLUDED)
        if Vulnerability.CHILD_PROTECTION in flags and Vulnerability.LOOKED_AFTER in flags:
            flags.remove(Vulnerability.CHILD_PROTECTION)
        return flags

    # ---- referrals and cases -------------------------------------------------------------

    def build_cases(self, auth: Authority) -> None:
        """Referrals and cases through the services, then back-dated to read like real work."""
        n = self.cases_per_la
        stages = self._spread(STAGE_WEIGHTS, n)
        reasons = self._spread(REASON_WEIGHTS, n)
        self.rng.shuffle(reasons)
        outcomes = list(Outcome.values)
        channels = [c for c in Channel.values if c != Channel.SCREENING]  # screening makes its own
        officer = auth.users["officer"]
        # Children on the roll the cases may concern (one case each); school-age only.
        pool = list(
            Child.objects.filter(la=auth.la, enrolments__leaving_date__isnull=True,
                                 enrolments__provider__kind=OrgKind.SCHOOL)
            .exclude(enrolments__provider__phase__in=[Phase.NURSERY, Phase.SIXTEEN_PLUS])
            .distinct()
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        self.rng.shuffle(pool)
        named_school_pupils = list(
            Enrolment.objects.filter(provider=auth.named_school, leaving_date__isnull=True)
            .order_by("pk").values_list("child_id", flat=True)[:6]
        )
        pool = named_school_pupils[:4] + [p for p in pool if p not in named_school_pupils[:4]]
        closed_count = 0
        for i, (stage, reason) in enumerate(zip(stages, reasons, strict=True)):
            channel = channels[i % len(channels)]
            if reason == Reason.NEVER_STARTED or (reason == Reason.OTHER and i % 2) or not pool \
                    or stage == Stage.IDENTIFIED:  # a thin referral (below)
                child = None
            else:
                child = Child.objects.get(pk=pool.pop(0))
            outcome = None
            if stage == Stage.CLOSED:
                outcome = outcomes[closed_count % len(outcomes)]
                closed_count += 1
            self._one_case(auth, stage, reason, channel, child, outcome, i)
        # Referrals about a child who already has an open case join that case.
        open_cases = list(Case.objects.filter(la=auth.la).exclude(stage=Stage.CLOSED)
                          .select_related("child").order_by("pk"))
        for j in range(max(1, n // 30)):
            case = open_cases[(j * 7) % len(open_cases)]
            referral = self._referral(auth, channels[(j + 3) % len(channels)], case.child,
                                      case.reason, self.today - timedelta(days=self.rng.randint(0, 6)))
            referral_triage(actor=officer, referral=referral,
                                          category=case.category, reason=case.reason,
                                          child=case.child)
        # Contacts that turned out not to be about a missing child.
        for j in range(max(1, n // 20)):
            referral = self._referral(auth, channels[(j + 5) % len(channels)], None,
                                      Reason.OTHER, self.today - timedelta(days=self.rng.randint(3, 200)))
            intake_services.referral_close_not_cme(
                actor=officer, referral=referral, reason=self.rng.choice(NOT_CME_REASONS))
        # And some still waiting for an officer to triage them.
        for j in range(max(2, n // 10)):
            self._referral(auth, channels[j % len(channels)], None,
                           self.rng.choice(list(Reason.values)),
                           self.today - timedelta(days=self.rng.randint(0, 9)))

    def _spread(self, weights: dict, n: int) -> list:
        """n values: each key at least once (when n allows), the rest in proportion."""
        keys = list(weights)
        out = keys[:n]
        rest = n - len(out)
        total = sum(weights.values())
        for key in keys:
            out += [key] * int(rest * weights[key] / total)
        while len(out) < n:
            out.append(self.rng.choices(keys, weights=list(weights.values()))[0])
        return out[:n]

    def _new_person(self, auth: Authority, reason: str) -> dict:
        sex = "F" if self.rng.random() < 0.5 else "M"
        family = self._family(auth)
        ncy = self.rng.randint(0, 1) if reason == Reason.NEVER_STARTED else self.rng.randint(1, 10)
        return {
            "child_forename": self._forename(sex),
            "child_surname": family.surname,
            "child_date_of_birth": self._dob_for_year_group(ncy),
            "child_sex": sex,
            "child_address": f"{family.address[0]}, {family.address[1]}",
            "child_postcode": family.address[2],
            "family": family,
        }

    def _referral(self, auth, channel, child, reason, on: date, person: dict | None = None):
        received = timezone.make_aware(
            datetime.combine(on, time(self.rng.randint(8, 17), self.rng.randint(0, 59)))
        )
        if received > timezone.now():
            received = timezone.now() - timedelta(minutes=self.rng.randint(5, 300))
        if child is not None:
            address = child.addresses.filter(lived_to__isnull=True).first()
            school = (child.enrolments.filter(provider__kind=OrgKind.SCHOOL)
                      .select_related("provider").first())
            fields = {
                "child_forename": child.legal_forename,
                "child_surname": child.legal_surname,
                "child_date_of_birth": child.date_of_birth,
                "child_sex": child.sex,
                "child_upn": child.upn if channel in ("api", "email", "letter") else "",
                "child_address": f"{address.line1}, {address.town}" if address else "",
                "child_postcode": address.postcode if address else "",
                "last_known_school": school.provider.name if school else "",
            }
        else:
            person = person or self._new_person(auth, reason)
            fields = {k: v for k, v in person.items() if k.startswith("child_")}
            if reason != Reason.NEVER_STARTED and self.rng.random() < 0.5:
                fields["last_known_school"] = self.rng.choice(OUT_OF_AREA_SCHOOLS)
        fields["concerns"] = self._concerns(reason, fields)
        submitted_by = None
        if channel in (Channel.ONLINE_PARTNER, Channel.API):
            submitted_by = auth.users["police"]
        else:
            fields.update(self._referrer(auth, channel))
        referral = intake_services.referral_create(
            la=auth.la, channel=channel, submitted_by=submitted_by, received_at=received,
            **{k: v for k, v in fields.items() if v not in (None, "")},
        )
        self.summary.referrals += 1
        return referral

    def _referrer(self, auth: Authority, channel: str) -> dict:
        town = names.PLACES[auth.code]["towns"][0]
        school = self.rng.choice(auth.schools)
        person = f"{self._forename(self.rng.choice('FM'))} {self._surname()}"
        options = {
            Channel.PHONE: (person, school.name),
            Channel.EMAIL: (person, f"{town} Community Health NHS Trust"),
            Channel.TRUANCY_SWEEP: (person, f"{town} District Police and education welfare"),
            Channel.ONLINE_PUBLIC: (person, ""),
            Channel.IN_PERSON: (person, ""),
            Channel.LETTER: (person, f"{auth.la.name} Housing Options"),
        }
        name, org = options.get(channel, (person, ""))
        return {
            "referrer_name": name,
            "referrer_organisation": org,
            "referrer_email": f"{_ascii(name.split()[0])}.{_ascii(name.split()[-1]).replace(chr(39), '')}@example.com"
            if channel in (Channel.EMAIL, Channel.ONLINE_PUBLIC) else "",
            "referrer_phone": self._phone() if channel in (Channel.PHONE, Channel.IN_PERSON) else "",
        }

    def _concerns(self, reason: str, fields: dict) -> str:
        name = fields.get("child_forename") or "The child"
        school = fields.get("last_known_school") or "school"
        return self.rng.choice(CONCERNS[reason]).format(name=name, school=school)

    def _one_case(self, auth, stage, reason, channel, child, outcome, index) -> None:
        officer = auth.users["officer"]
        low, high = REFERRED_DAYS_AGO[stage]
        days_ago = self.rng.randint(low, min(high, 540))
        referred = self.today - timedelta(days=days_ago)
        worker = self.rng.choice(auth.caseworkers)
        if outcome == Outcome.NOT_CME:
            category = Category.NOT_CME
        elif reason in (Reason.EXCLUSION,) or (child is not None and index % 3 == 0):
            category = Category.AT_RISK
        else:
            category = Category.MISSING
        person = None if child is not None else self._new_person(auth, reason)
        if person is not None and stage == Stage.IDENTIFIED:
            # A thin referral: no date of birth yet, so the record is not complete and the case
            # waits at "identified" until the officer finds it out (it is then logged).
            person["child_date_of_birth"] = None
        referral = None
        if stage == Stage.RECEIVED:
            # Logged straight onto the register from a school's notice; not yet looked at.
            if child is None:
                child = people_services.child_create(
                    actor=officer, la_id=auth.la.pk,
                    legal_forename=person["child_forename"], legal_surname=person["child_surname"],
                    date_of_birth=person["child_date_of_birth"], sex=person["child_sex"],
                    address={"line1": person["child_address"], "postcode": person["child_postcode"]},
                )
                person = None
            worker = None if index % 2 else worker
            case = register.case_open(
                actor=officer, child=child, category=category, reason=reason,
                referred_on=referred, stage=Stage.RECEIVED, responsible_officer=worker,
                reason_detail=self.rng.choice(REASON_DETAIL[reason]),
            )
            opened_at = self._at(referred)
        else:
            referral = self._referral(auth, channel, child, reason, referred, person)
            case = referral_triage(
                actor=officer, referral=referral, category=category, reason=reason, child=child,
                responsible_officer=worker,
                reason_detail=self.rng.choice(REASON_DETAIL[reason]),
            )
            # Triage the same day or soon after the referral arrived.
            opened_at = referral.received_at + timedelta(
                hours=self.rng.randint(1, 6), minutes=self.rng.randint(0, 59))
            Referral.objects.filter(pk=referral.pk).update(triaged_at=opened_at)
        if person is not None:
            family = person["family"]
            for name, relationship, pr in family.carers:
                people_services.child_contact_add(
                    actor=officer, child=case.child, name=name, relationship=relationship,
                    parental_responsibility=pr, phone=family.phone,
                )
            if self.rng.random() < 0.3:
                people_services.child_flag_add(
                    actor=officer, child=case.child,
                    flag=self.rng.choice([Vulnerability.ASYLUM_REFUGEE, Vulnerability.TRANSIENT,
                                          Vulnerability.HOMELESS, Vulnerability.GRT,
                                          Vulnerability.CHILD_IN_NEED]),
                )
        # The path from "identified" to the target stage. Each step is done as an officer does it,
        # with its evidence (a whereabouts record, a needs assessment, a provider, a start date),
        # since a case cannot pass a step without it; "locating" is passed by now and then.
        order = list(Stage.values)
        path: list[str] = []
        if stage != Stage.RECEIVED:
            target = CLOSED_AFTER.get(outcome, Stage.IN_PROVISION) if stage == Stage.CLOSED \
                else stage
            last = order.index(target)
            path = [s for s in order[order.index(Stage.LOCATING):last + 1]
                    if s != Stage.LOCATING or s == order[last] or self.rng.random() > 0.2]
            if stage == Stage.LOCATING and index % 4 == 0:
                path = [Stage.LOCATING, Stage.LOCATED, Stage.LOCATING]  # lost again
        steps = len(path) + (1 if stage == Stage.CLOSED else 0)
        span = max(days_ago - 1, 0)
        offsets = sorted(self.rng.randint(1, span) if span else 0 for _ in range(steps))
        dates = [referred + timedelta(days=o) for o in offsets]
        for to_stage, on in zip(path, dates, strict=False):
            case = self._step(auth, case, to_stage, on, worker or officer, person)
        reached = case.stage if case.stage != Stage.CLOSED else Stage.LOCATED
        if order.index(reached) >= order.index(Stage.LOCATING):
            self._enquiries(case, worker or officer, referred, dates)
        if stage == Stage.CLOSED and outcome == Outcome.MOVED_LA:
            # Referred to the other authority's CME contact, which then accepted the child.
            moved = casework.case_moved_to_other_la(
                actor=worker or officer, case=case, on=dates[-1], other_la=auth.other_la,
                detail="Family gave a new address in the other authority.",
            )
            # Sent on the day the family was found to have moved, not today (the demo's past).
            sent = timezone.make_aware(datetime.combine(dates[-1], time(10, 0)))
            OtherLaReferral.objects.filter(pk=moved.pk).update(sent_at=sent)
            moved.sent_at = sent
            casework.other_la_referral_accept(actor=worker or officer, referral=moved, on=dates[-1])
        if stage == Stage.CLOSED:
            case = casework.case_close(
                actor=worker, case=case, outcome=outcome, on=dates[-1],
                detail=self.rng.choice(OUTCOME_DETAIL[outcome]),
            )
        note_texts = self.rng.sample(CASE_NOTES, 1 if stage == Stage.RECEIVED else
                                     self.rng.randint(1, 3))
        notes_on = sorted(self._date_between(referred, dates[-1] if dates else referred)
                          for _ in note_texts)
        for text in note_texts:
            register.case_note_add(actor=worker or officer, case=case,
                                        text=text.format(name=case.child.legal_forename))
        if child is not None:
            self._last_known_placement(case, child, reason, category, referred)
        self._backdate(case, opened_at, dates, notes_on)
        self.summary.cases += 1

    def _step(self, auth, case: Case, to_stage: str, on: date, actor, person) -> Case:
        """Take a case to ``to_stage`` on ``on`` by doing that step's work."""
        from cme.cases.casework.models import ApprovalState

        note = self.rng.choice(STAGE_NOTES.get(to_stage, [""]))
        facts = register.case_stage_facts(case)
        if (to_stage == Stage.LOCATED and not facts["whereabouts"]) \
                or (to_stage == Stage.LOCATED and case.stage == Stage.LOCATING):
            current = case.child.addresses.order_by("-id").first()
            family = person["family"] if person else None
            line1, town, postcode = family.address if family else (
                (current.line1, current.town, current.postcode) if current
                else (f"{self.rng.randint(2, 180)} Station Road", "", ""))
            casework.case_child_found(
                actor=actor, case=case, on=on, line1=line1, town=town, postcode=postcode,
                parental_responsibility=self.rng.choice(["Mother", "Father", "Both parents", "Grandmother"]),
                detail=note,
            )
        elif to_stage == Stage.NEEDS_DETERMINED:
            if case.key_worker_id is None:
                case = casework.case_key_worker_allocate(actor=actor, case=case, officer=actor,
                                                  role=KeyWorkerRole.KEY_WORKER, since=on)
            assessment = casework.needs_assessment_save(
                actor=actor, case=case, complete=True, assessed_on=on,
                education_history=self.rng.choice(NEEDS_HISTORY), sen_status=self.rng.choice(
                    ["none", "none", "sen_support", "ehcp"]),
                health=self.rng.choice(["None known", "Asthma", "Anxiety; under CAMHS"]),
                family_circumstances=self.rng.choice(["Recently moved", "Temporary accommodation",
                                                      "Lives with grandmother"]),
                disengagement_reasons=self.rng.choice(["Moved mid-year", "Bullying at last school",
                                                       "Anxiety about school"]),
                parent_preferences="A school near home", child_preferences="To be with friends",
                recommended_provision=self.rng.choice(["mainstream", "mainstream", "pru", "alternative"]),
            )
            if assessment.state == ApprovalState.AWAITING:
                casework.needs_assessment_decide(actor=auth.users["manager"], assessment=assessment,
                                                 approve=True)
        elif to_stage == Stage.PROVISION_IDENTIFIED:
            casework.case_provision_identify(actor=actor, case=case, provider=self.rng.choice(auth.schools),
                                             on=on, detail=note)
        elif to_stage == Stage.ACCESSING_PROVISION:
            casework.case_provision_start(actor=actor, case=case,
                                          starts_on=self.today + timedelta(days=self.rng.randint(3, 20)))
        elif to_stage == Stage.IN_PROVISION:
            casework.case_provision_start(actor=actor, case=case, starts_on=on)
        case = Case.objects.get(pk=case.pk)
        if case.stage != to_stage:
            case = register.case_stage_advance(actor=actor, case=case, to_stage=to_stage, on=on, note=note)
        return case

    def _enquiries(self, case, officer, referred: date, dates: list[date]) -> None:
        """The reasonable enquiries an officer made to find the child, soon after referral."""
        from cme.cases.models import EnquiryKind

        by = min(dates) if dates else referred
        kinds = self.rng.sample(list(EnquiryKind.values), self.rng.randint(2, 5))
        for kind in kinds:
            casework.enquiry_record(
                actor=officer, case=case, kind=kind, officer=officer,
                made_on=self._date_between(referred, max(by, referred)),
                outcome=self.rng.choice(ENQUIRY_OUTCOMES[kind == EnquiryKind.HOME_VISIT]),
                next_step=self.rng.choice(["", "Try again next week.", "Ask the school for a sibling contact."]),
            )

    def _last_known_placement(self, case, child, reason, category, referred) -> None:
        """The child's school roll is the last known placement; a missing child has left it."""
        enrolment = (child.enrolments.filter(provider__kind=OrgKind.SCHOOL)
                     .order_by("-entry_date").first())
        if enrolment is None:
            return
        placement_on = referred
        if category == Category.MISSING and reason in (
            Reason.MOVED_UNKNOWN, Reason.WITHDRAWAL, Reason.FAILED_TRANSITION
        ):
            placement_on = max(referred - timedelta(days=self.rng.randint(10, 30)),
                               enrolment.entry_date)
            Enrolment.objects.filter(pk=enrolment.pk).update(leaving_date=placement_on)
        Case.objects.filter(pk=case.pk).update(
            last_known_provider=enrolment.provider,
            last_known_placement=enrolment.provider.name,
            last_known_placement_on=placement_on,
        )

    def _at(self, on: date) -> datetime:
        return timezone.make_aware(
            datetime.combine(on, time(self.rng.randint(9, 16), self.rng.randint(0, 59))))

    def _backdate(self, case: Case, opened_at: datetime, stage_dates: list[date],
                  note_dates: list[date]) -> None:
        """Give the timeline real-looking times, in order (the audit trail keeps the load time)."""
        now = timezone.now()
        changes = list(StageChange.objects.filter(case=case).order_by("id"))
        previous = None
        for change, when in zip(changes, [opened_at, *map(self._at, stage_dates)], strict=False):
            if previous is not None and when <= previous:
                when = previous + timedelta(minutes=self.rng.randint(5, 90))
            change.changed_at = previous = min(when, now)
        StageChange.objects.bulk_update(changes, ["changed_at"])
        notes = list(CaseNote.objects.filter(case=case).order_by("id"))
        for note, on in zip(notes, note_dates, strict=False):
            note.created_at = max(min(self._at(on), now), opened_at)
        CaseNote.objects.bulk_update(notes, ["created_at"])

    def load_gias_extract(self) -> None:
        """The shipped GIAS extract mirrors the default demo's schools (same URNs, names and
        LAESTABs): importing it adds what GIAS knows (type, status, dates) and a few providers
        more (a closed school, an independent school, an FE college), as a council's would."""
        from pathlib import Path

        from cme.providers.gias import read_extract
        from cme.providers.services import gias_import

        path = Path(__file__).resolve().parent.parent / "providers" / "data" / "gias-demo-extract.csv"
        gias_import(actor=None, extract=read_extract(path.read_bytes()), file_name=path.name)

    def build_la_contacts(self, authorities: list[Authority]) -> None:
        """Each authority's directory of other LAs, with the other demo authority's named CME
        contact filled in, so that a family moving between the two can be referred on."""
        from cme.providers.services import la_contacts_seed, read_la_codes

        codes = read_la_codes()
        for auth in authorities:
            la_contacts_seed(la=auth.la, codes=codes)
            for other in authorities:
                if other is auth:
                    continue
                Organisation.objects.filter(la=auth.la, kind=OrgKind.OTHER_LA, la_code=other.code).update(
                    name=other.la.name,
                    contact_name=f"CME team, {other.la.name}",
                    contact_email=f"cme@{other.slug}.example.org",
                    contact_phone="01632 960000",
                )
            auth.other_la = Organisation.objects.get(
                la=auth.la, kind=OrgKind.OTHER_LA,
                la_code=next(o.code for o in authorities if o is not auth),
            )

    # ---- all of it -----------------------------------------------------------------------

    @transaction.atomic
    def build(self) -> Summary:
        authorities = []
        for spec in AUTHORITIES:
            authorities.append(self.build_authority(spec))
        if self.seed == DEFAULT_SEED:
            self.load_gias_extract()
        codes = [a.code for a in authorities]
        for auth in authorities:
            neighbour = next(c for c in codes if c != auth.code)
            self.build_rolls(auth, neighbour)
            self.log(f"{auth.la.name}: {len(auth.schools)} schools and their rolls")
        self.build_la_contacts(authorities)
        for auth in authorities:
            self.build_cases(auth)
            self.log(f"{auth.la.name}: referrals and cases")
        # Term dates and this year's registers (cme.demo.attendance), after everything else so
        # that the rolls and cases above stay as they were.
        from cme.demo.attendance import build_demo_attendance

        build_demo_attendance([a.la for a in authorities], seed=self.rng.randrange(2**31),
                              today=self.today, log=self.log)
        # A term of deletion returns, leavers reconciled and new pupils (cme.demo.movements).
        from cme.demo.movements import build_demo_movements

        build_demo_movements([a.la for a in authorities], seed=self.rng.randrange(2**31),
                             today=self.today, log=self.log)
        # Places, the AP directory, requests for a place and a panel (cme.demo.places).
        from cme.demo.places import build_demo_places

        build_demo_places(authorities, today=self.today, log=self.log)
        # A case sent from each authority to the other's CME Tracker (cme.demo.handoffs).
        from cme.demo.handoffs import build_demo_handoffs

        build_demo_handoffs(log=self.log)
        return self.summary


# The stage a case had reached when it closed with each outcome.
CLOSED_AFTER = {
    Outcome.BACK_IN_SCHOOL: Stage.IN_PROVISION,
    Outcome.ALTERNATIVE_PROVISION: Stage.IN_PROVISION,
    Outcome.HOME_EDUCATION: Stage.NEEDS_DETERMINED,
    Outcome.MOVED_LA: Stage.LOCATED,
    Outcome.LEFT_COUNTRY: Stage.LOCATING,
    Outcome.END_OF_CSA: Stage.LOCATING,
    Outcome.NOT_CME: Stage.LOGGED,
    Outcome.OTHER: Stage.NEEDS_DETERMINED,
}

# What an enquiry found: [other kinds, home visit].
ENQUIRY_OUTCOMES = [
    [
        "No record of the child.",
        "Records show the family at the last known address until the summer.",
        "Registered with a GP in the borough; address matches the referral.",
        "No trace in their records; asked to call back if the family is seen.",
        "Sibling is on roll and attending; the school will speak to the parent.",
    ],
    [
        "No answer; card left asking the parent to call.",
        "Neighbour says the family moved out about a month ago.",
        "Spoke to the parent at the door; the child was at home.",
        "House appears empty; curtains drawn, post piling up.",
    ],
]

OUT_OF_AREA_SCHOOLS = [
    "Greenhill Primary School (another authority)",
    "St Anne's Catholic Primary School (another authority)",
    "Castlegate Academy (another authority)",
    "A school in Romania",
    "A school in Poland",
    "Not known",
]

CONCERNS = {
    Reason.NEVER_STARTED: [
        "{name} has just turned five and is not on any school roll. Family moved into the "
        "area in the summer; no school application was made.",
        "Health visitor says {name} should have started Reception in September. Parent unsure "
        "how to apply for a place.",
        "Neighbour reports that {name} is at home every day and has never been seen going to "
        "school.",
    ],
    Reason.EXCLUSION: [
        "{name} was permanently excluded from {school}. Parent has not taken up the place "
        "offered at the pupil referral unit.",
        "{name} is on a fixed-term exclusion from {school} for the third time this term; the "
        "school is worried the family will remove {name} from roll.",
        "{name} has been on a reduced timetable at {school} for over six weeks and is at home "
        "most of the day.",
    ],
    Reason.WITHDRAWAL: [
        "Parent wrote to {school} to withdraw {name} for home education. The school has safeguarding "
        "concerns and no one has seen {name} since.",
        "{name} was removed from the roll of {school} after the family said they were moving "
        "abroad. No destination school given.",
        "{school} reports that {name}'s parent withdrew {name} after a dispute about attendance; "
        "no new school named.",
    ],
    Reason.FAILED_TRANSITION: [
        "{name} left Year 6 at {school} in July but has not arrived at the allocated secondary "
        "school.",
        "{name} did not start at the secondary school offered; parent refused the place and "
        "has not applied elsewhere.",
    ],
    Reason.MOVED_UNKNOWN: [
        "{name} has not attended {school} for 10 school days. Phone numbers do not connect and "
        "the house looks empty.",
        "Landlord says the family of {name} left the property at the end of last month. "
        "{school} has had no request for records.",
        "{name} stopped attending {school} after half-term. Family believed to have moved; no "
        "forwarding address.",
    ],
    Reason.OTHER: [
        "Family arrived from overseas three weeks ago and are staying with relatives. {name} "
        "has no school place yet.",
        "{name} is living in temporary accommodation after eviction; the family is too far from "
        "{school} to get there each day.",
        "Police found {name} in the town centre during a truancy sweep; says they are not on a "
        "school roll.",
        "{name} is a young carer for a parent with long-term illness and has not been in "
        "education for some weeks.",
    ],
}

REASON_DETAIL = {
    Reason.NEVER_STARTED: ["No in-year or Reception application found.", ""],
    Reason.EXCLUSION: ["Permanent exclusion; PRU place offered.", "Repeated suspensions."],
    Reason.WITHDRAWAL: ["Withdrawn by parent.", "Withdrawn to home education."],
    Reason.FAILED_TRANSITION: ["Did not start Year 7.", "Place refused by parent."],
    Reason.MOVED_UNKNOWN: ["No forwarding address.", "Believed moved out of area."],
    Reason.OTHER: ["New arrival to the country.", "Temporary accommodation out of area.", ""],
}

STAGE_NOTES = {
    Stage.LOGGED: ["Checked school census and admissions records.", ""],
    Stage.LOCATING: ["Home visit: no answer. Card left.", "Enquiries sent to health, housing "
                     "and the DWP.", "Lost contact again; enquiries reopened."],
    Stage.LOCATED: ["Family found at a new address in the borough.", "Confirmed by the health "
                    "visiting team."],
    Stage.NEEDS_DETERMINED: ["Met parent; no additional needs beyond SEN support.",
                             "Needs assessment with parent and key worker."],
    Stage.PROVISION_IDENTIFIED: ["Place offered at the nearest school with a vacancy.",
                                 "Fair access panel allocated a place."],
    Stage.ACCESSING_PROVISION: ["Admission meeting booked; start date agreed.",
                                "Uniform grant and travel pass arranged."],
    Stage.IN_PROVISION: ["Started at the new school; attendance to be monitored.",
                         "On roll and attending; weekly attendance checks for six weeks."],
}

OUTCOME_DETAIL = {
    Outcome.BACK_IN_SCHOOL: ["Attending well for six weeks.", "On roll and attending."],
    Outcome.ALTERNATIVE_PROVISION: ["Full-time place at the alternative provision."],
    Outcome.HOME_EDUCATION: ["Home education judged suitable after a visit."],
    Outcome.MOVED_LA: ["The new authority confirmed the child is on a roll there."],
    Outcome.LEFT_COUNTRY: ["Confirmed left the country; details passed to the DfE lost pupil "
                           "database."],
    Outcome.END_OF_CSA: ["Reached the end of compulsory school age; passed to the 16 to 19 "
                         "participation team."],
    Outcome.NOT_CME: ["Child was on roll and attending all along; a records mix-up."],
    Outcome.OTHER: ["Family in touch with children's social care; education plan in place."],
}

NOT_CME_REASONS = [
    "On roll at a school in the authority and attending.",
    "Registered with the elective home education team; provision judged suitable.",
    "Child is below compulsory school age.",
    "Duplicate of an earlier contact about the same child.",
    "Attending an independent school outside the authority.",
]

CASE_NOTES = [
    "Phoned parent: no answer. Left a voicemail asking them to call back.",
    "Spoke to {name}'s mother, who says the family is staying with relatives.",
    "Checked the school census, admissions and the council tax records.",
    "Emailed the previous school for the last attendance record.",
    "Home visit with the education welfare officer. {name} was at home and well.",
    "Asked children's social care whether the family is known to them.",
    "Discussed at the fortnightly CME review with the manager.",
    "Request sent to the neighbouring authority's CME officer.",
]
