"""Bench data for bench/web.py: a large fictional register, written in bulk.

Two fictional authorities share one database: a large one (50,000 children, 20,000 cases by
default) and a small one (2,000 children, 800 cases). Pages are scoped to the user's authority,
so an officer of each sees the same code path over a different amount of data: that is how the
query-count check compares two data sizes without a second database.

Everything is generated from a fixed seed, in one transaction, and ends with a marker row in
`bench_dataset`; a second run finds the marker and skips the work.
"""

import sys

if __name__ == "__main__":
    # `make bench` runs every script in bench/; run alone, this module fills the database only
    # (same options as bench/web.py). The benchmark itself is bench/web.py.
    from web import main

    sys.exit(main(["fill", *sys.argv[1:]]))

import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from cme.accounts.models import Role, RoleGrant, User
from cme.cases.models import Case, CaseNote, Category, Outcome, Reason, Stage, StageChange
from cme.intake.models import Channel, Referral, ReferralStatus
from cme.people.identifiers import upn_check_letter
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
from cme.providers.models import Enrolment, Organisation, OrgKind, Phase
from cme.testing.factories import TEST_PASSWORD

# Bump when the shape of the data changes, so an old database is refilled rather than reused.
DATA_VERSION = 1
MARKER = "web"
BATCH = 5000
TODAY = date(2026, 11, 27)  # fixed, so two runs build the same register

# Every bench officer signs in with this password (the factories' test password).
PASSWORD = TEST_PASSWORD


@dataclass(frozen=True)
class Authority:
    key: str  # "large" / "small": usernames and case references derive from it
    name: str
    la_code: str  # a real LA code, so generated UPNs pass validation
    children: int
    cases: int


def authorities(children: int, cases: int, small_children: int, small_cases: int):
    return (
        Authority("large", "Greymoor Council (benchmark)", "926", children, cases),
        Authority("small", "Wenlow Council (benchmark)", "935", small_children, small_cases),
    )


FORENAMES = ["Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Jack", "Ivy", "Leo", "Lily", "Arthur", "Sophia", "Muhammad", "Florence", "Oscar", "Freya", "Charlie", "Grace", "Jacob", "Ella", "Thomas", "Evie", "Henry", "Willow", "Alfie", "Poppy", "Theo", "Rosie", "Ethan", "Emily", "Joshua", "Maya", "Archie", "Zara", "Aaron", "Amira", "Kai", "Layla", "Tyler", "Chloe", "Reuben", "Aisha", "Dylan", "Sienna", "Ryan", "Hannah", "Kacper", "Zofia", "Ionut", "Maria", "Bilal", "Fatima", "Tomasz", "Lena", "Callum", "Niamh"]
SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Khan", "Hughes", "Edwards", "Hussain", "Lewis", "Turner", "Hill", "Moore", "Cooper", "Ward", "Morris", "King", "Watson", "Harris", "Baker", "Price", "Kowalski", "Nowak", "Popescu", "Ahmed", "Begum", "Ali", "Murphy", "Kelly", "Doherty", "Lee", "Chen", "Nguyen", "Okafor", "Mensah", "Adeyemi", "Campbell", "Stewart", "Bell", "Graham", "Shaw", "Lloyd", "Marsh", "Fletcher", "Holt", "Pearson", "Barker", "Sutton"]
STREETS = ["Mill Lane", "Church Road", "Station Road", "Victoria Street", "Park Avenue", "Highfield Road", "Manor Close", "The Crescent", "Queens Road", "Albert Terrace", "Moor View", "Canal Side"]
TOWNS = ("Greymoor", "Ashby Cross", "Fenwick", "Low Harrow", "Wenlow", "Brackenfield")
NOTE_TEXTS = (
    "Phoned the mother; no answer. Left a voicemail asking her to call back.",
    "Home visit: nobody in. Neighbour says the family moved out about three weeks ago.",
    "Checked with the health visitor: registered with a GP in another authority.",
    "Emailed the last school for the CTF and the last known address.",
    "Spoke to the father. Family intends to home educate; sent the EHE information pack.",
    "Police welfare check requested after two failed visits.",
    "Admissions confirm a place offered at the nearest secondary; start date agreed.",
    "Child seen at home and well. Needs assessment booked with the key worker.",
    "Attendance at the new provision checked: 96% over the first four weeks.",
)
# Roughly how a working register is spread over the stages (closed cases pile up over time).
STAGE_WEIGHTS = {
    Stage.RECEIVED: 4,
    Stage.IDENTIFIED: 5,
    Stage.LOGGED: 6,
    Stage.LOCATING: 14,
    Stage.LOCATED: 7,
    Stage.NEEDS_DETERMINED: 6,
    Stage.PROVISION_IDENTIFIED: 5,
    Stage.ACCESSING_PROVISION: 5,
    Stage.IN_PROVISION: 8,
    Stage.CLOSED: 40,
}
STAGE_ORDER = list(Stage.values)
STAGE_DATE_FIELD = {
    Stage.LOCATED: "located_on",
    Stage.NEEDS_DETERMINED: "assessed_on",
    Stage.PROVISION_IDENTIFIED: "provision_determined_on",
    Stage.IN_PROVISION: "moved_into_provision_on",
    Stage.CLOSED: "closed_on",
}
FLAG_WEIGHTS = {
    Vulnerability.SEN_EHCP: 30,
    Vulnerability.CHILD_IN_NEED: 12,
    Vulnerability.LOOKED_AFTER: 8,
    Vulnerability.CHILD_PROTECTION: 6,
    Vulnerability.YOUNG_CARER: 6,
    Vulnerability.GRT: 6,
    Vulnerability.ASYLUM_REFUGEE: 5,
    Vulnerability.HOMELESS: 6,
    Vulnerability.TRANSIENT: 5,
    Vulnerability.EXCLUDED: 5,
    Vulnerability.MEDICAL_EMOTIONAL: 8,
    Vulnerability.REFUGE: 2,
    Vulnerability.YOUNG_OFFENDER: 2,
    Vulnerability.TEENAGE_PARENT: 1,
}


# The two cases whose pages the query-count check compares, in each authority: the first has
# the fullest timeline the generator makes, the second an almost empty one.
def rich_case_reference(la_code: str) -> str:
    return f"C{la_code}-B000001"


def sparse_case_reference(la_code: str) -> str:
    return f"C{la_code}-B000002"


def officer_username(key: str, n: int) -> str:
    return f"{key}-officer{n}"


# --- the marker ---------------------------------------------------------------------------------


def _marker_table() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_dataset ("
            " name text PRIMARY KEY, version integer NOT NULL, sizes text NOT NULL,"
            " filled_at timestamptz NOT NULL, seconds double precision NOT NULL)"
        )


def sizes_text(las) -> str:
    return ",".join(f"{a.key}:{a.children}/{a.cases}" for a in las)


def filled_sizes() -> str | None:
    """The sizes recorded by the marker, or None when this database was never filled."""
    _marker_table()
    with connection.cursor() as cur:
        cur.execute("SELECT sizes FROM bench_dataset WHERE name = %s AND version = %s",
                    [MARKER, DATA_VERSION])
        row = cur.fetchone()
    return row[0] if row else None


# --- generation ---------------------------------------------------------------------------------


@contextmanager
def own_timestamps(*models):
    """Let bulk_create keep the dates we give instead of stamping 'now' on auto_now fields."""
    saved = []
    for model in models:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, now, now_add in saved:
            field.auto_now, field.auto_now_add = now, now_add


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(8 + rng.randrange(9), rng.randrange(60)), tzinfo=UTC)


def _bulk(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def _upn(la_code: str, estab: str, serial: int) -> str:
    body = f"{la_code}{estab}{serial % 100:02d}{serial // 100 % 1000:03d}"
    return upn_check_letter("A" + body) + body


class _Builder:
    def __init__(self, la: Authority, rng: random.Random, password_hash: str, say):
        self.a = la
        self.rng = rng
        self.password_hash = password_hash
        self.say = say

    def build(self) -> None:
        a = self.a
        self.la = Organisation.objects.create(
            kind=OrgKind.LA, name=a.name, la_code=a.la_code,
            contact_name="CME team", contact_email=f"cme@{a.key}.example.org",
        )
        self._providers()
        self._staff()
        self._children()
        self._cases()
        self.say(f"  {a.name}: {a.children:,} children, {a.cases:,} cases")

    def _providers(self) -> None:
        a, rng = self.a, self.rng
        n_schools = max(10, self.a.children // 800)
        rows = []
        for i in range(n_schools):
            secondary = i % 4 == 0
            rows.append(Organisation(
                kind=OrgKind.SCHOOL, la=self.la, la_code=a.la_code, estab=f"{(4000 if secondary else 2000) + i:04d}",
                name=f"{rng.choice(TOWNS)} {'Academy' if secondary else 'Primary School'} {i + 1}",
                phase=Phase.SECONDARY if secondary else Phase.PRIMARY,
                statutory_low_age=11 if secondary else 4, statutory_high_age=16 if secondary else 11,
                urn=f"{100000 + i + (0 if a.key == 'large' else 50000)}",
            ))
        rows.append(Organisation(kind=OrgKind.PRU, la=self.la, la_code=a.la_code, estab="1100",
                                 name=f"{a.name.split()[0]} Pupil Referral Unit", phase=Phase.SECONDARY))
        for j in range(2):
            rows.append(Organisation(kind=OrgKind.ALTERNATIVE_PROVISION, la=self.la,
                                     name=f"{rng.choice(TOWNS)} Alternative Provision {j + 1}"))
        rows.append(Organisation(kind=OrgKind.PARTNER_AGENCY, la=self.la, name=f"{a.name.split()[0]} Police"))
        self.providers = [o for o in _bulk(Organisation, rows) if o.kind != OrgKind.PARTNER_AGENCY]
        self.schools = [o for o in self.providers if o.kind == OrgKind.SCHOOL]

    def _staff(self) -> None:
        a = self.a
        n_officers = max(12, a.cases // 1000)
        users = [
            User(username=officer_username(a.key, i + 1), password=self.password_hash,
                 organisation=self.la, first_name=self.rng.choice(FORENAMES),
                 last_name=self.rng.choice(SURNAMES), email=f"{a.key}-officer{i + 1}@example.org",
                 job_title="CME officer")
            for i in range(n_officers)
        ]
        users.append(User(username=f"{a.key}-manager", password=self.password_hash, organisation=self.la,
                          first_name="Morgan", last_name="Reed", job_title="CME manager"))
        users = _bulk(User, users)
        _bulk(RoleGrant, [
            RoleGrant(user=u, role=Role.MANAGER if u.username.endswith("manager") else Role.CME_OFFICER)
            for u in users
        ])
        self.officers = [u for u in users if "officer" in u.username]
        self.manager = users[-1]

    def _children(self) -> None:
        a, rng = self.a, self.rng
        hist = Child.history.model
        children, history = [], []
        start = datetime(2023, 9, 1, tzinfo=UTC)
        for i in range(a.children):
            created = start + timedelta(minutes=i)
            school = self.schools[i % len(self.schools)]
            dob = date(2009, 9, 1) + timedelta(days=rng.randrange(11 * 365))
            child = Child(
                la=self.la, legal_forename=rng.choice(FORENAMES),
                legal_middle_names=rng.choice(FORENAMES) if rng.random() < 0.4 else "",
                legal_surname=rng.choice(SURNAMES), date_of_birth=dob, sex=rng.choice("FM"),
                upn=_upn(a.la_code, school.estab, i), created_at=created, updated_at=created,
            )
            children.append(child)
        children = _bulk(Child, children)
        for child in children:
            history.append(hist(
                id=child.pk, la_id=child.la_id, legal_forename=child.legal_forename,
                legal_middle_names=child.legal_middle_names, legal_surname=child.legal_surname,
                date_of_birth=child.date_of_birth, sex=child.sex, upn=child.upn, uln="",
                created_at=child.created_at, updated_at=child.updated_at,
                history_date=child.created_at, history_type="+", history_user_id=None,
            ))
        _bulk(hist, history)
        self.children = children

        enrolments, addresses, contacts, flags, names, former = [], [], [], [], [], []
        flag_kinds, flag_weights = list(FLAG_WEIGHTS), list(FLAG_WEIGHTS.values())
        for i, child in enumerate(children):
            school = self.schools[i % len(self.schools)]
            if rng.random() < 0.15:  # moved school once: an old stay, then the current roll
                old = rng.choice(self.providers)
                enrolments.append(Enrolment(child=child, provider=old, entry_date=date(2021, 9, 1),
                                            leaving_date=date(2023, 7, 21), year_group="", upn=child.upn))
            enrolments.append(Enrolment(child=child, provider=school, entry_date=date(2023, 9, 6),
                                        year_group=str(max(0, min(11, 2025 - child.date_of_birth.year - 5))),
                                        upn=child.upn))
            n_addr = 2 if rng.random() < 0.2 else 1
            for k in range(n_addr):
                current = k == n_addr - 1
                addresses.append(Address(
                    child=child, line1=f"{rng.randrange(1, 200)} {rng.choice(STREETS)}",
                    town=rng.choice(TOWNS), postcode=f"GM{rng.randrange(1, 20)} {rng.randrange(1, 10)}AB",
                    lived_from=date(2018 + k * 4, 1, 1), lived_to=None if current else date(2022, 1, 1),
                    is_refuge=current and rng.random() < 0.005,
                ))
            if rng.random() < 0.6:
                contacts.append(CarerContact(
                    child=child, name=f"{rng.choice(FORENAMES)} {child.legal_surname}",
                    relationship=rng.choice(("Mother", "Father", "Grandmother", "Aunt", "Foster carer")),
                    parental_responsibility=rng.random() < 0.85, phone=f"07700 9{rng.randrange(10**5):05d}",
                ))
            if rng.random() < 0.18:
                for flag in set(rng.choices(flag_kinds, flag_weights, k=rng.choice((1, 1, 2)))):
                    flags.append(VulnerabilityFlag(
                        child=child, flag=flag, started_on=date(2022, 1, 1) + timedelta(days=rng.randrange(900)),
                        ended_on=date(2025, 7, 1) if rng.random() < 0.1 else None,
                        detail="Restricted detail." if flag == Vulnerability.CHILD_PROTECTION else "",
                        recorded_at=child.created_at,
                    ))
            if rng.random() < 0.05:
                names.append(ChildName(child=child, kind=NameKind.PREFERRED,
                                       forename=rng.choice(FORENAMES), surname=child.legal_surname))
            if rng.random() < 0.02:
                former.append(FormerUPN(child=child, upn=_upn(a.la_code, "9999", i), recorded_at=child.created_at))
        for model, rows in ((Enrolment, enrolments), (Address, addresses), (CarerContact, contacts),
                            (VulnerabilityFlag, flags), (ChildName, names), (FormerUPN, former)):
            _bulk(model, rows)

    def _case_plan(self, i: int):
        """Stage path, officer, note count and category of case i (0: rich, 1: sparse)."""
        rng = self.rng
        if i == 0:  # the large LA's is longer, so a query per timeline entry would show
            notes = 30 if self.a.key == "large" else 6
            return STAGE_ORDER[: STAGE_ORDER.index(Stage.IN_PROVISION) + 1], self.officers[0], notes, Category.MISSING
        if i == 1:
            return [Stage.RECEIVED], None, 0, Category.MISSING
        final = rng.choices(list(STAGE_WEIGHTS), list(STAGE_WEIGHTS.values()))[0]
        end = STAGE_ORDER.index(final)
        first = rng.choice((0, 0, 1, 2)) if end >= 2 else 0
        path = [s for k, s in enumerate(STAGE_ORDER[first: end + 1]) if k == 0 or s == final or rng.random() < 0.8]
        officer = None if rng.random() < 0.08 else rng.choice(self.officers)
        category = rng.choices((Category.MISSING, Category.AT_RISK, Category.NOT_CME), (60, 35, 5))[0]
        return path, officer, rng.choice((0, 1, 1, 2, 2, 3, 4)), category

    def _cases(self) -> None:
        a, rng = self.a, self.rng
        hist = Case.history.model
        chosen = rng.sample(self.children, a.cases)
        cases, plans = [], []
        for i, child in enumerate(chosen):
            path, officer, n_notes, category = self._case_plan(i)
            final = path[-1]
            span = 20 + len(path) * 25
            referred = TODAY - timedelta(days=rng.randrange(span, span + 700 if final == Stage.CLOSED else span + 200))
            if i < 2:
                referred = TODAY - timedelta(days=400 if i == 0 else 3)
            days = sorted(rng.sample(range(1, span), len(path) - 1))
            stage_days = [referred] + [referred + timedelta(days=d) for d in days]
            last_school = self.schools[(child.pk + 3) % len(self.schools)]
            case = Case(
                la=self.la, reference=f"C{a.la_code}-B{i + 1:06d}", child=child, category=category,
                reason=rng.choice(Reason.values), stage=final, responsible_officer=officer,
                referred_on=referred, last_known_provider=last_school,
                last_known_placement=last_school.name, last_known_placement_on=referred - timedelta(days=30),
                created_at=_at(referred, rng), updated_at=_at(stage_days[-1], rng),
            )
            for stage, day in zip(path, stage_days, strict=True):
                if stage in STAGE_DATE_FIELD:
                    setattr(case, STAGE_DATE_FIELD[stage], day)
            if final == Stage.CLOSED:
                case.outcome = rng.choice(Outcome.values)
            cases.append(case)
            plans.append((path, stage_days, officer, n_notes))
        cases = _bulk(Case, cases)

        changes, notes, referrals, history = [], [], [], []
        actor_pool = [*self.officers, self.manager]
        for case, (path, stage_days, officer, n_notes) in zip(cases, plans, strict=True):
            actor = officer or rng.choice(actor_pool)
            prev = ""
            for stage, day in zip(path, stage_days, strict=True):
                changes.append(StageChange(case=case, from_stage=prev, to_stage=stage, changed_by=actor,
                                           changed_at=_at(day, rng), note=""))
                prev = stage
            span = max(1, (stage_days[-1] - stage_days[0]).days)
            for _ in range(n_notes):
                notes.append(CaseNote(case=case, author=actor, text=rng.choice(NOTE_TEXTS),
                                      created_at=_at(stage_days[0] + timedelta(days=rng.randrange(span + 1)), rng)))
            child = case.child
            referrals.append(Referral(
                la=self.la, reference=f"R{a.la_code}-B{case.pk:07d}",
                channel=rng.choice((Channel.PHONE, Channel.EMAIL, Channel.ONLINE_PARTNER, Channel.TRUANCY_SWEEP)),
                received_at=_at(case.referred_on, rng),
                as_received={"child_forename": child.legal_forename, "child_surname": child.legal_surname,
                             "child_date_of_birth": child.date_of_birth.isoformat(),
                             "concerns": "Not seen at school since half-term."},
                referrer_name="Duty sergeant", referrer_organisation="Police",
                child_forename=child.legal_forename, child_surname=child.legal_surname,
                child_date_of_birth=child.date_of_birth, child_sex=child.sex, child_upn=child.upn,
                concerns="Not seen at school since half-term.", status=ReferralStatus.CASE_OPENED,
                triaged_by=actor, triaged_at=_at(case.referred_on, rng), case=case,
            ))
            history.extend(self._case_history(hist, case, path, stage_days, officer, actor))
        for model, rows in ((StageChange, changes), (CaseNote, notes), (Referral, referrals), (hist, history)):
            _bulk(model, rows)
        self.cases = cases

    def _case_history(self, hist, case, path, stage_days, officer, actor):
        """Field-level history as the services would have left it: opened, officer named, then
        one record per stage move carrying that stage's key date."""
        state = {
            f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields
        }
        for field in (*STAGE_DATE_FIELD.values(), "outcome"):
            state[field] = None if field != "outcome" else ""
        state.update(stage=path[0], responsible_officer_id=None)
        rows = []

        def snapshot(day, kind):
            # Minutes apart, so records made on the same day stay in order.
            at = datetime.combine(day, time(9), tzinfo=UTC) + timedelta(minutes=7 * len(rows))
            rows.append(hist(**state, history_date=at, history_type=kind, history_user_id=actor.pk))

        snapshot(stage_days[0], "+")
        if officer is not None:
            state["responsible_officer_id"] = officer.pk
            snapshot(stage_days[0], "~")
        if case.reference == rich_case_reference(self.a.la_code) and self.a.key == "large":
            for other in (*self.officers[1:4], officer):  # handed round the team and back
                state["responsible_officer_id"] = other.pk
                snapshot(stage_days[0], "~")
        for stage, day in zip(path[1:], stage_days[1:], strict=True):
            state["stage"] = stage
            if stage in STAGE_DATE_FIELD:
                state[STAGE_DATE_FIELD[stage]] = day
            if stage == Stage.CLOSED:
                state["outcome"] = case.outcome
            snapshot(day, "~")
        return rows


def fill(las, *, seed: int = 2026, say=print) -> float:
    """Generate the whole register in one transaction; returns the seconds it took."""
    import time as _time

    started = _time.perf_counter()
    rng = random.Random(seed)
    password_hash = make_password(PASSWORD)  # hashed once: PBKDF2 per user would take minutes
    models = (Child, Child.history.model, Case, Case.history.model, CaseNote, StageChange,
              VulnerabilityFlag, FormerUPN)
    with transaction.atomic(), own_timestamps(*models):
        _marker_table()
        for la in las:
            _Builder(la, rng, password_hash, say).build()
        seconds = _time.perf_counter() - started
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO bench_dataset (name, version, sizes, filled_at, seconds)"
                " VALUES (%s, %s, %s, now(), %s)",
                [MARKER, DATA_VERSION, sizes_text(las), seconds],
            )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # fresh statistics, or the planner guesses on empty tables
    return _time.perf_counter() - started


def ensure_term_dates() -> None:
    """Every authority has its term dates loaded (the case page's clocks count school days by
    them), as a real one does; the demo calendar is loaded where none is held."""
    from django.utils import timezone

    from cme.attendance.models import CalendarPeriod
    from cme.demo.attendance import load_demo_term_dates
    from cme.providers.models import Organisation, OrgKind

    for la in Organisation.objects.filter(kind=OrgKind.LA):
        if not CalendarPeriod.objects.filter(la=la).exists():
            load_demo_term_dates(la, timezone.localdate())


def register_is_empty() -> bool:
    return not (Child.objects.exists() or Case.objects.exists())
