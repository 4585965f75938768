"""Shared rules for bad input, as Django speaks them: ValidationErrors naming the field, and
validators for forms. The rules themselves are in cme.core.inputs (pure), which the file readers
use too, so that a form, the API, a CSV and a CTF refuse the same things with the same words."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from cme.core.inputs import text_problem

# Compulsory school age ends at 16, but records follow young people to 25 (EHCPs run to 25).
OLDEST_AGE = 25


def check_date_of_birth(dob: date | None, *, field: str = "date_of_birth") -> None:
    if dob is None:
        return
    today = timezone.localdate()
    if dob > today:
        raise ValidationError({field: "Date of birth must be in the past"})
    try:
        limit = today.replace(year=today.year - OLDEST_AGE)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - OLDEST_AGE, day=28)
    if dob < limit:
        raise ValidationError(
            {field: f"Date of birth must be of someone aged {OLDEST_AGE} or under"}
        )


def check_not_future(value: date | None, *, field: str, label: str) -> None:
    if value and value > timezone.localdate():
        raise ValidationError({field: f"{label} must be today or in the past"})


def check_text(value: str | None, *, field: str, label: str, max_length: int | None = None,
               multiline: bool = False) -> None:
    """Refuse text a column cannot hold or no person typed: too long, control characters,
    direction overrides (cme.core.inputs.text_problem), naming the field."""
    if value and (problem := text_problem(value, max_length=max_length, multiline=multiline)):
        raise ValidationError({field: f"{label} {problem}"})
