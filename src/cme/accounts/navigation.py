"""The service navigation: which links each kind of user sees (a rule about people, so it
lives with them; the layout in core only draws the links it is given)."""

from django.urls import NoReverseMatch

from cme.accounts import policy
from cme.accounts.models import Role
from cme.core.reversing import cached_reverse

# (text, URL name), by the kind of user. Names another app has not built yet still render ("#").
LA_STAFF_LINKS = [
    ("Home", "reports:home"),
    ("My work", "work:mine"),
    ("Referrals", "intake:queue"),
    ("Cases", "cases:list"),
    ("Find a child", "identify:search"),
    ("At risk", "screening:list"),
    ("Providers", "providers:list"),
    ("Places", "places:home"),
]
# Managers and administrators get one more link, to a page that lists the management pages, so
# that the navigation keeps to one line however many such pages there are.
MANAGER_LINKS = [("Management", "reports:manage")]
PARTNER_LINKS = [
    ("Make a referral", "intake:partner-new"),
    ("Your referrals", "intake:mine"),
    ("Pupils off roll", "tracking:returns"),
]
SCHOOL_LINKS = [
    ("Your pupils", "people:pupils"),
    ("Your school", "providers:list"),
    ("Registers", "attendance:upload"),
    ("Places", "places:requests"),
    ("Make a referral", "intake:partner-new"),
    ("Your referrals", "intake:mine"),
    ("Pupils off roll", "tracking:returns"),
]


def _reverse(name: str) -> str:
    try:
        return cached_reverse(name)
    except NoReverseMatch:
        return "#"


def links_for(user) -> list[tuple[str, str]]:
    if not user.is_authenticated:
        return []
    if user.is_la_staff:
        return LA_STAFF_LINKS + (MANAGER_LINKS if policy.may_manage(user) or policy.may_see_management_figures(user)
                                 else [])
    if user.has_role(Role.SCHOOL):
        return SCHOOL_LINKS
    if user.has_role(Role.PARTNER):
        return PARTNER_LINKS
    return []


def navigation_items(request) -> list[dict]:
    """Items for govukServiceNavigation, marking the page we are on (or a page below it)."""
    path = request.path
    items = []
    for text, name in links_for(request.user):
        href = _reverse(name)
        current = href == path
        below = href not in {"/", "#"} and path.startswith(href.rstrip("/") + "/")
        items.append({"text": text, "href": href, "current": current, "active": below})
    return items
