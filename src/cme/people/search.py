"""Simple child search for lists: name, UPN or date of birth. Issue 3 brings real matching."""

import re
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

_UPN_LIKE = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")


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
    if _UPN_LIKE.match(upper):
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
