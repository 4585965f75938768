"""The retention schedule: read, checked, and the date arithmetic of "past its retention".

Pure (no Django), so that the rules can be tested and read on their own. The file is TOML, one
table per record type (retention.toml beside this module is the default; docs/data-protection.md).
Every period in it carries its source and a confidence label; those marked [unverified:
configurable] are this service's defaults, for the council to confirm or replace through
CME_RETENTION_SCHEDULE. Only the statutory minimum (STATUTORY_MINIMUM_YEARS) is fixed here.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("retention.toml")

# What each record type may be: the actions it allows, and whether it is counted from a birthday.
RECORD_TYPES: dict[str, tuple[str, ...]] = {
    "child": ("delete",),
    "register_year": ("delete",),
    "referral_without_case": ("delete",),
    # Audit events are chained: their content can be blanked, never the event removed.
    "audit_event": ("anonymise",),
    "email": ("delete",),
    "peer_message": ("delete",),
}
# Less than the law requires is refused, however the file is edited: SI 2024/208 reg 7 keeps every
# register entry at least 6 years, and a child's record carries its registers with it.
STATUTORY_MINIMUM_YEARS = {"register_year": 6, "child": 6}
KEYS = {"description", "action", "keep_years", "keep_until_age", "source"}


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    record_type: str
    action: str
    keep_years: int
    source: str
    description: str = ""
    keep_until_age: int | None = None

    def kept_until(self, *, last_action: dt.date, born: dt.date | None = None) -> dt.date:
        """The last day the record must be kept: `keep_years` after its last action, and for a
        child not before the birthday `keep_until_age` (when the date of birth is known)."""
        until = add_years(last_action, self.keep_years)
        if self.keep_until_age is not None and born is not None:
            until = max(until, add_years(born, self.keep_until_age))
        return until

    def is_past(self, *, as_of: dt.date, last_action: dt.date, born: dt.date | None = None) -> bool:
        return self.kept_until(last_action=last_action, born=born) < as_of

    def cutoff(self, as_of: dt.date) -> dt.date:
        """Records whose last action is before this day are past `keep_years`."""
        return add_years(as_of, -self.keep_years)

    @property
    def summary(self) -> str:
        age = f"until the {ordinal(self.keep_until_age)} birthday and " if self.keep_until_age else ""
        years = f"{self.keep_years} year{'' if self.keep_years == 1 else 's'}"
        return f"kept {age}{years} after the last action, then {self.action}d"


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one: the day after the 28th
        return day.replace(year=day.year + years, month=3, day=1)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def parse(text: str, *, where: str = "the retention schedule") -> dict[str, Rule]:
    """Every record type's rule; ScheduleError naming the table and the field for anything wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScheduleError(f"{where}: not valid TOML ({e})") from None
    problems: list[str] = []
    rules: dict[str, Rule] = {}
    for name in data:
        if name not in RECORD_TYPES:
            problems.append(f"[{name}]: not a record type; use one of {', '.join(RECORD_TYPES)}")
    for name, actions in RECORD_TYPES.items():
        table = data.get(name)
        if not isinstance(table, dict):
            problems.append(f"[{name}]: missing; every record type needs its retention")
            continue
        for key in sorted(set(table) - KEYS):
            problems.append(f"[{name}] {key}: not a setting; use {', '.join(sorted(KEYS))}")
        action = table.get("action")
        if action not in actions:
            problems.append(f"[{name}] action: {action!r} is not allowed; use {' or '.join(map(repr, actions))}")
        years = table.get("keep_years")
        if not isinstance(years, int) or isinstance(years, bool) or not 0 <= years <= 200:
            problems.append(f"[{name}] keep_years: {years!r} is not a whole number of years (0 to 200)")
        elif years < STATUTORY_MINIMUM_YEARS.get(name, 0):
            problems.append(f"[{name}] keep_years: {years} is less than the {STATUTORY_MINIMUM_YEARS[name]} years "
                            "the law requires (SI 2024/208 reg 7: register entries)")
        age = table.get("keep_until_age")
        if age is not None and (name != "child" or not isinstance(age, int) or isinstance(age, bool)
                                or not 0 <= age <= 120):
            problems.append(f"[{name}] keep_until_age: {age!r} is not allowed (child only, a whole age 0 to 120)")
        source = table.get("source")
        if not isinstance(source, str) or not source.strip():
            problems.append(f"[{name}] source: say where the period comes from (or mark it "
                            "[unverified: configurable])")
        if not problems:
            rules[name] = Rule(record_type=name, action=str(action), keep_years=int(years or 0),
                               source=str(source).strip(), description=str(table.get("description", "")),
                               keep_until_age=age)
    if problems:
        raise ScheduleError(f"{where}: " + "; ".join(problems))
    return rules


def load(path: str | Path | None = None) -> dict[str, Rule]:
    path = Path(path) if path else DEFAULT_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ScheduleError(f"{path}: cannot be read ({e.strerror})") from None
    return parse(text, where=str(path))
