"""Two officers changing one case at once (issue 15 point 1): the second is told, and nothing
either entered is overwritten silently.

Every form on a case's pages carries the moment the officer's copy of the case was last changed
(`case_seen`, the case's `updated_at` as the page showed it). A change is made only if the case
is still as the officer saw it: the case row is locked for the change (PostgreSQL's row lock;
SQLite takes its write lock at the start, settings' IMMEDIATE transactions), so of two officers
who press at the same moment the second waits, then finds the case changed and is told by whom.
"""

from __future__ import annotations

from datetime import datetime
from functools import wraps

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone

from cme.cases.register.models import Case
from cme.cases.register.selectors import cases_visible_to

SEEN_FIELD = "case_seen"


def seen_value(case: Case) -> str:
    return case.updated_at.isoformat() if case.updated_at else ""


def _same_moment(updated_at, seen: str) -> bool:
    # The page writes Python's ISO form, the API pydantic's ("Z" for UTC, to the millisecond):
    # compare the moments to the millisecond.
    try:
        moment = datetime.fromisoformat(seen)
    except ValueError:
        return False
    if updated_at is None or moment.tzinfo is None:
        return False
    return _to_ms(moment) == _to_ms(updated_at)


def _to_ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def changed_since(*, user, case_id: int, seen: str) -> str | None:
    """Why the case is no longer as the officer saw it (who changed it, when), or None. Call it
    inside the transaction that makes the change: it locks the case row until that commits."""
    case = (cases_visible_to(user).select_for_update(of=("self",)).filter(pk=case_id)
            .only("pk", "updated_at").first())
    if case is None or _same_moment(case.updated_at, seen):
        return None
    last = case.history.select_related("history_user").first() if hasattr(case, "history") else None
    who = last.history_user.get_full_name() if last is not None and last.history_user else "someone else"
    when = timezone.localtime(case.updated_at)
    return (f"{who} changed this case at {when:%H:%M} on {when.day} {when:%B} while you had it open: "
            "nothing you entered was saved. Check the case as it is now, then do it again.")


def refuse_if_changed(view):
    """For a case page's POST: refused with the reason, back on the case page, if the case changed
    after the officer's page was shown; otherwise the change runs with the case row locked."""

    @wraps(view)
    def guarded(request, case_id: int, *args, **kwargs):
        seen = request.POST.get(SEEN_FIELD) if request.method == "POST" else None
        if seen is None:
            return view(request, case_id, *args, **kwargs)
        with transaction.atomic():
            if problem := changed_since(user=request.user, case_id=case_id, seen=seen):
                messages.error(request, problem)
                return redirect("cases:detail", case_id)
            return view(request, case_id, *args, **kwargs)

    return guarded
