"""Reads of the work queues: each case's clocks, tasks, an officer's queue, a team's workload.
Cases are reached only through cases_visible_to; lists of cases are audited.

Clocks are computed, not stored: the facts of many cases are read in a fixed number of queries
(case_facts) and the pure engine (queues/clocks.py) turns them into states against the LA's
school calendar."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.http import Http404
from django.utils import timezone

from cme.accounts import policy
from cme.accounts.models import CASEWORK_ROLES, User
from cme.attendance.selectors import NoCalendar, calendar_for
from cme.audit.models import Action
from cme.audit.services import audit_access_refused, audit_record
from cme.cases.casework.models import Enquiry, JointEnquiryEvidence, LocationRecord
from cme.cases.escalation.models import Escalation
from cme.cases.queues import clocks
from cme.cases.register.models import OPEN_STAGES, Case, Category, StageChange, Task
from cme.cases.register.selectors import (
    case_list,
    case_ordering,
    case_records,
    case_records_loaded,
    case_rows_of,
    cases_filtered,
    cases_visible_to,
)
from cme.people.models import Vulnerability, VulnerabilityFlag
from cme.providers.models import Organisation

_rules_cache: dict[tuple, list[clocks.ClockRule]] = {}


_rules_lock = threading.Lock()


def clock_rules(*, la_code: str | None) -> list[clocks.ClockRule]:
    """The clocks of one authority from CME_CLOCKS_FILE, reread when the file changes."""
    path = Path(settings.CME_CLOCKS_FILE)
    key = (str(path), path.stat().st_mtime_ns, la_code)
    rules = _rules_cache.get(key)
    if rules is None:
        rules = clocks.load_clocks(path, la_code=la_code)
        with _rules_lock:
            _rules_cache[key] = rules
    return rules


def _calendar(la_id: int):
    try:
        return calendar_for(la_id=la_id)
    except NoCalendar:
        return None


def _local_date(at: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(at) if at is not None else None


def _min(*dates: dt.date | None) -> dt.date | None:
    found = [d for d in dates if d is not None]
    return min(found) if found else None


# Rooms above cases that record events a clock counts (cme.places: a place asked for, answered,
# offered) register a source here in their AppConfig.ready: it takes the cases and returns, for
# each case id, event name -> date. One query per source, whatever the number of cases.
CaseEventSource = Callable[[list[Case]], dict[int, dict[str, dt.date | None]]]
_event_sources: list[CaseEventSource] = []


def add_case_event_source(source: CaseEventSource) -> None:
    if source not in _event_sources:
        _event_sources.append(source)


def case_facts(cases: list[Case]) -> dict[int, clocks.CaseFacts]:
    facts = _case_facts(cases)
    for source in _event_sources:
        for case_id, events in source(cases).items():
            if case_id in facts:
                f = facts[case_id]
                facts[case_id] = clocks.CaseFacts(events={**f.events, **events}, groups=f.groups)
    return facts


def _case_facts(cases: list[Case]) -> dict[int, clocks.CaseFacts]:
    """What happened on each case, for its clocks: seven queries whatever the number of cases,
    or none for one case whose records the case page has fetched already."""
    ids = [c.pk for c in cases]
    if not ids:
        return {}
    loaded = case_records_loaded(cases[0]) if len(cases) == 1 else None
    if loaded is not None:
        return {cases[0].pk: _facts_of(cases[0], **_facts_from_records(cases[0], loaded))}
    rows = _facts_rows(ids)
    looked_after: dict[int, dt.date | None] = {}
    found = {}
    for row in rows:
        found[row["id"]] = row
        if row["looked_after"]:
            looked_after[row["child_id"]] = row["looked_after_from"]
    return {
        case.pk: _facts_of(
            case,
            opened=found[case.pk]["opened"],
            triaged=found[case.pk]["triaged"],
            first_enquiry=found[case.pk]["first_enquiry"],
            located=found[case.pk]["located"],
            ev={"absence_from": found[case.pk]["absence_from"], "produced_at": found[case.pk]["produced_at"]},
            esc={"needed": found[case.pk]["esc_needed"], "sent": found[case.pk]["esc_sent"]}
            if found[case.pk]["escalated"] else None,
            looked_after=looked_after,
        )
        for case in cases
    }


def _fact_columns() -> list[tuple[str, str, list, Any]]:
    """The facts of _facts_rows: (name, SQL over the case row `c`, parameters, field whose type
    the value has). Each is the earliest of one kind of event on the case (or whether there is one)."""
    quote = connection.ops.quote_name

    def on_case(model, where: str = "", owner: str = "case_id", of: str = "id") -> str:
        # Table and column names come from the models, never from input.
        return (f"FROM {quote(model._meta.db_table)} t WHERE t.{quote(owner)} = c.{quote(of)}"
                + (f" AND {where}" if where else ""))

    def earliest(model, name: str, where: str = "", **on) -> str:
        return f"(SELECT MIN(t.{quote(model._meta.get_field(name).column)}) {on_case(model, where, **on)})"

    def any_of(model, where: str = "", **on) -> str:
        return f"(SELECT COUNT(*) {on_case(model, where, **on)})"

    # Through the case's referrals (intake sits above cases: it is never imported here).
    referral = Case._meta.get_field("referrals").related_model
    flag_where = f"t.{quote('flag')} = %s AND t.{quote('ended_on')} IS NULL"
    la_flag = [Vulnerability.LOOKED_AFTER]
    return [
        ("opened", earliest(StageChange, "changed_at", f"t.{quote('from_stage')} = %s"), [""],
         StageChange._meta.get_field("changed_at")),
        ("triaged", earliest(referral, "triaged_at"), [], referral._meta.get_field("triaged_at")),
        ("first_enquiry", earliest(Enquiry, "made_on"), [], Enquiry._meta.get_field("made_on")),
        ("located", earliest(LocationRecord, "on"), [], LocationRecord._meta.get_field("on")),
        ("absence_from", earliest(JointEnquiryEvidence, "absence_from"), [],
         JointEnquiryEvidence._meta.get_field("absence_from")),
        ("produced_at", earliest(JointEnquiryEvidence, "produced_at"), [],
         JointEnquiryEvidence._meta.get_field("produced_at")),
        ("escalated", any_of(Escalation), [], None),
        ("esc_needed", earliest(Escalation, "needed_on"), [], Escalation._meta.get_field("needed_on")),
        ("esc_sent", earliest(Escalation, "sent_at"), [], Escalation._meta.get_field("sent_at")),
        ("looked_after", any_of(VulnerabilityFlag, flag_where, owner="child_id", of="child_id"), la_flag, None),
        ("looked_after_from", earliest(VulnerabilityFlag, "started_on", flag_where, owner="child_id",
                                       of="child_id"), la_flag, VulnerabilityFlag._meta.get_field("started_on")),
    ]


def _facts_rows(ids: list[int]) -> list[dict[str, Any]]:
    """Each case's clock facts in one query: a correlated subquery per fact over the cases' rows.

    Written as SQL because building the seven aggregate queries it replaces through the ORM cost
    more CPU than running them; the values go through the fields' converters as the ORM's would
    (SQLite, say, gives dates back as text)."""
    columns = _fact_columns()
    quote = connection.ops.quote_name
    # Table and column names come from the models, never from input; the ids are parameters.
    sql = (
        "SELECT c.id, c.child_id, " + ", ".join(expr for _, expr, _, _ in columns)  # noqa: S608
        + f" FROM {quote(Case._meta.db_table)} c WHERE c.id IN ({', '.join(['%s'] * len(ids))})"
    )
    params = [p for _, _, ps, _ in columns for p in ps] + list(ids)
    converters = []
    for _, _, _, of_field in columns:
        col = of_field.get_col("t") if of_field is not None else None
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection) if col else []
        converters.append([(convert, col) for convert in found])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    rows = []
    for case_id, child_id, *values in raw:
        row: dict[str, Any] = {"id": case_id, "child_id": child_id}
        for (name, _, _, _), convs, value in zip(columns, converters, values, strict=True):
            for convert, col in convs:
                value = convert(value, col, connection)
            row[name] = value
        rows.append(row)
    return rows


def _facts_from_records(case: Case, r: dict[str, list]) -> dict:
    """The same facts as case_facts' queries, read from the records the case page fetched."""

    def earliest(values):
        found = [v for v in values if v is not None]
        return min(found) if found else None

    evidence = r["joint_evidence"]
    escalations = r["escalations"]
    return {
        "opened": earliest(c.changed_at for c in r["stage_changes"] if c.from_stage == ""),
        "triaged": earliest(ref.triaged_at for ref in r["referrals"]),
        "first_enquiry": earliest(e.made_on for e in r["enquiries"]),
        "located": earliest(loc.on for loc in r["locations"]),
        "ev": {"absence_from": earliest(e.absence_from for e in evidence),
               "produced_at": earliest(e.produced_at for e in evidence)} if evidence else {},
        "esc": {"needed": earliest(e.needed_on for e in escalations),
                "sent": earliest(e.sent_at for e in escalations)} if escalations else None,
        "looked_after": {
            f.child_id: f.started_on for f in case.child.flags.all()
            if f.flag == Vulnerability.LOOKED_AFTER and f.ended_on is None
        },
    }


def _facts_of(case: Case, *, opened, triaged, first_enquiry, located, ev, esc, looked_after) -> clocks.CaseFacts:
    """A case's clock facts from what happened on it (earliest of each kind of event)."""
    opened_on = _local_date(opened) or _local_date(case.created_at) or case.referred_on
    groups = {"all"}
    if case.category == Category.MISSING:
        groups.add("missing")
    la_start = None
    if case.child_id in looked_after:
        groups.add("looked_after")
        started = looked_after[case.child_id]
        la_start = max(case.referred_on, started) if started else case.referred_on
    if esc:
        groups.add("escalation")
    return clocks.CaseFacts(
        events={
            "referred": case.referred_on,
            "opened": opened_on,
            # A case opened straight onto the register needed no triage: met when opened.
            "triaged": _local_date(triaged) or opened_on,
            "first_enquiry": first_enquiry,
            "escalation_needed": esc["needed"] if esc else None,
            "escalated": _local_date(esc["sent"]) if esc else None,
            # The first day of continuous absence comes from the joint-enquiries evidence;
            # without it the referral date stands in (it starts the clock late, never early).
            "absence_started": ev.get("absence_from") or case.referred_on,
            "enquiries_completed": _min(case.located_on, located,
                                        _local_date(ev.get("produced_at"))),
            "looked_after": la_start,
            "provision_determined": case.provision_determined_on,
            "in_provision": case.moved_into_provision_on,
            "located": _min(case.located_on, located),
            "closed": case.closed_on if not case.is_open else None,
        },
        groups=frozenset(groups),
    )


def clocks_for_cases(cases: list[Case], *, today: dt.date | None = None,
                     las: tuple[Organisation | None, ...] = ()) -> dict[int, list[clocks.ClockState]]:
    """Each case's clocks. A closed case's clocks stand as they were on the day it closed.
    `las`: authorities at hand (the user's), whose codes then need no query."""
    today = today or timezone.localdate()
    facts = case_facts(cases)
    # The LA's code picks its clock rules; a case fetched with its LA (the case page) needs no query.
    codes = {la.pk: la.la_code for la in las if la is not None}
    codes.update((c.la_id, c.la.la_code) for c in cases if "la" in c._state.fields_cache)
    missing = {c.la_id for c in cases} - set(codes)
    if missing:
        codes.update(Organisation.objects.filter(pk__in=missing).order_by().values_list("pk", "la_code"))
    calendars: dict[int, clocks.Calendar | None] = {}
    rules: dict[int, list[clocks.ClockRule]] = {}
    out = {}
    for case in cases:
        if case.la_id not in calendars:
            calendars[case.la_id] = _calendar(case.la_id)
            rules[case.la_id] = clock_rules(la_code=codes.get(case.la_id) or None)
        as_of = case.closed_on if case.closed_on and not case.is_open else today
        out[case.pk] = clocks.clock_states(rules[case.la_id], facts[case.pk], calendars[case.la_id], as_of)
    return out


def most_urgent(states: list[clocks.ClockState]) -> clocks.ClockState | None:
    """The clock an officer should look at first: the longest overdue, else the next due."""
    live = [s for s in states if s.state in (clocks.OVERDUE, clocks.RUNNING)]
    if not live:
        return None
    return min(live, key=lambda s: (s.state != clocks.OVERDUE, s.due_on or dt.date.max))


def case_list_with_clocks(*, user, filters, sort: str, page: int, per_page: int,
                          today: dt.date | None = None) -> tuple[list[Case], int, dict]:
    """The case list's page with each case's most urgent clock; filtered by an overdue clock
    (filters.overdue: a clock key or "any") and sortable by the clock's due date ("due"), which
    needs every matching case's clocks: seven queries for the clocks whatever their number."""
    sort_key = sort.removeprefix("-")
    if not filters.overdue and sort_key != "due":
        rows, total = case_list(user=user, filters=filters, page=page, per_page=per_page, sort=sort)
        states = clocks_for_cases(rows, today=today, las=(user.organisation,))
        return rows, total, {c.pk: most_urgent(states[c.pk]) for c in rows}
    # Ordering by clock, or keeping the cases with one overdue, needs every matching case's clocks
    # (seconds for ten thousand open cases). The order is kept a minute per authority, filters
    # and sort, so that officers paging or reloading do not each pay for it; the clocks shown for
    # the page's rows are always worked out afresh.
    scope = repr((user.la_id, policy.may_see_restricted(user), sorted(filters.as_dict().items()), sort,
                  today or timezone.localdate()))
    key = "case-clock-order:" + hashlib.sha256((scope + repr(_clock_data_version(user))).encode()).hexdigest()
    latest = "case-clock-order-latest:" + hashlib.sha256(scope.encode()).hexdigest()
    # Kept in this process and in the shared cache: each of the server's processes would
    # otherwise work the order out for itself, seconds in which that process serves no one else.
    local, shared = caches["local"], caches["default"]
    ordered = local.get(key)
    if ordered is None:
        ordered = shared.get(key)
        if ordered is not None:
            local.set(key, ordered, 60)
    if ordered is None:
        # One process works the new order out; a request meanwhile is shown the last order worked
        # out (minutes old at most) rather than spending the same seconds on it.
        # With no order yet to show, it waits for that process's, up to the claim's 30 s.
        if not shared.add(key + ":working", True, 30):
            ordered = shared.get(latest)
            deadline = time.monotonic() + 30
            while ordered is None and time.monotonic() < deadline and shared.get(key + ":working"):
                time.sleep(0.25)
                ordered = shared.get(key)
        if ordered is None:
            ordered = _clock_order(user, filters, sort, today)
            local.set(key, ordered, 60)
            shared.set(key, ordered, 60)
            shared.set(latest, ordered, 600)
    total = len(ordered)
    ids = ordered[(page - 1) * per_page: page * per_page]
    rows = case_rows_of(user=user, ids=ids, filters=filters, page=page)
    states = clocks_for_cases(rows, today=today, las=(user.organisation,))
    return rows, total, {c.pk: most_urgent(states[c.pk]) for c in rows}


def _clock_order(user, filters, sort: str, today: dt.date | None) -> list[int]:
    """The ids of the cases matching the filters, in the order of `sort` (by the most urgent
    clock's due date for "due"), kept to those with the overdue clock asked for."""
    sort_key = sort.removeprefix("-")
    order = case_ordering(sort if sort_key != "due" else "-referred")
    cases = list(cases_filtered(user=user, filters=filters).only(*_CLOCK_FIELDS).order_by(*order))
    states = clocks_for_cases(cases, today=today, las=(user.organisation,))
    if filters.overdue:
        cases = [c for c in cases if any(
            s.state == clocks.OVERDUE and (filters.overdue == "any" or s.key == filters.overdue)
            for s in states[c.pk])]
    urgent = {c.pk: most_urgent(states[c.pk]) for c in cases}
    if sort_key == "due":
        def due_key(case: Case):
            u = urgent[case.pk]
            return (u is None, u is not None and u.state != clocks.OVERDUE,
                    u.due_on if u and u.due_on else dt.date.max, case.pk)
        cases.sort(key=due_key, reverse=sort.startswith("-"))
    return [c.pk for c in cases]


def _clock_data_version(user) -> tuple:
    """What the clocks read, cheaply: the authority's cases (count, latest change) and the newest
    record of each kind of event (primary-key maxima). An event edited in place (a task done)
    shows in the order within the minute the order is kept."""
    cases = cases_visible_to(user).aggregate(n=Count("id"), at=Max("updated_at"))
    newest = tuple(model.objects.aggregate(last=Max("id"))["last"]
                   for model in (Task, Enquiry, LocationRecord, StageChange, Escalation, JointEnquiryEvidence))
    return (cases["n"], cases["at"], *newest)


def case_clocks(*, case: Case, today: dt.date | None = None) -> list[clocks.ClockState]:
    """One case's clocks, the applicable ones first. The case comes from a scoped selector."""
    states = clocks_for_cases([case], today=today)[case.pk]
    return sorted(states, key=lambda s: not s.is_applicable)


def tasks_visible_to(user):
    return Task.objects.filter(case__in=cases_visible_to(user))


def case_tasks(*, case: Case) -> list[Task]:
    return case_records(
        case, "tasks", lambda: case.tasks.select_related("assigned_to").order_by("done_at", "-urgent", "due_on", "id"))


@dataclass
class WorkItem:
    """One line of a queue: a task, or a case with its most pressing clock."""

    case: Case
    due_on: dt.date | None
    what: str
    overdue: bool
    urgent: bool = False
    task: Task | None = None

    @property
    def sort_key(self):
        return (not self.urgent, not self.overdue, self.due_on or dt.date.max, self.case.reference)


def _case_items(cases: list[Case], states: dict[int, list[clocks.ClockState]], today: dt.date) -> list[WorkItem]:
    items = []
    for case in cases:
        pending = [s for s in states[case.pk] if s.state in (clocks.RUNNING, clocks.OVERDUE)]
        dated = sorted((s for s in pending if s.due_on), key=lambda s: s.due_on or dt.date.max)
        if dated:
            first = dated[0]
            items.append(WorkItem(case, first.due_on, first.name, first.state == clocks.OVERDUE))
        else:
            items.append(WorkItem(case, None, "No clock running", False))
    return items


def _audit_list(user, summary: str, case_ids: list[int], child_ids: list[int]) -> None:
    if case_ids:
        audit_record(
            actor=user,
            action=Action.SEARCH,
            object_type="case",
            la_id=user.la_id,
            summary=summary,
            detail={"ids": case_ids},
            child_ids=child_ids,
        )


# What a case's clocks and its place in "My work" read: the rest of the case, and its child, are
# fetched only for the cases shown (an officer may hold hundreds).
_CLOCK_FIELDS = ("la", "child", "reference", "stage", "category", "referred_on", "created_at", "located_on",
                 "provision_determined_on", "moved_into_provision_on", "closed_on")


def _my_work_items(user, today: dt.date, *, shown: slice | None = None) -> tuple[list[WorkItem], list[WorkItem]]:
    visible = cases_visible_to(user)
    tasks = list(
        Task.objects.filter(case__in=visible, assigned_to=user, done_at__isnull=True)
        .select_related("case__child")
    )
    cases = list(visible.filter(responsible_officer=user, stage__in=OPEN_STAGES).only(*_CLOCK_FIELDS))
    states = clocks_for_cases(cases, today=today, las=(user.organisation,))
    task_items = sorted(
        (WorkItem(t.case, t.due_on, t.title, bool(t.due_on and t.due_on < today), t.urgent, t) for t in tasks),
        key=lambda i: i.sort_key,
    )
    case_items = sorted(_case_items(cases, states, today), key=lambda i: i.sort_key)
    page = case_items[shown] if shown is not None else case_items
    full = visible.select_related("child").in_bulk([i.case.pk for i in page])
    for item in page:
        item.case = full[item.case.pk]
    return task_items, case_items


def _audit_work(user, items: list[WorkItem]) -> None:
    shown = {i.case.pk: i.case.child_id for i in items}
    _audit_list(user, "Viewed own work", list(shown), list(set(shown.values())))


def my_work(*, user, today: dt.date | None = None) -> tuple[list[WorkItem], list[WorkItem]]:
    """The user's open tasks, and the open cases they are responsible for, each ordered by what
    is due first (urgent, then overdue, then by due date)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        task_items, case_items = _my_work_items(user, today)
        _audit_work(user, [*task_items, *case_items])
    return task_items, case_items


def my_work_page(*, user, page: int, per_page: int, today: dt.date | None = None
                 ) -> tuple[list[WorkItem], list[WorkItem], int]:
    """my_work for the page: every open task, and one page of the cases (an officer may hold
    hundreds), with how many cases there are. Only what is shown is audited as viewed. The
    order needs every case's clocks, so they are all worked out; only the page is drawn."""
    today = today or timezone.localdate()
    with transaction.atomic():
        shown_slice = slice((page - 1) * per_page, page * per_page)
        task_items, case_items = _my_work_items(user, today, shown=shown_slice)
        shown = case_items[shown_slice]
        _audit_work(user, [*task_items, *shown])
    return task_items, shown, len(case_items)


@dataclass
class OfficerLoad:
    officer: User | None
    open_cases: int = 0
    overdue_clocks: int = 0
    open_tasks: int = 0
    overdue_tasks: int = 0
    urgent_tasks: int = 0
    cases: list[Case] = field(default_factory=list)


def team_officers(*, user) -> list[User]:
    """The authority's active caseworkers (who may be given cases)."""
    if not user.is_authenticated or not user.is_la_staff:
        return []
    return list(
        User.objects.filter(organisation_id=user.la_id, is_active=True, role_grants__role__in=CASEWORK_ROLES)
        .distinct().order_by("last_name", "first_name", "id")
    )


def _by_officer_name(load: OfficerLoad) -> tuple[str, str, int]:
    officer = load.officer
    return (officer.last_name, officer.first_name, officer.pk) if officer else ("", "", 0)


def team_workload(*, user, today: dt.date | None = None) -> list[OfficerLoad]:
    """For a manager: each officer's open cases, overdue clocks and tasks, plus the cases nobody
    holds. Officers who have left (inactive) still show while they hold work."""
    policy.require_manager(user)
    today = today or timezone.localdate()
    with transaction.atomic():
        cases = list(
            cases_visible_to(user).filter(stage__in=OPEN_STAGES)
            .select_related("child", "responsible_officer").order_by("referred_on", "id")
        )
        states = clocks_for_cases(cases, today=today)
        loads: dict[int | None, OfficerLoad] = {o.pk: OfficerLoad(o) for o in team_officers(user=user)}
        for case in cases:
            key = case.responsible_officer_id
            load = loads.setdefault(key, OfficerLoad(case.responsible_officer))
            load.open_cases += 1
            load.cases.append(case)
            load.overdue_clocks += sum(s.state == clocks.OVERDUE for s in states[case.pk])
        task_rows = (
            Task.objects.filter(case__in=cases_visible_to(user), done_at__isnull=True)
            .values_list("assigned_to_id", "due_on", "urgent")
        )
        counts: dict[int | None, list[int]] = defaultdict(lambda: [0, 0, 0])
        for officer_id, due_on, urgent in task_rows:
            c = counts[officer_id]
            c[0] += 1
            c[1] += bool(due_on and due_on < today)
            c[2] += bool(urgent)
        missing = [k for k in counts if k not in loads]
        for officer in User.objects.filter(pk__in=[k for k in missing if k is not None]):
            loads[officer.pk] = OfficerLoad(officer)
        if None in counts and None not in loads:
            loads[None] = OfficerLoad(None)
        for key, (n, overdue, urgent_n) in counts.items():
            loads[key].open_tasks, loads[key].overdue_tasks, loads[key].urgent_tasks = n, overdue, urgent_n
        _audit_list(user, "Viewed the team's workload", [c.pk for c in cases], [c.child_id for c in cases])
    named = sorted((v for k, v in loads.items() if k is not None), key=_by_officer_name)
    return named + ([loads[None]] if None in loads else [])


def officer_open_work(*, user, officer: User) -> tuple[int, int]:
    """How many open cases and open tasks an officer holds (for the bulk reassignment page)."""
    policy.require_manager(user)
    visible = cases_visible_to(user)
    cases = visible.filter(stage__in=OPEN_STAGES).filter(Q(responsible_officer=officer) | Q(key_worker=officer)).count()
    tasks = Task.objects.filter(case__in=visible, assigned_to=officer, done_at__isnull=True).count()
    return cases, tasks


def task_get_for_user(*, user, task_id: int, require: Callable[[Any], None] | None = None) -> Task:
    """One task on a case the user may see (404 otherwise); reading it is audited as the case.
    require(user), when given, is checked before the read is audited (see case_get_for_user)."""
    with transaction.atomic():
        task = tasks_visible_to(user).select_related("case", "case__child").filter(pk=task_id).first()
        if task is not None:
            if require is not None:
                require(user)
            audit_record(
                actor=user, action=Action.VIEW, object_type="case", object_id=task.case_id,
                child_id=task.case.child_id, la_id=task.case.la_id,
                summary=f"Viewed a task on case {task.case.reference}",
            )
    if task is None:
        audit_access_refused(actor=user, object_type="task", object_id=task_id,
                             owner=Task.objects.filter(pk=task_id), la_field="case__la_id")
        raise Http404("No such task")
    return task


def officer_get_for_manager(*, user, officer_id: int) -> User:
    """A member of the manager's authority, active or not (someone who left still holds work)."""

    officer = User.objects.filter(pk=officer_id, organisation_id=user.la_id).first() if user.la_id else None
    if officer is None:
        raise Http404("No such officer")
    policy.require_manager(user)
    return officer


EXPORT_MAX = 50_000


def cases_for_export(*, user, filters, sort: str) -> list[Case]:
    """Every case of the list's filters, in its order, to export (CSV or XLSX): an export is a
    disclosure, so it is audited with every case and child it holds."""
    order = case_ordering(sort if sort.removeprefix("-") != "due" else "-referred")
    with transaction.atomic():
        cases = list(cases_filtered(user=user, filters=filters)
                     .select_related("child", "responsible_officer", "last_known_provider")
                     .order_by(*order)[:EXPORT_MAX])
        if filters.overdue:
            states = clocks_for_cases(cases)
            cases = [c for c in cases if any(
                s.state == clocks.OVERDUE and (filters.overdue == "any" or s.key == filters.overdue)
                for s in states[c.pk])]
        audit_record(actor=user, action=Action.EXPORT, object_type="case", la_id=user.la_id,
                     summary=f"Exported the case list ({len(cases):,} cases)",
                     detail={"filters": filters.as_dict(), "ids": [c.pk for c in cases]},
                     child_ids=[c.child_id for c in cases])
    return cases
