"""The management figures as JSON (issue 14 point 6): the dashboard's figures for the caller's
authority, each equal to the count the API's own lists give for the same filter."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from cme.api.schemas import BadInput, IsoDate, Refusal
from cme.reports.figures import summary_figures

router = Router(tags=["Management information"])


class SummaryQuery(Schema):
    from_: IsoDate = Field(None, alias="from", description="Start of the period (referrals, closures), YYYY-MM-DD; "
                                                             "a year before `to` when not given")
    to: IsoDate = Field(None, description="End of the period, YYYY-MM-DD; today when not given")


class Summary(Schema):
    from_: str = Field(..., alias="from")
    to: str
    open_cases: int = Field(..., description="Open cases: the `count` of /api/v1/cases?open=true")
    missing_now: int = Field(..., description="Open cases of children missing education "
                                              "(/api/v1/cases?open=true&category=missing)")
    at_risk_now: int = Field(..., description="Open cases of children at risk (/api/v1/cases?open=true&category=at_risk)")
    cases_by_stage: dict[str, int] = Field(..., description="Each open stage of /api/v1/cases?stage= and its number "
                                                            "of cases")
    cases_by_category: dict[str, int] = Field(..., description="Each category of /api/v1/cases?category= and its "
                                                               "number of open cases (`open=true`)")
    cases_by_group: dict[str, int] = Field(..., description="Each vulnerability of /api/v1/cases?flag= that an open "
                                                            "case's child has now, and its number of open cases "
                                                            "(`open=true`); restricted ones only for roles that may "
                                                            "see them")
    caseload: dict[str, int] = Field(..., description="Responsible officer's id (/api/v1/cases?officer=) -> open "
                                                      "cases (`open=true`)")
    breakdowns: dict[str, dict[str, int]] = Field(..., description="Each breakdown of the dashboard: label -> number")
    referrals_by_month: dict[str, dict[str, int]] = Field(..., description="Month (YYYY-MM) -> channel -> referrals")
    trend: list[dict[str, int | str]] = Field(..., description="The last 24 months: cases referred and closed")
    unreconciled_leavers: int
    overdue_cases: int = Field(..., description="Open cases with a clock overdue: /api/v1/cases has no such filter; "
                                                "the case list page's `overdue=any`")
    providers_missing_registers: int


@router.get("/reports/summary", response={200: Summary, 401: Refusal, 403: Refusal, 422: BadInput},
            url_name="reports-summary", summary="The dashboard's figures",
            description="Managers, administrators and senior leaders of the authority. Counting reveals no child: "
                        "the lists behind each figure are read (and audited) through /api/v1/cases.",
            operation_id="reports_summary", by_alias=True)
def summary(request, query: Query[SummaryQuery]):
    return summary_figures(user=request.auth, date_from=query.from_, date_to=query.to)
