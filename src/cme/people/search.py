"""Plain child searches for lists: what a query or a form gives, fitted exactly (name beginnings,
date of birth, UPN, postcode). Matching (cme.matching) scores a child against what is given;
these list the children who fit it when it is too little to score."""

import re
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Replace, Upper

UPN_LIKE = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")


def parse_date(text: str) -> date | None:
    for pattern in (r"^(\d{4})-(\d{1,2})-(\d{1,2})$", r"^(\d{1,2})/(\d{1,2})/(\d{4})$"):
        m = re.match(pattern, text)
        if m:
            parts = [int(p) for p in m.groups()]
            y, mth, d = parts if pattern.startswith("^(\\d{4})") else (parts[2], parts[1], parts[0])
            try:
                return date(y, mth, d)
            except ValueError:
                return None
    return None


def filter_children(qs: QuerySet, query: str, prefix: str = "") -> QuerySet:
    """Filter a queryset of children (or of rows pointing at a child through `prefix`)."""
    q = query.strip()
    upper = q.upper().replace(" ", "")
    if UPN_LIKE.match(upper):
        # A subquery, not a join: a join needs DISTINCT, which PostgreSQL refuses beside an
        # ORDER BY on an expression (the case list's stage order).
        from cme.people.models import FormerUPN

        former = FormerUPN.objects.filter(child_id=OuterRef(f"{prefix}id" if prefix else "pk"), upn=upper)
        return qs.filter(Q(**{f"{prefix}upn": upper}) | Q(Exists(former)))
    dob = parse_date(q)
    if dob:
        return qs.filter(**{f"{prefix}date_of_birth": dob})
    condition = Q()
    for word in q.split():
        condition &= (
            Q(**{f"{prefix}legal_forename__icontains": word})
            | Q(**{f"{prefix}legal_surname__icontains": word})
        )
    return qs.filter(condition)


def fitting_children(qs: QuerySet, fields: dict) -> QuerySet:
    """Children who fit every field given: names by their beginning (legal, preferred or former),
    date of birth, sex, UPN (or a former one, or one a roll gave), current postcode or address.
    A refuge address is never searched on: finding a child by it would tell where the child is."""
    from cme.people.models import Address, ChildName, FormerUPN
    from cme.providers.models import Enrolment

    for field_name, legal in (("forename", "legal_forename"), ("surname", "legal_surname")):
        value = (fields.get(field_name) or "").strip()
        if value:
            # The children whose legal or other name begins so, as one set of ids: each half
            # uses its name index. Written as "legal name, or an EXISTS over other names", the
            # OR kept PostgreSQL from either index, and it read every child of the authority.
            legal_fit = qs.model._default_manager.filter(**{f"{legal}__istartswith": value}).values("pk")
            other_fit = ChildName.objects.filter(**{f"{field_name}__istartswith": value}).values("child_id")
            qs = qs.filter(pk__in=legal_fit.union(other_fit))
    if fields.get("date_of_birth"):
        qs = qs.filter(date_of_birth=fields["date_of_birth"])
    if fields.get("sex"):
        qs = qs.filter(sex=fields["sex"])
    upn = (fields.get("upn") or "").upper().replace(" ", "")
    if upn:
        former = FormerUPN.objects.filter(child=OuterRef("pk"), upn=upn)
        on_roll = Enrolment.objects.filter(child=OuterRef("pk"), upn=upn)
        qs = qs.filter(Q(upn=upn) | Q(Exists(former)) | Q(Exists(on_roll)))
    postcode = (fields.get("postcode") or "").upper().replace(" ", "")
    address = (fields.get("address") or "").strip()
    if postcode or address:
        homes = Address.objects.filter(child=OuterRef("pk"), lived_to__isnull=True, is_refuge=False)
        if postcode:
            homes = homes.annotate(code=Replace(Upper("postcode"), Value(" "), Value(""))).filter(code=postcode)
        if address:
            homes = homes.filter(line1__icontains=address)
        qs = qs.filter(Exists(homes))
    return qs
