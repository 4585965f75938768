"""GET /cases (the case list, filtered and paged) and GET /cases/{id} (one case)."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from ninja import Field, Path, Query, Router, Schema

from cme.api.schemas import READ_REFUSALS, Id, IsoDate, Line, Page, PageInfo
from cme.api.work import ClockOut
from cme.cases.models import Case, Category, Stage
from cme.cases.queues.selectors import case_clocks
from cme.cases.register.selectors import CaseFilters, case_get_for_user, case_list
from cme.core.inputs import DB_INT_MAX
from cme.people.models import Vulnerability

router = Router()

# Literals of the choices for pydantic (and the OpenAPI enums); plain strings to mypy.
if TYPE_CHECKING:
    StageCode = str
    CategoryCode = str
    FlagCode = str
else:
    StageCode = Literal[tuple(Stage.values)]
    CategoryCode = Literal[tuple(Category.values)]
    FlagCode = Literal[tuple(Vulnerability.values)]


class CaseQuery(Schema):
    page: Page = Field(1, description="From 1")
    per_page: int = Field(25, ge=1, le=100)
    stage: StageCode | None = Field(None, description="Only cases at this stage")
    open: bool = Field(False, description="Only open cases (ignored when a stage is given)")
    category: CategoryCode | None = None
    officer: Id | None = Field(None, description="Only cases of the responsible officer with this id")
    referred_from: IsoDate = Field(None, description="Referred on or after this date, YYYY-MM-DD")
    referred_to: IsoDate = Field(None, description="Referred on or before this date, YYYY-MM-DD")
    flag: FlagCode | None = Field(
        None,
        description="Only children with this current vulnerability (restricted flags only for "
        "roles that may see them)",
    )
    school: Id | None = Field(None, description="Only children last known at, or on the roll of, this provider (id)")
    q: Line = Field("", max_length=100, description="Name, UPN, date of birth or case reference")

    def filters(self) -> CaseFilters:
        return CaseFilters(
            stage=self.stage or "",
            category=self.category or "",
            flag=self.flag or "",
            officer=self.officer,
            school=self.school,
            referred_from=self.referred_from,
            referred_to=self.referred_to,
            query=self.q,
            open_only=self.open,
        )


class ChildSummary(Schema):
    id: int
    forename: str
    surname: str
    date_of_birth: date | None
    sex: str
    upn: str


class Officer(Schema):
    id: int
    name: str
    email: str


class KeyDates(Schema):
    """The dates the guide asks managers to monitor, plus located and closed."""

    referred_on: date
    located_on: date | None
    assessed_on: date | None = Field(description="Needs assessed (needs determined)")
    provision_determined_on: date | None
    moved_into_provision_on: date | None
    closed_on: date | None


class LastKnownPlacement(Schema):
    name: str = Field(examples=["Northmoor Primary School"])
    provider_id: int | None = Field(description="The provider on the register, when known")
    on: date | None = Field(description="When the child was last known there")


class CaseSummary(Schema):
    id: int
    reference: str = Field(examples=["C901-000042"])
    stage: StageCode
    stage_label: str = Field(examples=["Locating"])
    category: CategoryCode
    category_label: str = Field(examples=["Missing education"])
    is_open: bool
    referred_on: date
    child: ChildSummary
    officer: Officer | None = Field(description="The named responsible officer")

    @classmethod
    def _fields(cls, case: Case) -> dict:
        child = case.child
        officer = case.responsible_officer
        return {
            "id": case.pk,
            "reference": case.reference,
            "stage": case.stage,
            "stage_label": case.get_stage_display(),
            "category": case.category,
            "category_label": case.get_category_display(),
            "is_open": case.is_open,
            "referred_on": case.referred_on,
            "child": ChildSummary(
                id=child.pk,
                forename=child.legal_forename,
                surname=child.legal_surname,
                date_of_birth=child.date_of_birth,
                sex=child.sex,
                upn=child.upn,
            ),
            "officer": Officer(id=officer.pk, name=str(officer), email=officer.email) if officer else None,
        }

    @classmethod
    def of(cls, case: Case) -> "CaseSummary":
        return cls(**cls._fields(case))


class CaseOut(CaseSummary):
    """One case. Objects may gain fields within v1."""

    reason: str = Field(examples=["moved_unknown"])
    reason_label: str = Field(examples=["Moved with no known destination"])
    reason_detail: str
    dates: KeyDates
    last_known_placement: LastKnownPlacement | None
    outcome: str | None = Field(description="How the case closed; null while open")
    outcome_label: str | None
    outcome_detail: str
    created_at: datetime
    updated_at: datetime
    clocks: list[ClockOut] = Field(description="The case's clocks, counted in school days (issue 5)")

    @classmethod
    def of(cls, case: Case) -> "CaseOut":
        placement = None
        if case.last_known_placement or case.last_known_provider_id:
            placement = LastKnownPlacement(
                name=case.last_known_placement or str(case.last_known_provider),
                provider_id=case.last_known_provider_id,
                on=case.last_known_placement_on,
            )
        return cls(
            **cls._fields(case),
            reason=case.reason,
            reason_label=case.get_reason_display(),
            reason_detail=case.reason_detail,
            dates=KeyDates(
                referred_on=case.referred_on,
                located_on=case.located_on,
                assessed_on=case.assessed_on,
                provision_determined_on=case.provision_determined_on,
                moved_into_provision_on=case.moved_into_provision_on,
                closed_on=case.closed_on,
            ),
            last_known_placement=placement,
            outcome=case.outcome or None,
            outcome_label=case.get_outcome_display() if case.outcome else None,
            outcome_detail=case.outcome_detail,
            created_at=case.created_at,
            updated_at=case.updated_at,
            clocks=[ClockOut.of(s) for s in case_clocks(case=case)],
        )


class CasePage(PageInfo):
    items: list[CaseSummary]


@router.get(
    "",
    response={200: CasePage, **READ_REFUSALS},
    summary="List cases",
    description=(
        "The authority's cases, newest referral first, as on the case list page: only the "
        "authority's own staff see cases (anyone else gets an empty list). The search is audited."
    ),
    operation_id="case_list",
)
def list_cases(request, query: Query[CaseQuery]):
    rows, total = case_list(
        user=request.auth, filters=query.filters(), page=query.page, per_page=query.per_page
    )
    return CasePage(
        count=total, page=query.page, per_page=query.per_page, items=[CaseSummary.of(c) for c in rows]
    )


@router.get(
    "/{case_id}",
    response={200: CaseOut, **READ_REFUSALS},
    url_name="case",
    summary="Read a case",
    description="One case with the child, stage, key dates and officer. Reading it is audited.",
    operation_id="case_read",
)
def read_case(request, case_id: int = Path(..., ge=1, le=DB_INT_MAX)):
    return CaseOut.of(case_get_for_user(user=request.auth, case_id=case_id))
