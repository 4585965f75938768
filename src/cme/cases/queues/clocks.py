"""Clocks on a case, counted in school days: definitions in, clock states out.

Pure module: no Django. The definitions come from a TOML file (data/clocks.toml, see its header
for the fields); the facts of one case (which events happened on which date) come from the
caller; the school calendar is anything with ``add_school_days(day, n)`` (a
``SchoolCalendar`` or ``ProviderCalendar`` of cme.attendance).

A clock starts on the date of its start event and is due ``school_days`` school days later
(0: the same day; a start on a weekend or in a holiday counts from the next school day). It
is ``met`` once its stop event happened (``late`` when after the due date), ``overdue`` when
the due date has passed without it, ``running`` until then, ``stopped`` ("no longer applies")
when its ``until`` event happened first, and ``not_applicable`` when the case is not one it
applies to or its start event has not happened. A due date the calendar
cannot count (no term dates for that year) is None, and the clock stays running.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Protocol

DEFAULT_CLOCKS = Path(__file__).resolve().parent.parent / "data" / "clocks.toml"  # cases/data

START_EVENTS = frozenset(
    {"referred", "opened", "escalation_needed", "absence_started", "looked_after", "provision_determined",
     "placement_requested", "place_offered"}
)
STOP_EVENTS = frozenset({"triaged", "first_enquiry", "escalated", "enquiries_completed", "in_provision",
                         "placement_answered"})
# Events after which a clock that has not been met no longer applies (the child was located
# before anyone made a first enquiry: that clock stops rather than stay overdue for ever).
UNTIL_EVENTS = frozenset({"located", "in_provision", "closed"})
APPLIES_TO = frozenset({"all", "missing", "looked_after", "escalation"})
FIELDS = {"name", "school_days", "starts", "stops", "until", "applies_to", "description", "source", "enabled"}

RUNNING, MET, OVERDUE, NOT_APPLICABLE, STOPPED = "running", "met", "overdue", "not_applicable", "stopped"
STATE_LABELS = {RUNNING: "Running", MET: "Met", OVERDUE: "Overdue", NOT_APPLICABLE: "Not applicable",
                STOPPED: "No longer applies"}


class ClocksError(ValueError):
    """A clocks file that cannot be used: the message names the clock and field."""


class Calendar(Protocol):
    def add_school_days(self, day: dt.date, n: int) -> dt.date: ...


@dataclass(frozen=True)
class ClockRule:
    key: str
    name: str
    school_days: int
    starts: str
    stops: str
    applies_to: str
    description: str
    enabled: bool = True
    # The event after which an unmet clock no longer applies ("" for none).
    until: str = ""
    # Where the number comes from (law, guidance, local standard): for administrators, not officers.
    source: str = ""


@dataclass(frozen=True)
class CaseFacts:
    """What happened on one case: event name -> date, and the groups the case belongs to
    ("missing", "looked_after", "escalation"; every case is in "all")."""

    events: Mapping[str, dt.date | None] = field(default_factory=dict)
    groups: frozenset[str] = frozenset()


class ClockState(NamedTuple):
    # A named tuple, not a frozen dataclass: an officer's "My work" makes one for every clock of
    # hundreds of cases, and a frozen dataclass costs three times as much to build.
    key: str
    name: str
    description: str
    state: str
    started_on: dt.date | None = None
    due_on: dt.date | None = None
    stopped_on: dt.date | None = None
    late: bool = False
    problem: str = ""
    source: str = ""

    @property
    def label(self) -> str:
        if self.state == MET and self.late:
            return "Met late"
        return STATE_LABELS[self.state]

    @property
    def is_applicable(self) -> bool:
        return self.state not in (NOT_APPLICABLE, STOPPED)


# -- definitions -------------------------------------------------------------------------------


def _rule(key: str, spec: Mapping, base: ClockRule | None = None) -> ClockRule:
    where = f"clock {key}"
    unknown = set(spec) - FIELDS
    if unknown:
        raise ClocksError(f"{where}: unknown field {', '.join(sorted(unknown))}")
    values = dict(base.__dict__) if base else {"key": key, "enabled": True, "description": "",
                                                "until": "", "source": ""}
    values.update(spec)
    for name in ("name", "school_days", "starts", "stops", "applies_to"):
        if name not in values:
            raise ClocksError(f"{where}: field {name} is missing")
    days = values["school_days"]
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 380:
        raise ClocksError(f"{where}, field school_days: {days!r} is not a whole number of school days (0 to 380)")
    for name, allowed in (("starts", START_EVENTS), ("stops", STOP_EVENTS), ("applies_to", APPLIES_TO)):
        if values[name] not in allowed:
            raise ClocksError(f"{where}, field {name}: {values[name]!r} is not one of {', '.join(sorted(allowed))}")
    if values["until"] and values["until"] not in UNTIL_EVENTS:
        raise ClocksError(f"{where}, field until: {values['until']!r} is not one of {', '.join(sorted(UNTIL_EVENTS))}")
    if not isinstance(values["enabled"], bool):
        raise ClocksError(f"{where}, field enabled: write true or false")
    if not str(values["name"]).strip():
        raise ClocksError(f"{where}, field name: give the clock a name")
    return ClockRule(**values)


def parse_clocks(text: str, la_code: str | None = None) -> list[ClockRule]:
    """The enabled clocks of a clocks file, with one authority's overrides applied."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ClocksError(f"the clocks file is not valid TOML: {e}") from None
    specs = doc.get("clocks") or {}
    if not specs:
        raise ClocksError("the clocks file defines no [clocks.<name>] tables")
    rules = {key: _rule(key, spec) for key, spec in specs.items()}
    for code, la_doc in (doc.get("la") or {}).items():
        for key in (la_doc.get("clocks") or {}):
            if key not in rules:
                raise ClocksError(f"la {code}: clock {key} is not defined in [clocks]")
    if la_code is not None:
        for key, spec in ((doc.get("la") or {}).get(la_code, {}).get("clocks") or {}).items():
            rules[key] = _rule(key, spec, rules[key])
    return [r for r in rules.values() if r.enabled]


def load_clocks(path: str | Path = DEFAULT_CLOCKS, la_code: str | None = None) -> list[ClockRule]:
    return parse_clocks(Path(path).read_text(encoding="utf-8"), la_code)


# -- states ------------------------------------------------------------------------------------


def due_date(rule: ClockRule, start: dt.date, calendar: Calendar) -> dt.date:
    """``school_days`` school days after the start; the same day when 0. Raises the calendar's
    range error when it holds no term dates for the dates needed."""
    if rule.school_days == 0:
        return start
    return calendar.add_school_days(start, rule.school_days)


def clock_state(rule: ClockRule, facts: CaseFacts, calendar: Calendar | None, today: dt.date) -> ClockState:
    def made(state: str, started_on: dt.date | None = None, due_on: dt.date | None = None,
             stopped_on: dt.date | None = None, late: bool = False, problem: str = "") -> ClockState:
        return ClockState(rule.key, rule.name, rule.description, state, started_on, due_on, stopped_on, late,
                          problem, rule.source)

    if rule.applies_to != "all" and rule.applies_to not in facts.groups:
        return made(NOT_APPLICABLE)
    start = facts.events.get(rule.starts)
    if start is None:
        return made(NOT_APPLICABLE)
    stop = facts.events.get(rule.stops)
    due, problem = None, ""
    if calendar is None:
        problem = "No term dates are loaded, so school days cannot be counted"
    else:
        try:
            due = due_date(rule, start, calendar)
        except ValueError as e:  # CalendarRangeError: a year with no term dates
            problem = str(e)
    if stop is not None:
        return made(MET, started_on=start, due_on=due, stopped_on=stop, late=due is not None and stop > due,
                    problem=problem)
    ended = facts.events.get(rule.until) if rule.until else None
    if ended is not None:
        return made(STOPPED, started_on=start, due_on=due, stopped_on=ended, problem=problem)
    state = OVERDUE if due is not None and today > due else RUNNING
    return made(state, started_on=start, due_on=due, problem=problem)


def clock_states(
    rules: Iterable[ClockRule], facts: CaseFacts, calendar: Calendar | None, today: dt.date
) -> list[ClockState]:
    """Every clock of one case, in the order of the definitions."""
    return [clock_state(rule, facts, calendar, today) for rule in rules]
