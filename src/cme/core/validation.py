"""Shared rules for bad input: dates that cannot be true of a child."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

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
