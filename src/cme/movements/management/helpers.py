"""What the roll commands share: finding the provider, reading dates, reporting."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from cme.core.csvfile import first
from cme.core.inputs import parse_iso_date
from cme.core.uploads import limit_for
from cme.movements.services import RollRefused
from cme.providers.identifiers import split_laestab
from cme.providers.models import PROVIDER_KINDS, Organisation, OrgKind


def ctf_max_bytes() -> int:
    """The largest roll (CTF or CSV) taken, the same on the page, the API and the command."""
    return limit_for("roll")


def find_provider(value: str) -> Organisation:
    providers = Organisation.objects.filter(kind__in=PROVIDER_KINDS)
    value = value.strip()
    if value.lower().endswith(":home"):
        found = providers.filter(kind=OrgKind.HOME_EDUCATION, la__la_code=value[:-5]).first()
    elif value.isdigit() and len(value) == 6:
        found = providers.filter(urn=value).first()
    else:
        la_code, estab = split_laestab(value)
        found = providers.filter(la_code=la_code, estab=estab).first() if estab else None
    if found is None:
        raise CommandError(f"--provider {value}: no provider has this LAESTAB, URN or LA:home")
    return found


def iso_date(value: str) -> dt.date:
    try:
        return parse_iso_date(value)
    except ValueError:
        raise CommandError(f"--as-of: {value!r} is not a date (YYYY-MM-DD)") from None


def report(command: BaseCommand, record) -> None:
    command.stdout.write(
        f"Roll of {record.provider.name} as of {record.as_of:%d %B %Y}: {record.pupils} pupils; "
        f"{record.joined} joined, {record.left} left, {record.unchanged} unchanged, "
        f"{record.new_children} new children on the register."
    )


def refused(command: BaseCommand, error: RollRefused, name: str) -> CommandError:
    shown, more = first(error.problems)
    for problem in shown:
        command.stderr.write(str(problem))
    if more:
        command.stderr.write(f"… and {more:,} more problems")
    return CommandError(f"Nothing was imported: {len(error.problems):,} problem(s) in {name}")
