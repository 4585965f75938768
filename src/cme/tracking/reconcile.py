"""Reconcile movements: was every pupil who left a roll of the authority found again? (pure: no
Django, so the batch contract, the service and the benchmark run the same rules).

Each enrolment that ended on or before the as-of date gets a status, the first that applies:

    exempt           the deletion ground needs no tracking: (b) a nursery pupil not continuing
                     into reception, (k) died, (l) ceasing to be of compulsory school age
    on_roll          the same child has an enrolment at another provider, entered on or before
                     the as-of date and still open or left after this leaving date (dual
                     registration counts); found_at is its LAESTAB
    home_education   the same child is on the home-education list from on or before the as-of date
    transferred_out  ground (a) or (g) with a destination school outside the authority; found_at
                     is the destination
    unreconciled     none of these; school_days counts the school days after the leaving date up
                     to and including the as-of date

"The same child" is found by matching (cme.matching.engine), never by UPN alone: a child often
joins the next school under another UPN or none, with names spelt differently. A candidate counts
only if the engine says it is the child with at least `threshold` probability among the records
that could be the child's next enrolment, so that a brother or sister joining another school at
the same time, or a namesake, is never taken for the child. An exact agreement of UPN, date of
birth and surname, or of first name, surname, date of birth and postcode, is settled without the
engine (several fields, not the UPN alone), which is most movers and keeps a year's run fast.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections import Counter
from collections.abc import Callable, Container, Iterable, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from cme.matching import names as nm_names
from cme.matching import normalise as nm
from cme.matching.engine import (
    ADDR,
    DOB,
    FN,
    LEVEL,
    MIDDLE,
    ORDER,
    SEX,
    SN,
    Index,
    Matcher,
    Model,
    Person,
    normalise,
)

EXEMPT_GROUNDS = frozenset("bkl")
TRANSFER_GROUNDS = frozenset("ag")
GROUNDS = frozenset("abcdefghijklmno")
DEFAULT_THRESHOLD = 0.9
DEFAULT_GRACE = 10  # school days before an unreconciled leaver becomes a CME referral
# How often a leaver who is not exempt or transferred out is on another roll or the home-education
# list of the same authority: most are (a move of school, a move of house within the LA). The
# matching engine's own default (0.5) is for referrals, half of which are about children on no
# roll. A local figure: an LA sets its own from its returns [unverified: configurable].
DEFAULT_FOUND_RATE = 0.75
# Found by the engine (not by an exact agreement), a child's next placement is one that began
# around or after the day they left: a pupil on another roll for years with the same names and
# birthday is a namesake, not the child who just left (dual registrations keep their UPN and
# are found exactly). Days before the leaving date that still count [local choice: configurable].
JOIN_WINDOW_DAYS = 30
# The levels at which the engine may find a leaver again (see `_may_be_the_child`).
_DOB_ALWAYS = frozenset(LEVEL["dob"][k] for k in ("exact", "day_month_swapped"))
_DOB_NEAR = frozenset(LEVEL["dob"][k] for k in ("year_off_by_one", "one_digit_typo"))
_DOB_FURTHER = frozenset(LEVEL["dob"][k] for k in ("two_digits", "year_digit", "year_only"))
_SAME_FORENAME = frozenset(LEVEL["forename"][k] for k in ("exact", "variant"))
_SURNAME_EXACT = LEVEL["surname"]["exact"]
_DOB_EXACT = LEVEL["dob"]["exact"]
_FN_EXACT = LEVEL["forename"]["exact"]
_FN_MIDDLE = LEVEL["forename"]["middle_name"]
_DOB_DIGIT = LEVEL["dob"]["one_digit_typo"]  # the same year: a digit of the day or month
# The forename the child is known by: the same, a form of it, or the middle name.
_KNOWN_FORENAME = _SAME_FORENAME | {_FN_MIDDLE}
_MISSPELT_FORENAME = frozenset(LEVEL["forename"][k] for k in ("close_spelling", "sounds_alike", "loose_spelling"))
_SIMILAR_SURNAME = frozenset(LEVEL["surname"][k] for k in ("exact", "part", "close_spelling", "sounds_alike"))
# The same household: the same postcode or address, or a postcode one character out.
_SAME_HOME = frozenset(LEVEL["address"][k] for k in ("postcode_and_address", "postcode", "address", "postcode_typo"))
_SAME_ADDRESS = frozenset(LEVEL["address"][k] for k in ("postcode_and_address", "address"))
_SEX_DIFFERENT = LEVEL["sex"]["different"]
# Names that by custom stand where a family name would: Sikh boys' Singh and girls' Kaur, which
# one register gives as the surname and another beside or instead of the family name; Begum and
# Khatun, which Bangladeshi girls and women carry as their surname while their brothers carry
# the family's. [unverified: a list from common knowledge, configurable]
_CONVENTION_SURNAMES = frozenset(("singh", "kaur", "begum", "khatun", "bibi"))
# A forename this many records hold is a name, not a typing slip [local choice: configurable].
ESTABLISHED_MIN = 5
_ADDRESS_ONLY = LEVEL["address"]["address"]
_POSTCODE_TYPO = LEVEL["address"]["postcode_typo"]
_ADDRESS_ALIKE = 70  # token-set ratio: the engine's "address much alike"
_FN_LOOSE = LEVEL["forename"]["loose_spelling"]
_SURNAME_DIFFERENT = LEVEL["surname"]["different"]
_SPELT_ALIKE = frozenset(LEVEL["forename"][k] for k in (
    "exact", "variant", "close_spelling", "sounds_alike", "loose_spelling"))
_FN_DIFFERENT = LEVEL["forename"]["different"]
# Forenames that brothers share by custom, each known by his second name (Muhammad Ayaan and
# Muhammad Zain; Md and Mohd are how many registers write Muhammad): where one record gives the
# second name and the other does not, the forename does not say which brother.
_SHARED_FORENAMES = frozenset(("muhammad", "mohammed", "mohamed", "mohammad", "muhammed", "mohamad",
                               "mohammod", "muhamed", "muhamad", "mahomed", "mohd", "md", "syed"))

_NEVER = dt.date.max.toordinal()  # an enrolment still open

EXEMPT, ON_ROLL, HOME_EDUCATION, TRANSFERRED_OUT, UNRECONCILED = (
    "exempt", "on_roll", "home_education", "transferred_out", "unreconciled")


@dataclass(frozen=True)
class Enrolment:
    """One stay at a provider of the authority. `person.id` must be unique across the input."""

    person: Person
    laestab: str
    entry_date: dt.date
    leaving_date: dt.date | None = None
    leaving_ground: str = ""
    destination: str = ""


@dataclass(frozen=True)
class HomeEducated:
    person: Person
    start_date: dt.date


@dataclass(frozen=True)
class Outcome:
    enrolment: Enrolment
    status: str
    found_at: str = ""
    school_days: int | None = None
    probability: float | None = None
    found_id: str = ""


def _surname_key(p: Person) -> str:
    """The surname as one key: its parts joined (Smith-Jones, Smith Jones: smithjones)."""
    return "".join(nm.name_tokens(p.surname))


def _exact_keys(p: Person) -> list[tuple]:
    """Keys on which two records agree only if they are the same child (several fields)."""
    surname = _surname_key(p)
    forename = "".join(nm.name_tokens(p.forename)[:1])
    keys: list[tuple] = []
    if p.dob is None:
        return keys
    upn = nm.upn(p.upn)
    if upn and surname:
        keys.append(("upn", upn, p.dob, surname))
        if forename:
            # The UPN is the child's for life (a brother's, copied in error, comes with his own
            # forename): with the same forename and surname it outweighs a date of birth keyed
            # a year or a digit out by one of the schools.
            keys.append(("upn_name", upn, forename, surname))
    pc = nm.postcode(p.postcode)
    if forename and surname and pc:
        # Not on its own where both records give middle names and none agree (`middles_apart`).
        keys.append(("name", forename, surname, p.dob, pc))
    return keys


def middle_tokens(p: Person) -> list[str]:
    """The middle names a record gives in its own field (a list: the Spark join's array column)."""
    return list(nm.name_tokens(p.middle_names))


def middles_apart(a: Sequence[str], b: Sequence[str]) -> bool:
    """Both records give middle names and share none: Mary Marie and Mary-Ann Florence, born the
    same day at one home, are twins, whatever the first part of the forename (the "name" key)."""
    return bool(a) and bool(b) and not set(a) & set(b)


def _given_names(p: Person) -> tuple[str, ...]:
    return nm.name_tokens(p.forename) + nm.name_tokens(p.middle_names)


def _given_names_contradict(a: Person, b: Person, forename_level: int) -> bool:
    """The two records' given names cannot be one child's. Both give middle names (or more
    than one forename) and share none after the first; or one's forename is the other's middle
    name (a child known by it) while each has a given name the other lacks (Andrei David
    against David Stefan). A school that drops a middle name, or enters a nickname as the
    forename, contradicts nothing."""
    ga, gb = _given_names(a), _given_names(b)
    if forename_level == _FN_MIDDLE:
        return bool(set(ga) - set(gb)) and bool(set(gb) - set(ga))
    if len(ga) < 2 or len(gb) < 2:
        return False
    return not (set(ga[1:]) & set(gb)) and not (set(gb[1:]) & set(ga))


def _named_after_family(p: Person) -> bool:
    """The forename is the surname (Ali Ali): read swapped, the record reads the same."""
    first = _first_name(p)
    return bool(first) and first == _surname_key(p)


def _first_name(p: Person) -> str:
    return next(iter(_given_names(p)), "")


def _one_gives_middle_names(a: Person, b: Person) -> bool:
    return (len(_given_names(a)) > 1) != (len(_given_names(b)) > 1)


def _middle_names(p: Person) -> frozenset[str]:
    return frozenset(nm.name_tokens(p.middle_names) or nm.name_tokens(p.forename)[1:])


def _same_middle_names(a: Person, b: Person) -> bool:
    """Both records give middle names, and the same ones."""
    ma = _middle_names(a)
    return bool(ma) and ma == _middle_names(b)


def _convention_surname(a: Person, b: Person) -> bool:
    """One record gives a name that stands for the surname by custom (Singh, Kaur; Begum,
    Khatun), so another surname on the other record is no sign of another child."""
    names = set(nm.name_tokens(a.surname)) | set(nm.name_tokens(b.surname))
    return bool(names & _CONVENTION_SURNAMES)


def _postcodes_apart(a: Person, b: Person) -> bool:
    """Both give a postcode and they differ by more than a slip of one character (the engine's
    "same address, postcode differs" is a fuzzy match of the street: 16 Primrose Walk, HN1 and
    16 Primrose Road, HN8 are two homes)."""
    pa, pb = nm.postcode(a.postcode), nm.postcode(b.postcode)
    return bool(pa and pb) and OSA.distance(pa, pb) > 1


def _streets_apart(a: Person, b: Person) -> bool:
    """Both give an address and they are not alike (the engine's "address much alike" bar)."""
    na, nb = normalise(a).addr, normalise(b).addr
    return bool(na and nb) and fuzz.token_set_ratio(na, nb) < _ADDRESS_ALIKE


def _at_same_home(a: Person, b: Person, home_level: int) -> bool:
    """The engine's address level says one home, and the postcodes (where both give one) do not
    say two; nor, for a postcode one character out, the addresses (4 Cherry Close, HN3 4YG and
    21 Rowan Lane, HN3 4YR are neighbours' postcodes, not a slip)."""
    if home_level == _ADDRESS_ONLY:
        return not _postcodes_apart(a, b)
    if home_level == _POSTCODE_TYPO:
        return not _streets_apart(a, b)
    return home_level in _SAME_HOME


def _same_names_reordered(a: Person, b: Person) -> bool:
    """Both give the same two or more given names, in another order."""
    ga, gb = _given_names(a), _given_names(b)
    return len(set(ga)) > 1 and set(ga) == set(gb) and ga[0] != gb[0]


def _same_house(a: Person, b: Person, home_level: int) -> bool:
    """The same address, or the same postcode with no other house number: a postcode covers
    about fifteen homes, and a namesake two doors along is not the child (a house number mis-keyed
    looks the same, so this is asked only where the date of birth is far out too)."""
    if home_level in _SAME_ADDRESS:
        return True
    if home_level not in _SAME_HOME:
        return False
    na, nb = normalise(a).num, normalise(b).num
    return na < 0 or nb < 0 or na == nb


def _may_be_the_child(leaver: Person, other: Person, levels: np.ndarray,
                      established: Container[str] = frozenset(),
                      kin_names: AbstractSet[str] = frozenset()) -> bool:
    """May the engine find the leaver again in `other` (a school's record, or the home-education
    list's), whatever its probability? Both records are a school's, each checked against a birth
    certificate or passport (SI 2024/208 reg 5: full name, sex, date of birth), so names, date
    of birth and home decide between the child and a brother, a twin or a namesake:

    - a record under the forename of a brother or sister of the leaver's birthday already on a
      roll (`kin_names`: Amina, twin of the leaver Amira), or a spelling nearer it than the
      leaver's own (Aminah), never: it is that child's;
    - given names that cannot be one child's (`_given_names_contradict`) never; nor a forename
      brothers share by custom (Muhammad) where only one record gives the second name;
    - a different sex with another forename (Noah, Nia: twins) never;
    - the same date of birth and home with another form of the forename (Ella, Ellie) where only
      one record gives middle names: a twin's pattern (one register holds the full name), never;
      nor, wherever they live, a forename that is the other's middle name so (Samuel against
      Roman Samuel: his twin, or he known by it; an officer asks). A record without an address
      and a misspelt forename (a new-entry return) is not a twin's pattern;
    - both records' given names the same, in another order, at the same home (Maria Daria and
      Daria Maria: twins share a home; elsewhere it is the child known by the middle name) never;
    - the same date of birth, wherever they live, with a forename spelt a little alike where both
      forenames are names the authority's children hold (`established`: Ayaan and Rayyan, Harry
      and Harvey, Sana and Amna are twins' names, and a twin may be at another address than the
      roll's; Nisher or Szymek beside Nisha or Szymon is a slip or a short form), unless the
      middle names agree: never;
    - a different surname at a different home with no middle names agreeing: never (forename
      and birthday are all that is left, and a stranger shares them), unless one surname is a
      name that stands for one by custom (Singh, Kaur, Begum, Khatun);
    - the same date of birth, or day and month swapped (a keying slip, US order): yes;
    - a date a year or a digit out at the same home (under another surname, the same house: a
      postcode's other house numbers are neighbours, and an Akosua Darko born a day apart two
      doors along is not Akosua Mensah): yes with the same forename (or a form of it,
      or the middle name the child is known by), whatever the surname (a mother's or a new
      father's: the given names have already been checked), or with a misspelt forename and the
      same surname. A brother or a cousin there has another forename, and no brother is born a
      digit of the day or month from the child: only a twin, who has another forename;
    - a digit of the day or month out elsewhere (the same year): only with the same forename (or
      a form of it), a like surname and the same middle names on both records, or none on either
      (nothing there to disagree) unless the surname is one of custom (Begum, Kaur: no family's).
      A namesake with the same names, born within the same few months, is far rarer than a slip
      of the keyboard;
    - a year out elsewhere (a namesake born the year before, on the same day, is not rare: two
      Samuel John Wrights) never;
    - a date further out (two digits, a year digit, a stand-in): only with the same forename (or
      a form of it) and a like surname in the same house (`_same_house`); missing: only with the
      same forename (or a form of it) and surname at the same home.

    Measured on the blind set (bench/movements_from_messy.py, seeds 21 to 71 looked at; 81 and
    91 made afterwards) and our own (bench/make_movements.py): see bench/RESULTS.md,
    issue 11."""
    dob, forename, surname = int(levels[DOB]), int(levels[FN]), int(levels[SN])
    if forename != _FN_EXACT and kin_names and (
            _first_name(other) in kin_names
            or (forename in _MISSPELT_FORENAME and _nearer_kin(_first_name(other), _first_name(leaver), kin_names))):
        return False  # the twin on a roll, under the twin's own name or a misspelling nearer it
    if _given_names_contradict(leaver, other, forename):
        return False
    if int(levels[ORDER]) > 0 and surname == _SURNAME_DIFFERENT and (_named_after_family(leaver) or _named_after_family(other)):
        return False  # Ali Ali against Saad Ali: no swap reads a forename that is the surname; a twin
    if _one_gives_middle_names(leaver, other) and {_first_name(leaver), _first_name(other)} <= _SHARED_FORENAMES:
        return False  # Muhammad Ayaan against Muhammad: which of the brothers?
    if int(levels[SEX]) == _SEX_DIFFERENT and forename not in _SAME_FORENAME:
        return False  # a twin of the other sex (Noah, Nia), not a slip in one field
    home = int(levels[ADDR])
    same_home = _at_same_home(leaver, other, home)
    if (dob == _DOB_EXACT and forename != _FN_EXACT and _one_gives_middle_names(leaver, other)
            and (same_home or forename == _FN_MIDDLE)):
        return False
    if forename == _FN_MIDDLE and same_home and _same_names_reordered(leaver, other):
        return False  # Maria Daria and Daria Maria at one home: twins named so, or one school's slip
    if (dob == _DOB_EXACT and forename == _FN_LOOSE and not _same_middle_names(leaver, other)
            and _first_name(leaver) in established and _first_name(other) in established):
        return False  # Ayaan and Rayyan, Harry and Harvey: two names, not a slip of one
    if (surname == _SURNAME_DIFFERENT and not same_home and not _same_middle_names(leaver, other)
            and not _convention_surname(leaver, other)):
        return False  # a new surname and a new home leave forename and birthday: a stranger has those
    if dob in _DOB_ALWAYS:
        return True
    if (dob in _DOB_NEAR and same_home
            and (surname != _SURNAME_DIFFERENT or _same_house(leaver, other, home))):
        return (forename in _KNOWN_FORENAME
                or (forename in _MISSPELT_FORENAME and surname == _SURNAME_EXACT))
    if dob == _DOB_DIGIT:
        # Begum or Kaur agreeing is no family's name agreeing: the middle names must.
        return (forename in _SAME_FORENAME and surname in _SIMILAR_SURNAME
                and (_same_middle_names(leaver, other)
                     or not (_middle_names(leaver) or _middle_names(other) or _convention_surname(leaver, other))))
    if dob < 0:
        return same_home and forename in _SAME_FORENAME and surname == _SURNAME_EXACT
    if dob in _DOB_FURTHER:
        return (same_home and _same_house(leaver, other, home) and forename in _SAME_FORENAME
                and surname in _SIMILAR_SURNAME)
    return False


def kin_key(p: Person) -> str:
    """Surname and date of birth: what a child shares with a twin ("" without either)."""
    surname = _surname_key(p)
    return f"{surname}|{p.dob.isoformat()}" if surname and p.dob else ""


def kin_names_of(leaver: Person, first_names: Iterable[str], classmates: Iterable[str] = ()) -> frozenset[str]:
    """Of the forenames on the roll records that share the leaver's `kin_key` and were there
    before the leaver left (given by the caller), those of another child: not the leaver's own
    forename nor a form of it (the leaver dual-registered under a short form is the leaver).
    `classmates`: those of them on the leaver's own school's roll alongside the leaver under
    another UPN, another child whatever the name (a school does not hold one child twice at
    once): Abdi Sakariye and Abdullahi Sakariye, twins."""
    own = _first_name(leaver)
    return (frozenset(f for f in first_names if f and f != own and not nm_names.are_variants(f, own))
            | frozenset(f for f in classmates if f and f != own))


def is_classmate(leaver_upn: str, laestab: str, entry: int, leaving: int,
                 kin_upn: str, kin_laestab: str, kin_start: int, kin_end: int) -> bool:
    """Is a kin record (see `kin_names_of`) on the leaver's school's roll alongside the leaver's
    stay (ordinal dates; `_NEVER` for an open one), under another UPN?"""
    return (kin_laestab == laestab and bool(leaver_upn) and bool(kin_upn) and kin_upn != leaver_upn
            and kin_start < leaving and kin_end > entry)


def _nearer_kin(first: str, own: str, kin_names: AbstractSet[str]) -> bool:
    """The record's forename, a misspelling, is spelt nearer a kin name than the leaver's own
    forename (Abdillahi: Abdullahi's, not Abdi's)."""
    mine = OSA.distance(first, own)
    return any(OSA.distance(first, k) < mine for k in kin_names)


def established_names(first_names: Iterable[str]) -> frozenset[str]:
    """Forenames held by at least ESTABLISHED_MIN of the records: names, not slips of typing."""
    counts = Counter(first_names)
    return frozenset(name for name, n in counts.items() if name and n >= ESTABLISHED_MIN)


class _Established:
    """`established_names` of the records, worked out the first time a rule asks (rarely: a
    twin's pattern), not for every run."""

    def __init__(self, people: Sequence[Person]):
        self._people = people
        self._names: frozenset[str] | None = None

    def __contains__(self, name: object) -> bool:
        if self._names is None:
            self._names = established_names(_first_name(p) for p in self._people)
        return name in self._names


# How many times likelier the same middle names are on two records of one child than on those of
# a brother or sister at the same home whose forename is spelt like the child's. Both records
# are a school's, each with the full name from a birth certificate or passport (SI 2024/208 reg
# 5), so one child's agree unless one is misspelt (about 1 in 10 on the blind sets' movers);
# brothers and sisters with forms of one forename (Jacob and Jakub) and the same middle names are
# rarer than 1 in 100 sibling pairs. An estimate, not a measured figure: 10 keeps well inside it.
MIDDLE_NAMES_RATIO = 10.0
# How many times likelier a Chinese given name in pinyin on one record and an English name on the
# other (Jiahao and Tony, Siqi and Chloe), at one home and birthday, are one pupil (the English
# name used at school, common in English schools) than twins (whose names are alike in kind: two
# pinyin names or two English ones). An estimate, as above.
PREFERRED_NAME_RATIO = 10.0
# How many times likelier forename and surname swapped on one record, each agreeing with the
# other record's crosswise (Evans James and Jamie Evans), at one home and birthday, are one pupil
# (a school's columns swapped, the engine's swap at its usual cost) than twins: a twin read so
# would be named after the family's surname. An estimate, as above.
SWAPPED_NAMES_RATIO = 10.0


def _english_name_for_chinese(a: Person, b: Person) -> bool:
    """One record's forename a Chinese given name in pinyin, the other's an English name, under a
    Chinese surname (`names.is_chinese_surname`: Chen, Ouyang, Wong, Leung): Bianca reads as
    bian-ca, but Bianca Radu is no pupil's pinyin name."""
    if not nm_names.is_chinese_surname(_surname_key(a)):
        return False
    fa, fb = _first_name(a), _first_name(b)
    return ((nm_names.is_pinyin_given_name(fa) and not nm_names.reads_as_pinyin(fb))
            or (nm_names.is_pinyin_given_name(fb) and not nm_names.reads_as_pinyin(fa)))


def _weigh_names_further(leaver: Person, others: Sequence[Person], levels: np.ndarray,
                         probability: np.ndarray) -> np.ndarray:
    """What the engine does not weigh, at the child's home only (elsewhere the other hypothesis
    is a namesake, who may share the whole name: two Samuel John Wrights), each multiplying the
    odds of the child over a brother or sister:

    - a forename spelt like the child's and the same middle names (Livvy Alice and Olivia Alice,
      born 2019 and 2010 by a slip of a key): MIDDLE_NAMES_RATIO;
    - a pinyin given name against an English one, with the same surname, birthday and sex
      (Jiahao and Tony): PREFERRED_NAME_RATIO;
    - forename and surname swapped on one record, each agreeing with the other's crosswise, with
      the same birthday and sex (Evans James and Jamie Evans): SWAPPED_NAMES_RATIO."""
    out = probability
    middle = bool(_middle_names(leaver))
    for t, other in enumerate(others):
        lv = levels[t]
        home, forename = int(lv[ADDR]), int(lv[FN])
        if not (0 < probability[t] < 1 and _at_same_home(leaver, other, home)):
            continue
        ratio = 1.0
        if middle and forename in _SPELT_ALIKE and _same_middle_names(leaver, other):
            ratio = MIDDLE_NAMES_RATIO
        elif (forename == _FN_DIFFERENT and int(lv[SN]) == _SURNAME_EXACT and int(lv[DOB]) == _DOB_EXACT
              and int(lv[SEX]) != _SEX_DIFFERENT and _english_name_for_chinese(leaver, other)):
            ratio = PREFERRED_NAME_RATIO
        elif (int(lv[ORDER]) and forename in _SPELT_ALIKE and int(lv[SN]) in _SIMILAR_SURNAME
              and int(lv[DOB]) in _DOB_ALWAYS and int(lv[SEX]) != _SEX_DIFFERENT):
            ratio = SWAPPED_NAMES_RATIO
        if ratio != 1.0:
            if out is probability:
                out = probability.copy()
            odds = probability[t] / (1 - probability[t]) * ratio
            out[t] = odds / (1 + odds)
    return out


def _same_upn_is_the_child(levels: np.ndarray) -> bool:
    """A record with the leaver's permanent UPN is the leaver where the date of birth is the
    same or a slip away (a digit, a year, day and month swapped) and the forename is the same or
    spelt alike, or the names are swapped between the columns (Oliver Kowalski on a roll as
    Kowalski Oliwa): the UPN is the child's for life (data-standards.md §2.6), and a brother's
    copied in error comes with his own forename and birthday. Surname and home may have changed
    (a mother's name, a move). The exact keys (`_exact_keys`) ask more: this is what the
    engine's levels let us ask besides."""
    dob, forename = int(levels[DOB]), int(levels[FN])
    return (dob in _DOB_ALWAYS or dob in _DOB_NEAR) and (forename in _SPELT_ALIKE or bool(levels[ORDER] > 0))


# Log2 odds below the best record's by more than this, a record's reading as the child is a
# rival of less than one part in a million: not worth the rules' time.
_NEGLIGIBLE_BITS = 20.0


def leaver_posterior(child: np.ndarray, sibling: np.ndarray, namesake: np.ndarray) -> np.ndarray:
    """Probability that each candidate is the leaver, against that candidate being another child
    (the leaver's brother or sister, a namesake), the leaver being another of the candidates, or
    none of them. Not the engine's posterior, where every candidate's brother or sister is a rival
    of every other: that asks whether a referral is on any roll at all, and a child on no roll
    whose twin is on one explains the referral. A leaver was on a roll and is no one's reading:
    the twin who joined another school the week the leaver left (Ollie Phillips) says nothing
    against Ella May Phillips at a third school."""
    top = max(0.0, float(child.max()), float(sibling.max()), float(namesake.max()))
    mine = np.exp2(np.clip(child - top, -1000.0, 0.0))
    own = np.exp2(np.clip(sibling - top, -1000.0, 0.0)) + np.exp2(np.clip(namesake - top, -1000.0, 0.0))
    rivals = (mine.sum() - mine) + own + 2.0 ** -min(top, 1000.0)
    return mine / (mine + np.maximum(rivals, 1e-300))


def engine_choice(matcher: Matcher, leaver: Person, rows: np.ndarray, others: Sequence[Person],
                  kinds: Sequence[str], threshold: float, established: Container[str] = frozenset(),
                  kin_names: AbstractSet[str] = frozenset()) -> tuple[dict[str, tuple[int, float]], float]:
    """The engine's part of finding a leaver again, shared by the in-process reconciler and the
    Spark runner: over the candidate `rows` (index rows, in the index's order; `others` their
    records and `kinds` "roll" or "ehe"), for each kind the first by probability at or above the
    threshold that may be the child (`_may_be_the_child`), as (position in rows, probability),
    and the best probability of any that may be (0 when none may). `kin_names`: see
    `kin_names_of`."""
    # A new UPN or address says little between schools (see `Reconciler._found`); an address
    # that agrees still counts. Middle names are this module's to weigh (`_weigh_names_further`,
    # `_may_be_the_child`: at the child's home against a brother or sister, elsewhere against a
    # namesake), by rules measured on the blind sets; the engine's comparison would count them twice.
    s = matcher.score(normalise(replace(leaver, upn="")), rows, silent_when_different=(ADDR,), unweighed=(MIDDLE,))
    # The names alone cannot tell the child from a brother, a twin or a namesake: the date of
    # birth, the given names and the home decide which records may be the child. A record they
    # rule out is no rival as the child (Ollie, the leaver Ella's twin at her home, is not Ella:
    # his reading as her must not hide her record at a third school); asked of the records whose
    # reading as the child is not negligible, the likeliest first.
    allowed: dict[int, bool] = {}
    child = s.child
    top = float(child.max())
    for t in np.argsort(-child, kind="stable"):
        if child[t] < top - _NEGLIGIBLE_BITS:
            break
        allowed[int(t)] = _may_be_the_child(leaver, others[t], s.levels[t], established, kin_names)
    ruled_out = [t for t, ok in allowed.items() if not ok]
    if ruled_out:
        child = child.copy()
        child[ruled_out] = -1000.0
    probability = leaver_posterior(child, s.sibling, s.namesake)
    probability = _weigh_names_further(leaver, others, s.levels, probability)
    # The leaver's own permanent UPN with a birthday and forename that fit is the leaver
    # (`_same_upn_is_the_child`), as an exact key is: whatever the rules would say of the rest.
    upn = nm.upn(leaver.upn)
    proven: set[int] = set()
    if upn and not nm.upn_is_temporary(upn):
        proven = {t for t, other in enumerate(others)
                  if nm.upn(other.upn) == upn and _same_upn_is_the_child(s.levels[t])}
        if proven:
            probability = probability.copy()
            probability[list(proven)] = 1.0
    # For each kind, the likeliest record the rules allow, down to the first allowed one and on
    # while above the threshold.
    picked: dict[str, tuple[int, float]] = {}
    best = 0.0
    for t in np.argsort(-probability, kind="stable"):
        p = float(probability[t])
        if best and p < threshold:
            break
        if int(t) not in proven:
            ok = allowed.get(int(t))
            if ok is None:
                ok = _may_be_the_child(leaver, others[t], s.levels[t], established, kin_names)
            if not ok:
                continue
        best = best or p
        if p >= threshold and kinds[t] not in picked:
            picked[kinds[t]] = (int(t), p)
    return picked, best


class Reconciler:
    """Built once over the enrolments and the home-education list; `outcome` per leaver."""

    def __init__(self, enrolments: Sequence[Enrolment], home_educated: Sequence[HomeEducated] = (), *,
                 la_code: str, as_of: dt.date, model: Model | None = None,
                 threshold: float = DEFAULT_THRESHOLD, child_of: dict[str, object] | None = None):
        """child_of: record id -> the register's child, where records are already known to be
        one child (the service's enrolments of one Child): an exact agreement like the others."""
        self.la_code = la_code
        self.as_of = as_of
        self.threshold = threshold
        # Every record the child could be found again in: enrolments and the home-education list.
        self.records: list[tuple[str, str, dt.date, dt.date | None]] = []  # kind, where, start, end
        people: list[Person] = []
        for e in enrolments:
            self.records.append(("roll", e.laestab, e.entry_date, e.leaving_date))
            people.append(e.person)
        for h in home_educated:
            self.records.append(("ehe", "", h.start_date, None))
            people.append(h.person)
        self.ids = [p.id for p in people]
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("every enrolment and home-education record needs its own id")
        self.row_of = {pid: i for i, pid in enumerate(self.ids)}
        self.exact: dict[tuple, list[int]] = {}
        for i, p in enumerate(people):
            keys = _exact_keys(p)
            if child_of and p.id in child_of:
                keys.append(("child", child_of[p.id]))
            for key in keys:
                self.exact.setdefault(key, []).append(i)
        self.child_of = child_of or {}
        self.join_window = JOIN_WINDOW_DAYS
        self._leaving_dates = [e.leaving_date for e in enrolments
                               if e.leaving_date is not None and e.leaving_date <= as_of]
        self._people = people
        self.established = _Established(people)
        self._kin: dict[str, list[tuple[str, int, int]]] | None = None  # see _kin_names
        self._model = model
        self._matcher: Matcher | None = None
        self._index_rows: np.ndarray = np.zeros(0, dtype=np.int64)  # index row -> record

    # -- where a record could be the child's next placement --------------------------------

    def _valid(self, i: int, leaver: Enrolment) -> bool:
        kind, where, start, end = self.records[i]
        if start > self.as_of:
            return False
        if kind == "ehe":
            return True
        assert leaver.leaving_date is not None
        return where != leaver.laestab and (end is None or end > leaver.leaving_date)

    def _engine(self) -> Matcher:
        if self._matcher is None:
            # Only records that began within the window of some leaver's leaving date can be
            # found by the engine, so only those are indexed: a year's joiners and the
            # home-education list, not the whole roll.
            earliest = min((lv for lv in self._leaving_dates), default=self.as_of)
            since = earliest - dt.timedelta(days=self.join_window)
            index = Index(p for p, (_, _, start, _) in zip(self._people, self.records, strict=True)
                          if start >= since)
            self._index_rows = np.array([self.row_of[i] for i in index.ids], dtype=np.int64)
            # Each indexed record's kind, school and dates as arrays, so that which candidates
            # could be the child's next placement is worked out for all of them at once.
            recs = [self.records[int(i)] for i in self._index_rows]
            self._ix_ehe = np.array([kind == "ehe" for kind, _, _, _ in recs], dtype=bool)
            schools = {where: n for n, where in enumerate(sorted({where for _, where, _, _ in recs}))}
            self._school_code = schools
            self._ix_school = np.array([schools[where] for _, where, _, _ in recs], dtype=np.int64)
            self._ix_start = np.array([start.toordinal() for _, _, start, _ in recs], dtype=np.int64)
            self._ix_end = np.array([end.toordinal() if end else _NEVER for _, _, _, end in recs], dtype=np.int64)
            self._matcher = Matcher(self._model or Model(prior_match_rate=DEFAULT_FOUND_RATE), index)
        return self._matcher

    def _next_placements(self, rows: np.ndarray, leaver: Enrolment) -> np.ndarray:
        """Which index rows could be the child's next placement: begun by the as-of date and
        within the join window before the leaving date (or after it); a home-education record,
        or an enrolment at another school still open or left after this leaving date."""
        assert leaver.leaving_date is not None
        left = leaver.leaving_date.toordinal()
        start = self._ix_start[rows]
        ok = (start <= self.as_of.toordinal()) & (start >= left - self.join_window)
        other_school = self._ix_school[rows] != self._school_code.get(leaver.laestab, -1)
        return ok & (self._ix_ehe[rows] | (other_school & (self._ix_end[rows] > left)))

    def find(self, leaver: Enrolment, kind: str) -> tuple[int | None, float | None]:
        """The record of kind "roll" or "ehe" that is this child, or None."""
        found = self._found(leaver)
        return found[kind]

    def _found(self, leaver: Enrolment) -> dict[str, tuple[int | None, float | None]]:
        """For each kind of record ("roll", "ehe"), the one that is this child (an exact agreement,
        else the engine's probability at or above the threshold) with its probability, from one
        scoring of every record that could be where the child went."""
        out: dict[str, tuple[int | None, float | None]] = {"roll": (None, None), "ehe": (None, None)}
        own = self.row_of.get(leaver.person.id)
        keys = _exact_keys(leaver.person)
        if leaver.person.id in self.child_of:
            keys.insert(0, ("child", self.child_of[leaver.person.id]))
        middles = middle_tokens(leaver.person)
        for key in keys:
            for i in self.exact.get(key, ()):
                kind = self.records[i][0]
                if key[0] == "name" and middles_apart(middles, middle_tokens(self._people[i])):
                    continue
                if i != own and out[kind][0] is None and self._valid(i, leaver):
                    out[kind] = (i, 1.0)
        if out["roll"][0] is not None:
            return out  # on roll comes first whatever else is found
        matcher = self._engine()
        # A child who moves school often gets a new UPN (the CTF did not arrive, a temporary one
        # was given) and often a new address: between schools, a UPN or an address that differs
        # says little, so the candidates are found by names, date of birth and sex; an address
        # that agrees still counts (the same household), one that differs is weighed as missing.
        # Agreement on the UPN had its say above.
        n = normalise(replace(leaver.person, upn="", address="", postcode=""))
        rows = matcher.index.candidates(n)
        if not len(rows):
            return out
        # The leaver's own record and the child's earlier stays are not where the child went
        # next; among the rest, the engine weighs each as the child, a sibling or a namesake.
        rows = rows[self._next_placements(rows, leaver)]
        rows = rows[[not self._another_childs(int(self._index_rows[r]), leaver, own) for r in rows]]
        if not len(rows):
            return out
        picked, best = engine_choice(matcher, leaver.person, rows,
                                     [self._people[int(self._index_rows[r])] for r in rows],
                                     [self.records[int(self._index_rows[r])][0] for r in rows], self.threshold,
                                     self.established, self._kin_names(leaver, own))
        for kind in ("roll", "ehe"):
            hit = picked.get(kind)
            if out[kind][0] is None:
                out[kind] = (int(self._index_rows[rows[hit[0]]]), hit[1]) if hit else (None, best)
        return out

    def _another_childs(self, i: int, leaver: Enrolment, own: int | None) -> bool:
        """Is record i another child's, by that child's own UPN? It shares UPN, forename and
        surname (one child, see `_exact_keys`; a twin's UPN copied in error comes with the twin's
        forename) with a roll record that is not the leaver's and was open while the leaver was on roll:
        a child on two rolls under two UPNs at once is two children (a dual registration keeps
        the UPN). Adelbert Green, on another school's roll for years and moving school the
        month after the leaver Adelbert Green left, is that pupil, not the leaver."""
        assert leaver.leaving_date is not None
        mine = nm.upn(leaver.person.upn)
        for key in _exact_keys(self._people[i]):
            if key[0] != "upn_name" or key[1] == mine:
                continue
            for r in self.exact.get(key, ()):
                kind, _, start, end = self.records[r]
                if (r != i and r != own and kind == "roll" and start < leaver.leaving_date
                        and (end is None or end > leaver.entry_date)):
                    return True
        return False

    def _kin_names(self, leaver: Enrolment, own: int | None) -> frozenset[str]:
        """Forenames of the leaver's brothers and sisters of one birthday on a roll since before
        the join window (see `_may_be_the_child`): records begun since may be where the leaver
        went."""
        assert leaver.leaving_date is not None
        leaving = leaver.leaving_date.toordinal()
        before = leaving - self.join_window
        kin = [(f, i) for f, start, i in self._kin_index().get(kin_key(leaver.person), ())
               if i != own and start < before]
        if not kin:
            return frozenset()
        upn, entry = nm.upn(leaver.person.upn), leaver.entry_date.toordinal()
        classmates = []
        for f, i in kin:
            _, where, start, end = self.records[i]
            if is_classmate(upn, leaver.laestab, entry, leaving, nm.upn(self._people[i].upn), where,
                            start.toordinal(), end.toordinal() if end else _NEVER):
                classmates.append(f)
        return kin_names_of(leaver.person, (f for f, _ in kin), classmates)

    def _kin_index(self) -> dict[str, list[tuple[str, int, int]]]:
        """Roll records by `kin_key`: (first name, start ordinal, record), made the first time a
        leaver reaches the engine (most are found exactly)."""
        if self._kin is None:
            self._kin = {}
            for i, (p, (kind, _, start, _)) in enumerate(zip(self._people, self.records, strict=True)):
                kin = kin_key(p) if kind == "roll" else ""
                if kin:
                    self._kin.setdefault(kin, []).append((_first_name(p), start.toordinal(), i))
        return self._kin

    def outcome(self, leaver: Enrolment, school_days: Callable[[dt.date, dt.date], int | None],
                hits: dict[str, tuple[int | None, float | None]] | None = None) -> Outcome:
        """The leaver's status; `hits`: what `_found` gives for the leaver, when already known."""
        ground = (leaver.leaving_ground or "").lower()
        if ground in EXEMPT_GROUNDS:
            return Outcome(leaver, EXEMPT)
        if hits is None:
            hits = self._found(leaver)
        found, p = hits["roll"]
        if found is not None:
            return Outcome(leaver, ON_ROLL, found_at=self.records[found][1], probability=p,
                           found_id=self.ids[found])
        found, p = hits["ehe"]
        if found is not None:
            return Outcome(leaver, HOME_EDUCATION, probability=p, found_id=self.ids[found])
        destination = (leaver.destination or "").strip()
        if ground in TRANSFER_GROUNDS and destination and not destination.startswith(self.la_code):
            return Outcome(leaver, TRANSFERRED_OUT, found_at=destination)
        assert leaver.leaving_date is not None
        return Outcome(leaver, UNRECONCILED, school_days=school_days(leaver.leaving_date, self.as_of),
                       probability=p)


def reconcile(enrolments: Sequence[Enrolment], home_educated: Sequence[HomeEducated] = (), *,
              la_code: str, as_of: dt.date, school_days: Callable[[dt.date, dt.date], int | None],
              model: Model | None = None, threshold: float = DEFAULT_THRESHOLD, workers: int = 1) -> list[Outcome]:
    """An outcome for every enrolment that ended on or before the as-of date, in input order.
    `workers` processes find the leavers again (each leaver's search is its own: the same
    outcomes whatever the number)."""
    r = Reconciler(enrolments, home_educated, la_code=la_code, as_of=as_of, model=model,
                   threshold=threshold)
    leavers = [e for e in enrolments if e.leaving_date is not None and e.leaving_date <= as_of]
    searched = [i for i, e in enumerate(leavers) if (e.leaving_ground or "").lower() not in EXEMPT_GROUNDS]
    hits: list[dict | None] = [None] * len(leavers)
    for i, found in zip(searched, _found_all(r, [leavers[i] for i in searched], workers), strict=True):
        hits[i] = found
    return [r.outcome(e, school_days, h) for e, h in zip(leavers, hits, strict=True)]


# Pieces of the leavers per worker: a worker slowed by other work on the machine takes fewer.
_PIECES_PER_WORKER = 8
_FORKED: tuple[Reconciler, Sequence[Enrolment]] | None = None  # what a forked worker searches


def _found_all(r: Reconciler, leavers: Sequence[Enrolment], workers: int) -> list[dict]:
    """`r._found` of each leaver, in order, shared between `workers` forked processes: they
    inherit the built index rather than build it again, and take the leavers in pieces, each
    worker the next piece as it finishes one."""
    workers = min(workers, len(leavers))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [r._found(e) for e in leavers]
    global _FORKED
    r._engine()  # before the fork: built once, for every worker
    r._kin_index()
    _FORKED = (r, leavers)
    size = -(-len(leavers) // (workers * _PIECES_PER_WORKER))
    try:
        # An executor, not multiprocessing.Pool: a worker killed (out of memory) fails the run
        # (BrokenProcessPool) where a pool would wait for its piece for ever.
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            pieces = list(pool.map(_found_piece, [(i, i + size) for i in range(0, len(leavers), size)]))
    finally:
        _FORKED = None
    return [found for piece in pieces for found in piece]


def _found_piece(piece: tuple[int, int]) -> list[dict]:
    """In a forked worker: the searches of one piece of the leavers."""
    assert _FORKED is not None
    r, leavers = _FORKED
    return [r._found(e) for e in leavers[piece[0]:piece[1]]]
