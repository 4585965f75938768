"""Links for lists: GOV.UK pagination and query strings that keep the filters."""

from django.http import QueryDict

from cme.core.inputs import page_number


def with_params(params: QueryDict, **changes) -> str:
    """The query string of `params` with some keys replaced (or dropped when None)."""
    q = params.copy()
    for key, value in changes.items():
        q.pop(key, None)
        if value not in (None, ""):
            q[key] = str(value)
    encoded = q.urlencode()
    return f"?{encoded}" if encoded else "?"


def pagination_params(*, params: QueryDict, page: int, total: int, per_page: int) -> dict | None:
    """Parameters for govukPagination, or None when everything fits on one page.

    Shows the first, last, current and adjacent pages, with ellipses between, as the Design
    System recommends.
    """
    pages = max(1, -(-total // per_page))
    if pages == 1:
        return None
    shown = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    items: list[dict] = []
    last = 0
    for n in shown:
        if n - last > 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": with_params(params, page=n), "current": n == page})
        last = n
    result: dict = {"items": items}
    if page > 1:
        result["previous"] = {"href": with_params(params, page=page - 1)}
    if page < pages:
        result["next"] = {"href": with_params(params, page=page + 1)}
    return result


def page_from(params: QueryDict) -> int:
    """The page asked for; anything that is not a whole number from 1 to PAGE_MAX means the
    first (a huge number would overflow the query's OFFSET)."""
    return page_number(params.get("page"))
