"""GET /children (search, paged) and GET /children/{id} (one child on the register)."""

from datetime import date

from ninja import Field, Path, Query, Router, Schema

from cme.api.schemas import READ_REFUSALS, Line, Page, PageInfo
from cme.people.models import Child
from cme.people.selectors import ChildView, child_view, children_page

router = Router()

WITHHELD_NOTE = (
    "Some restricted detail (child-protection information or a refuge address) is withheld: "
    "this account's role may not see it."
)


class ChildQuery(Schema):
    q: Line = Field("", max_length=100, description="Name, UPN or date of birth (YYYY-MM-DD)")
    page: Page = Field(1, description="From 1")
    per_page: int = Field(25, ge=1, le=100)


class ChildListItem(Schema):
    id: int
    forename: str = Field(examples=["Ruby"])
    surname: str = Field(examples=["Hartley"])
    date_of_birth: date | None
    sex: str = Field(description="F, M, or blank when not known")
    upn: str

    @classmethod
    def of(cls, child: Child) -> "ChildListItem":
        return cls(
            id=child.pk,
            forename=child.legal_forename,
            surname=child.legal_surname,
            date_of_birth=child.date_of_birth,
            sex=child.sex,
            upn=child.upn,
        )


class ChildPage(PageInfo):
    items: list[ChildListItem]


class OtherName(Schema):
    kind: str = Field(description="preferred or former")
    forename: str
    surname: str
    used_from: date | None
    used_to: date | None


class AddressOut(Schema):
    line1: str
    line2: str
    town: str
    postcode: str
    lived_from: date | None
    lived_to: date | None = Field(description="Null for the current address")
    is_refuge: bool = Field(description="Refuge addresses are shown only to roles that may see them")


class ContactOut(Schema):
    name: str
    relationship: str
    parental_responsibility: bool
    phone: str
    email: str
    address: str
    lives_with_child: bool


class VulnerabilityOut(Schema):
    flag: str = Field(examples=["young_carer"])
    label: str = Field(examples=["Young carer"])
    detail: str
    started_on: date | None
    ended_on: date | None = Field(description="Null while the flag is current")


class ProviderRef(Schema):
    id: int
    name: str
    laestab: str = Field(description="LA code and establishment number, when the provider has them")


class EnrolmentOut(Schema):
    provider: ProviderRef
    entry_date: date
    leaving_date: date | None = Field(description="Null while the child is on the roll")
    year_group: str


NOT_DISCLOSED = "Null when this caller's role may not see it (a school sees its own pupils' names, date of birth, sex, UPN and its own roll entries)"


class ChildOut(ChildListItem):
    """A child on the register, as the caller may see it: exactly what the child page shows the
    same person (the policy decides, in one place). Objects may gain fields within v1."""

    middle_names: str
    upn_is_temporary: bool
    former_upns: list[str] | None = Field(description=NOT_DISCLOSED)
    uln: str | None = Field(description=NOT_DISCLOSED)
    other_names: list[OtherName] | None = Field(description=NOT_DISCLOSED)
    addresses: list[AddressOut] | None = Field(description=NOT_DISCLOSED)
    contacts: list[ContactOut] | None = Field(description="Parents, carers and other contacts. " + NOT_DISCLOSED)
    vulnerabilities: list[VulnerabilityOut] | None = Field(description=NOT_DISCLOSED)
    enrolments: list[EnrolmentOut] = Field(
        description="Rolls the child is or was on, newest first (for a school: its own roll only)")
    restricted_detail_withheld: bool = Field(
        description="True when restricted flags or refuge addresses were left out for this caller"
    )
    withheld_note: str | None = Field(description="Why something was left out, in words")

    @classmethod
    def of(cls, child: ChildView) -> "ChildOut":  # type: ignore[override]
        def listed(items, make):
            return None if items is None else [make(i) for i in items]

        withheld = child.restricted_withheld
        return cls(
            id=child.pk,
            forename=child.legal_forename,
            surname=child.legal_surname,
            date_of_birth=child.date_of_birth,
            sex=child.sex,
            upn=child.upn,
            middle_names=child.legal_middle_names,
            upn_is_temporary=child.upn_is_temporary,
            former_upns=child.former_upns,
            uln=child.uln,
            other_names=listed(child.other_names, lambda n: OtherName(
                kind=n.kind, forename=n.forename, surname=n.surname, used_from=n.used_from, used_to=n.used_to)),
            addresses=listed(child.addresses, lambda a: AddressOut(
                line1=a.line1, line2=a.line2, town=a.town, postcode=a.postcode,
                lived_from=a.lived_from, lived_to=a.lived_to, is_refuge=a.is_refuge)),
            contacts=listed(child.contacts, lambda c: ContactOut(
                name=c.name, relationship=c.relationship, parental_responsibility=c.parental_responsibility,
                phone=c.phone, email=c.email, address=c.address, lives_with_child=c.lives_with_child)),
            vulnerabilities=listed(child.flags, lambda f: VulnerabilityOut(
                flag=f.flag, label=f.get_flag_display(), detail=f.detail,
                started_on=f.started_on, ended_on=f.ended_on)),
            enrolments=[
                EnrolmentOut(
                    provider=ProviderRef(id=e.provider_id, name=e.provider.name, laestab=e.provider.laestab),
                    entry_date=e.entry_date, leaving_date=e.leaving_date, year_group=e.year_group,
                )
                for e in child.enrolments
            ],
            restricted_detail_withheld=withheld,
            withheld_note=WITHHELD_NOTE if withheld else None,
        )


@router.get(
    "",
    response={200: ChildPage, **READ_REFUSALS},
    summary="Search children",
    description=(
        "Children on the register within the caller's scope (the authority's staff: the "
        "authority's children; a school: its current pupils), by name, UPN or date of birth. "
        "The search is audited."
    ),
    operation_id="child_list",
)
def list_children(request, query: Query[ChildQuery]):
    rows, total = children_page(
        user=request.auth, query=query.q, page=query.page, per_page=query.per_page
    )
    return ChildPage(
        count=total, page=query.page, per_page=query.per_page, items=[ChildListItem.of(c) for c in rows]
    )


@router.get(
    "/{child_id}",
    response={200: ChildOut, **READ_REFUSALS},
    url_name="child",
    summary="Read a child",
    description=(
        "One child with names, identifiers, addresses, contacts, vulnerabilities and rolls, as "
        "the child page shows the same person: child-protection detail and refuge addresses are "
        "left out for roles that may not see them (`restricted_detail_withheld` says so), and a "
        "school sees its pupil's basic details and its own roll entries only (the rest is null). "
        "Reading it is audited."
    ),
    operation_id="child_read",
)
def read_child(request, child_id: int = Path(..., ge=1, le=2**63 - 1)):
    return ChildOut.of(child_view(user=request.auth, child_id=child_id))
