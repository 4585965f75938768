"""What a person types into the referral forms, as POST data."""

import time
from datetime import date

from django.core import signing

from cme.intake.forms import STARTED_SALT


def date_boxes(name: str, value: date | None) -> dict:
    if value is None:
        return {f"{name}-day": "", f"{name}-month": "", f"{name}-year": ""}
    return {f"{name}-day": str(value.day), f"{name}-month": str(value.month),
            f"{name}-year": str(value.year)}


def child(**overrides) -> dict:
    data = {
        "child_forename": "Leo",
        "child_surname": "Marsh",
        **date_boxes("child_date_of_birth", date(2013, 5, 6)),
        "child_sex": "M",
        "child_address": "12 Mill Lane, Northmoor",
        "child_postcode": "nm1 2ab",
        "last_known_school": "Northmoor Primary School",
        "concerns": "Not seen at school since half-term.\nFamily may have moved.",
    }
    data.update(overrides)
    return data


def started(seconds_ago: float = 60) -> str:
    """The signed start time the public form carries, as if opened `seconds_ago` ago."""
    return signing.dumps(time.time() - seconds_ago, salt=STARTED_SALT)


def public(**overrides) -> dict:
    data = {
        **child(),
        "referrer_name": "Pat Neighbour",
        "referrer_phone": "01632 960 001",
        "referrer_email": "pat@example.org",
        "website": "",
        "started": started(),
    }
    data.update(overrides)
    return data


def officer(**overrides) -> dict:
    data = {
        "channel": "phone",
        **date_boxes("received_at", date.today()),
        "received_time": "00:00",
        "referrer_name": "PC Jo Hale",
        "referrer_organisation": "Northmoor Police",
        "referrer_phone": "101",
        "referrer_email": "",
        **child(),
    }
    data.update(overrides)
    return data
