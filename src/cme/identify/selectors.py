"""Identifying a child: candidates for a referral or a typed search (matching, scoped to the user
and audited), and what the officers' decisions say about the referred child."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404

from cme.accounts import policy
from cme.audit.models import Action
from cme.audit.services import audit_access_refused, audit_record
from cme.cases.models import OPEN_STAGES, Case, Category
from cme.identify.models import Decision, MatchDecision
from cme.intake.models import Referral
from cme.matching import adapter
from cme.matching.adapter import Found
from cme.matching.engine import Person
from cme.matching.models import Placement
from cme.movements.models import PupilLinkQuestion, QuestionStatus
from cme.people.models import Child
from cme.people.selectors import children_visible_to

# The fields an officer may search on (and the API's body): the shape of a referral.
SEARCH_FIELDS = ("forename", "surname", "date_of_birth", "sex", "upn", "postcode", "address")


@dataclass(frozen=True)
class Candidate:
    found: Found
    child: Child
    rejected: bool = False
    confirmed: bool = False


@dataclass(frozen=True)
class Identification:
    """What the decisions so far say: the child is on roll somewhere, educated at home, on no
    roll, or not yet known."""

    state: str  # "on_roll", "home_education", "no_roll" or "undecided"
    child_id: int | None = None
    providers: tuple[str, ...] = ()
    decided_by: str = ""
    decided: bool = False  # an officer's decision (not: no candidate was found at all)

    @property
    def headline(self) -> str:
        if self.state == "on_roll":
            return "On roll at " + " and ".join(self.providers)
        if self.state == "home_education":
            return "Educated at home (on the home-education list)"
        if self.state == "no_roll":
            return "On no roll"
        return "Not yet identified"

    @property
    def category(self) -> str:
        """The case category that follows: on a roll → at risk; on no roll → missing."""
        return {"on_roll": Category.AT_RISK, "no_roll": Category.MISSING}.get(self.state, "")


def person_from_referral(referral: Referral) -> Person:
    return Person(
        id=f"referral-{referral.pk}", upn=referral.child_upn, forename=referral.child_forename,
        surname=referral.child_surname, dob=referral.child_date_of_birth, sex=referral.child_sex,
        postcode=referral.child_postcode, address=referral.child_address,
    )


def person_from_search(fields: dict) -> Person:
    return Person(
        id="search", upn=fields.get("upn") or "", forename=fields.get("forename") or "",
        surname=fields.get("surname") or "", dob=fields.get("date_of_birth"), sex=fields.get("sex") or "",
        postcode=fields.get("postcode") or "", address=fields.get("address") or "",
    )


def _children(user, ids: list[int]) -> dict[int, Child]:
    found = (
        children_visible_to(user)
        .filter(pk__in=ids)
        .prefetch_related(
            "former_upns",
            Prefetch("cases", queryset=Case.objects.filter(stage__in=OPEN_STAGES).order_by("-id"), to_attr="open_cases"),
        )
    )
    return {c.pk: c for c in found}


def _candidates(user, person: Person, limit: int) -> list[tuple[Found, Child]]:
    # The index holds the user's own authority's children only; the door below checks again.
    results = adapter.match(la_id=user.organisation_id, person=person, limit=limit)
    children = _children(user, [r.child_id for r in results])
    return [(r, children[r.child_id]) for r in results if r.child_id in children]


# What a search must give for matching to score it: a UPN, a date of birth, or both names. Less
# (a surname alone, a postcode) fits too many children to say which one is meant.
ENOUGH_TO_SCORE = "a UPN, a date of birth, or a first name and a last name"


def too_thin(fields: dict) -> bool:
    if fields.get("upn") or fields.get("date_of_birth"):
        return False
    return not (fields.get("forename") and fields.get("surname"))


@dataclass(frozen=True)
class SearchResult:
    """One search of the register, rolls and home-education list.

    Matching scores the candidates when enough is given. When too little is given to score, or
    nothing scored, the children who fit what was given are listed instead (a page at a time),
    so that "no child matches" is said only when no child fits at all.
    """

    candidates: list[Candidate]
    fitting: list[Child]  # this page of the children who fit what was given
    fitting_total: int
    thin: bool  # too little given to score

    @property
    def nothing(self) -> bool:
        return not self.candidates and not self.fitting_total

    @property
    def household(self) -> bool:
        """Two or more children of one household fit: a brother or sister may be the child."""
        return household_fits(self.candidates)


def household_fits(candidates: list[Candidate]) -> bool:
    return sum(1 for c in candidates if c.found.household) >= 2


def _fitting(user, fields: dict, page: int, per_page: int) -> tuple[list[Child], int]:
    from cme.people.search import fitting_children
    from cme.providers.models import Enrolment

    qs = fitting_children(children_visible_to(user), fields)
    total = qs.count()
    start = (max(page, 1) - 1) * per_page
    rows = list(
        qs.order_by("legal_surname", "legal_forename", "date_of_birth", "id")
        .prefetch_related(
            Prefetch("cases", queryset=Case.objects.filter(stage__in=OPEN_STAGES).order_by("-id"), to_attr="open_cases"),
            Prefetch("enrolments", queryset=Enrolment.objects.filter(leaving_date__isnull=True)
                     .select_related("provider").order_by("entry_date"), to_attr="current_enrolments"),
        )[start:start + per_page]
    )
    return rows, total


def _described(fields: dict) -> str:
    """What was searched for, as an officer would say it (the audit trail's summary)."""
    name = " ".join(v for v in (fields.get("forename"), fields.get("surname")) if v)
    dob = fields.get("date_of_birth")
    parts = [name, f"born {dob:%-d %B %Y}" if dob else "", fields.get("upn"), fields.get("postcode"), fields.get("address")]
    return ", ".join(p for p in parts if p)


def child_search(*, user, fields: dict, limit: int = 10, page: int = 1, per_page: int = 25) -> SearchResult:
    """Children who may be the one an officer describes ("Find a child", `POST /api/v1/matches`)."""
    policy.require_child_searcher(user)
    thin = too_thin(fields)
    with transaction.atomic():
        pairs = [] if thin else _candidates(user, person_from_search(fields), limit)
        if thin:
            fitting, total = _fitting(user, fields, page, per_page)
        elif not pairs:
            # Nothing scored: the children with the name (or UPN) given, whatever else differs,
            # so that a mistyped birthday never reads as "on no roll".
            named = {k: fields.get(k) for k in ("forename", "surname", "upn")}
            fitting, total = _fitting(user, named, page, per_page) if any(named.values()) else ([], 0)
        else:
            fitting, total = [], 0
        given = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in fields.items() if v}
        shown = [c.pk for _, c in pairs] + [c.pk for c in fitting]
        audit_record(
            actor=user,
            action=Action.SEARCH,
            object_type="child",
            la_id=user.organisation_id,
            summary=f"Searched for a child: “{_described(fields)}”"[:300],
            detail={"matching": given, "ids": shown, "probabilities": [round(f.probability, 4) for f, _ in pairs],
                    "scored": not thin, "fitting": total},
            child_ids=shown,
        )
    return SearchResult([Candidate(f, c) for f, c in pairs], fitting, total, thin)


def child_matches(*, user, fields: dict, limit: int = 10) -> list[Candidate]:
    """Scored candidates only (bench/matching_service.py measures this door)."""
    return child_search(user=user, fields=fields, limit=limit).candidates


def _decisions(referral: Referral) -> list[MatchDecision]:
    return list(MatchDecision.objects.filter(referral=referral).select_related("decided_by").order_by("decided_at", "id"))


def identification_from(decisions: list[MatchDecision], *, any_candidates: bool) -> Identification:
    """The latest word wins: a confirmation until that child is rejected, or "none of them"."""
    current: MatchDecision | None = None
    for d in decisions:
        if d.decision in (Decision.CONFIRMED, Decision.NONE):
            current = d
        elif d.decision == Decision.REJECTED and current is not None and current.child_id == d.child_id:
            current = None
    if current is None:
        # Nobody on any roll, the home-education list or the register resembles the child.
        return Identification("undecided") if any_candidates else Identification("no_roll")
    by = str(current.decided_by)
    if current.decision == Decision.NONE or current.placement == Placement.REGISTER_ONLY:
        return Identification("no_roll", current.child_id, (), by, True)
    names = tuple(p["name"] for p in current.providers if p["kind"] != "home_education")
    if current.placement == Placement.ON_ROLL:
        return Identification("on_roll", current.child_id, names, by, True)
    return Identification("home_education", current.child_id, (), by, True)


def referral_matches(*, user, referral: Referral, limit: int = 10) -> tuple[list[Candidate], Identification]:
    """Candidates for a referral (from its working copy, as last saved) and what the officers'
    decisions say. Matching happens here, when an officer looks, not when the referral arrives:
    details are corrected at triage and rolls change meanwhile, so a stored result would be stale.
    """
    policy.require_child_searcher(user)
    if referral.la_id != user.organisation_id:
        raise PermissionDenied("This referral is another authority's")
    with transaction.atomic():
        pairs = _candidates(user, person_from_referral(referral), limit)
        decisions = _decisions(referral)
        audit_record(
            actor=user,
            action=Action.SEARCH,
            object_type="child",
            la_id=referral.la_id,
            summary=f"Checked the rolls and the register for the child in referral {referral.reference}",
            detail={"referral": referral.reference, "ids": [c.pk for _, c in pairs],
                    "probabilities": [round(f.probability, 4) for f, _ in pairs]},
            child_ids=[c.pk for _, c in pairs],
        )
    identification = identification_from(decisions, any_candidates=bool(pairs))
    rejected: set[int] = set()
    # A rejection stands until the officer confirms that child after all.
    for d in decisions:
        if d.decision == Decision.CONFIRMED:
            rejected.discard(d.child_id)
        elif d.decision == Decision.REJECTED:
            rejected.add(d.child_id)
    return [
        Candidate(f, c, rejected=c.pk in rejected, confirmed=identification.child_id == c.pk and identification.decided)
        for f, c in pairs
    ], identification


def referral_identification(*, referral: Referral) -> Identification:
    """What the decisions say, without matching again (pages that only report it)."""
    return identification_from(_decisions(referral), any_candidates=True)


# ---- pupils put to an officer ------------------------------------------------------------------


def link_questions_open(*, user, page: int = 1, per_page: int = 50) -> tuple[list[PupilLinkQuestion], int]:
    """The authority's pupils waiting to be identified, oldest first, with the total."""
    policy.require_pupil_identifier(user)
    qs = PupilLinkQuestion.objects.filter(la_id=user.organisation_id, status=QuestionStatus.OPEN)
    total = qs.count()
    start = (max(page, 1) - 1) * per_page
    return list(qs.select_related("provider", "roll_import").order_by("created_at", "id")[start:start + per_page]), total


def link_question_get_for_user(*, user, question_id: int):
    """A pupil waiting to be identified, and the children on the register it may be (matched
    again now: the register and rolls change meanwhile); the look is audited."""
    from cme.movements.services import pupil_from_json

    policy.require_pupil_identifier(user)
    question = (PupilLinkQuestion.objects.filter(la_id=user.organisation_id, pk=question_id)
                .select_related("provider", "roll_import", "child", "decided_by").first())
    if question is None:
        audit_access_refused(actor=user, object_type="pupil_link_question", object_id=question_id,
                             owner=PupilLinkQuestion.objects.filter(pk=question_id))
        raise Http404("No such pupil to identify")
    pupil = pupil_from_json(question.pupil)
    fields = {"forename": pupil.legal_forename, "surname": pupil.legal_surname, "date_of_birth": pupil.date_of_birth,
              "sex": pupil.sex, "upn": pupil.upn, "postcode": pupil.postcode, "address": ", ".join(pupil.address_lines)}
    candidates = child_search(user=user, fields=fields, limit=5).candidates if question.status == QuestionStatus.OPEN else []
    return question, pupil, candidates
