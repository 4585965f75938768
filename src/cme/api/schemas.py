"""Schemas shared by every part of the API: refusals, pages of results, and the types every
input is read with, so that the API refuses what the forms and the file readers refuse
(cme.core.inputs): text with control characters or direction overrides, numbers no column
holds, dates not written YYYY-MM-DD, true/false written as anything but true and false.

    class TaskIn(Schema):
        title: Line = Field(..., max_length=200)       # one line of text
        detail: Lines = Field("", max_length=5000)     # text that may hold line breaks
        due_on: IsoDate = None                          # YYYY-MM-DD or null
        assigned_to: Id | None = None                   # 1 to 2**63 - 1
        urgent: Flag = False                            # JSON true or false only
"""

from datetime import date
from typing import Annotated

from ninja import Field, Schema
from pydantic import BeforeValidator, StrictBool
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError

from cme.core.inputs import DB_INT_MAX, PAGE_MAX, parse_iso_date, text_problem


def _blank_if_null(value):
    return "" if value is None else value


def _text(multiline: bool):
    def check(value):
        if isinstance(value, str) and (problem := text_problem(value, multiline=multiline)):
            raise PydanticCustomError("text_refused", "The text {problem}", {"problem": problem})
        return value
    return check


def _iso_date(value):
    """A date written YYYY-MM-DD; pydantic alone reads 901 (or "901") as a Unix time, and
    "20250101" or "2025-W01-1" as dates."""
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return parse_iso_date(value)
        except ValueError:
            pass
    raise PydanticCustomError("date_format", "Enter a valid date, written YYYY-MM-DD (for example 2025-09-01)")


# One line of text (a name, a title): no line breaks. Null reads as "".
Line = Annotated[str, BeforeValidator(_blank_if_null), BeforeValidator(_text(multiline=False))]
# Text that may run over several lines (a concern, a note).
Lines = Annotated[str, BeforeValidator(_blank_if_null), BeforeValidator(_text(multiline=True))]
IsoDate = Annotated[date | None, BeforeValidator(_iso_date)]
Day = Annotated[date, BeforeValidator(_iso_date)]
Id = Annotated[int, PydanticField(ge=1, le=DB_INT_MAX)]
Page = Annotated[int, PydanticField(ge=1, le=PAGE_MAX)]
# JSON true or false: "yes", "on", 1 or "true" are refused rather than read as true.
Flag = StrictBool


class Refusal(Schema):
    detail: str = Field(examples=["Not Found"])


class FieldProblem(Schema):
    loc: list[str | int] = Field(
        description="Where the problem is: the part of the request, then the field's path",
        examples=[["body", "child", "date_of_birth"]],
    )
    msg: str = Field(examples=["Date of birth must be in the past"])
    type: str = Field(examples=["value_error"])


class BadInput(Schema):
    detail: list[FieldProblem]


class PageInfo(Schema):
    count: int = Field(description="How many records match, over all pages")
    page: int = Field(description="This page's number, from 1")
    per_page: int


# The refusals every authenticated operation may answer, for the OpenAPI document.
READ_REFUSALS = {401: Refusal, 404: Refusal, 422: BadInput}
