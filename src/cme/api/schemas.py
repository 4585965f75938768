"""Schemas shared by every part of the API: refusals and pages of results."""

from ninja import Field, Schema


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
