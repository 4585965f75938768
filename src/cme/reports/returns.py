"""The termly CME and EHE return to the DfE (issue 14 point 5), made from the cases and the
home-education list, with its validation; and the monthly panel pack (PDF).

The return's fields, census days, bands and reason mapping are in data/dfe_return.toml
[unverified: configurable], so a council follows the year's COLLECT specification without code.
A return that fails validation is not produced: every problem names the case and the field, so
the officer fixes the record, not the spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cme.accounts import policy
from cme.audit.models import Action
from cme.audit.services import audit_record
from cme.cases.models import Category
from cme.cases.register.selectors import cases_visible_to
from cme.providers.models import Enrolment, OrgKind

RETURN_FILE = Path(__file__).resolve().parent / "data" / "dfe_return.toml"
TERMS = ("autumn", "spring", "summer")


def return_rules() -> dict:
    path = os.environ.get("CME_DFE_RETURN_FILE") or RETURN_FILE
    return tomllib.loads(Path(path).read_text(encoding="utf-8"))


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def term_bounds(term: str, academic_year: int) -> tuple[dt.date, dt.date]:
    """The term's span for the return: autumn September–December, spring January–Easter (to
    March's end), summer April–August."""
    if term == "autumn":
        return dt.date(academic_year, 9, 1), dt.date(academic_year, 12, 31)
    if term == "spring":
        return dt.date(academic_year + 1, 1, 1), dt.date(academic_year + 1, 3, 31)
    return dt.date(academic_year + 1, 4, 1), dt.date(academic_year + 1, 8, 31)


def census_day(term: str, academic_year: int, rules: dict) -> dt.date:
    c = rules["census"][term]
    year = academic_year if term == "autumn" else academic_year + 1
    return nth_weekday(year, c["month"], c["weekday"], c["nth"])


@dataclass
class DfeReturn:
    term: str
    academic_year: int
    census: dt.date
    start: dt.date
    end: dt.date
    fields: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.term.title()} {self.academic_year}/{(self.academic_year + 1) % 100:02d}"


def dfe_return(*, user, term: str, academic_year: int) -> DfeReturn:
    """The return's figures and every problem that stops it being made."""
    policy.require_management_view(user)
    if term not in TERMS:
        raise ValueError(f"term must be one of {', '.join(TERMS)}")
    rules = return_rules()
    start, end = term_bounds(term, academic_year)
    census = census_day(term, academic_year, rules)
    out = DfeReturn(term, academic_year, census, start, end)
    cases = cases_visible_to(user).filter(category=Category.MISSING).select_related("child")
    # Missing education at some point in the term: referred by its end, not closed before it began.
    in_term = cases.filter(referred_on__lte=end).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
    at_census = [c for c in in_term if c.referred_on <= census and (c.closed_on is None or c.closed_on > census)]
    out.fields["cme_at_census"] = len(at_census)
    out.fields["cme_during_term"] = in_term.count()
    for band in rules["time_band"]:
        out.fields[band["field"]] = 0
    for reason_field in rules["reason"].values():
        out.fields.setdefault(reason_field, 0)
    for case in at_census:
        weeks = (census - case.referred_on).days // 7
        band = next((b for b in rules["time_band"] if b["low"] <= weeks < b["high"]), None)
        if band is not None:
            out.fields[band["field"]] += 1
        reason_field = rules["reason"].get(case.reason)
        if not case.reason or reason_field is None:
            out.problems.append(f"Case {case.reference}, reason: no primary reason for missing education"
                                + (f" ({case.reason} has no field in the return)" if case.reason else ""))
        else:
            out.fields[reason_field] += 1
        if case.child.date_of_birth is None:
            out.problems.append(f"Case {case.reference}, child's date of birth: not recorded, so compulsory "
                                "school age cannot be shown")
    home = Enrolment.objects.filter(provider__la_id=user.la_id, provider__kind=OrgKind.HOME_EDUCATION)
    out.fields["ehe_at_census"] = home.filter(entry_date__lte=census).filter(
        Q(leaving_date__isnull=True) | Q(leaving_date__gt=census)).count()
    out.fields["ehe_new_in_term"] = home.filter(entry_date__gte=start, entry_date__lte=end).count()
    # The sums the collection checks.
    if sum(out.fields[b["field"]] for b in rules["time_band"]) != out.fields["cme_at_census"]:
        out.problems.append("Return, time missing education: the bands do not add up to the children at the census")
    if out.fields["cme_at_census"] > out.fields["cme_during_term"]:
        out.problems.append("Return, cme_at_census: more than the children missing during the term")
    return out


def dfe_return_csv(*, user, term: str, academic_year: int) -> tuple[str, bytes]:
    """The return as CSV (field,value), audited; ValueError listing the problems if it fails."""
    from cme.core.exports import csv_bytes

    made = dfe_return(user=user, term=term, academic_year=academic_year)
    if made.problems:
        raise ValueError(made.problems)
    with transaction.atomic():
        audit_record(actor=user, action=Action.EXPORT, object_type="dfe_return", la_id=user.la_id,
                     summary=f"Made the DfE CME and EHE return for {made.name}", detail=made.fields)
    name = f"cme-ehe-return-{term}-{academic_year}.csv"
    rows = [["term", made.name], ["census_date", made.census.isoformat()], *made.fields.items()]
    return name, csv_bytes(["field", "value"], rows)


# -- the monthly panel pack -----------------------------------------------------------------------


def panel_pack_pdf(*, user, month: dt.date | None = None) -> tuple[str, bytes]:
    """The month's figures, the overdue cases and the unreconciled leavers, as a PDF for the
    panel (reportlab), audited with the children it names."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from cme.cases.queues.selectors import clocks_for_cases
    from cme.reports.figures import dashboard_figures
    from cme.tracking.models import LeaverStatus
    from cme.tracking.selectors import leavers_visible_to

    policy.require_management_view(user)
    today = timezone.localdate()
    month = (month or today).replace(day=1)
    month_end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    figures = dashboard_figures(user=user, start=month, end=min(month_end, today))
    open_cases = list(cases_visible_to(user).exclude(stage="closed").select_related("child", "responsible_officer")
                      .order_by("referred_on", "id"))
    states = clocks_for_cases(open_cases, today=today)
    overdue = [(c, [s for s in states[c.pk] if s.state == "overdue"]) for c in open_cases]
    overdue = [(c, s) for c, s in overdue if s]
    leavers = list(leavers_visible_to(user).filter(status=LeaverStatus.UNRECONCILED)
                   .select_related("child", "provider").order_by("leaving_date")[:200])

    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    story = [Paragraph(f"Children missing education: panel pack, {month:%B %Y}", styles["Title"]),
             Paragraph(f"{user.organisation.name}. Made {today:%d %B %Y}. OFFICIAL-SENSITIVE: names children.", body),
             Spacer(1, 6 * mm), Paragraph("The figures", styles["Heading2"])]
    rows = [["Figure", "Children"], ["Missing education now", f"{figures.missing_now:,}"],
            ["At risk now", f"{figures.at_risk_now:,}"], ["Open cases", f"{figures.open_cases:,}"],
            ["Leavers not found again", f"{figures.unreconciled_leavers:,}"],
            ["Providers whose registers are missing", f"{figures.providers_missing_registers:,}"]]
    rows += [[f"At stage: {label}", f"{n:,}"] for label, n in
             ((r.label, r.count) for b in figures.breakdowns if b.key == "stage" for r in b.rows)]
    style = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                        ("FONTSIZE", (0, 0), (-1, -1), 9), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    story += [Table(rows, colWidths=[120 * mm, 40 * mm], style=style, repeatRows=1), Spacer(1, 6 * mm),
              Paragraph(f"Cases with a clock overdue ({len(overdue)})", styles["Heading2"])]
    rows = [["Case", "Child", "Officer", "Overdue"]] + [
        [c.reference, Paragraph(c.child.full_name, body),
         Paragraph(c.responsible_officer.get_full_name() if c.responsible_officer else "Nobody", body),
         Paragraph("; ".join(f"{s.name} (due {s.due_on:%d %b})" if s.due_on else s.name for s in clocks), body)]
        for c, clocks in overdue]
    story += [Table(rows, colWidths=[28 * mm, 45 * mm, 40 * mm, 57 * mm], style=style, repeatRows=1)
              if overdue else Paragraph("None.", body), Spacer(1, 6 * mm),
              Paragraph(f"Leavers not found again ({figures.unreconciled_leavers})", styles["Heading2"])]
    rows = [["Child", "School", "Left", "Ground"]] + [
        [Paragraph(lv.child.full_name, body), Paragraph(lv.provider.name, body), f"{lv.leaving_date:%d %b %Y}",
         lv.ground or "-"] for lv in leavers]
    story += [Table(rows, colWidths=[50 * mm, 70 * mm, 28 * mm, 22 * mm], style=style, repeatRows=1)
              if leavers else Paragraph("None.", body)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=f"CME panel pack {month:%B %Y}", author="CME Tracker",
                      leftMargin=18 * mm, rightMargin=18 * mm).build(story)
    with transaction.atomic():
        audit_record(actor=user, action=Action.EXPORT, object_type="panel_pack", la_id=user.la_id,
                     summary=f"Made the panel pack for {month:%B %Y} ({len(overdue)} overdue cases, "
                             f"{len(leavers)} leavers)",
                     detail={"cases": [c.pk for c, _ in overdue], "leavers": [lv.pk for lv in leavers]},
                     child_ids=[c.child_id for c, _ in overdue] + [lv.child_id for lv in leavers])
    return f"cme-panel-pack-{month:%Y-%m}.pdf", out.getvalue()

