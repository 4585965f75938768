"""Intake pages: every way a referral comes in, the referral queue, and triage.

Views parse, call one service or selector, and render. Every read of a referral goes through
cme.intake.selectors, which scope it to the user and audit it.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from cme.accounts import policy
from cme.attendance.selectors import NoCalendar, calendar_for
from cme.cases.queues import clocks
from cme.cases.queues.selectors import clock_rules
from cme.core.forms import apply_service_errors
from cme.core.paging import page_from, pagination_params, with_params
from cme.intake import hooks, selectors
from cme.intake.forms import (
    CHILD_FIELD_NAMES,
    DECISION_NOT_CME,
    HONEYPOT_FIELD,
    OfficerReferralForm,
    PartnerReferralForm,
    PublicReferralForm,
    TriageForm,
)
from cme.intake.models import Channel, ReferralStatus
from cme.intake.services import (
    la_for_referrals,
    referral_create,
    referral_decide,
    referral_update,
)

SENT_SALT = "cme.intake.referral-sent"

# What a partner or school is told about a referral it made: the status only, in plain words.
STATUS_FOR_REFERRER = {
    ReferralStatus.AWAITING_TRIAGE: ("Received", "A CME officer will look at it soon", "blue"),
    ReferralStatus.CASE_OPENED: ("Accepted", "A CME officer is working on it", "green"),
    ReferralStatus.ADDED_TO_CASE: ("Accepted", "A CME officer is working on it", "green"),
    ReferralStatus.NOT_CME: ("Closed", "The council found the child is not missing education",
                             "grey"),
}


def case_url(case) -> str | None:
    """The case page, or None while the cases app has none."""
    try:
        return reverse("cases:detail", kwargs={"case_id": case.pk})
    except NoReverseMatch:
        return None


def age_in_days(received_at) -> int:
    return (timezone.localdate() - timezone.localdate(received_at)).days


def _sent_url(reference: str) -> str:
    return reverse("intake:sent", args=[signing.dumps(reference, salt=SENT_SALT)])


QUEUE_PER_PAGE = 50


def _triage_due_on(la):
    """received day -> the triage clock's due day, by the authority's calendar (None when the
    calendar cannot count it, or the authority has no triage clock)."""
    rule = next((r for r in clock_rules(la_code=la.la_code or None) if r.key == "triage"), None)
    try:
        calendar = calendar_for(la_id=la.pk)
    except NoCalendar:
        return None
    if rule is None:
        return None

    def due_on(day):
        try:
            return clocks.due_date(rule, day, calendar)
        except ValueError:
            return None

    return due_on


@require_GET
def queue(request):
    user = request.user
    policy.require_la_staff(user, "Only council staff can see referrals")
    show = "triaged" if request.GET.get("show") == "triaged" else "waiting"
    context: dict = {"show": show, "waiting_count": selectors.referrals_waiting_count(user=user),
                     "can_triage": policy.may_work_cases(user)}
    if show == "triaged":
        referrals = selectors.referrals_recently_triaged(user=user)
        context["rows"] = [{"referral": r, "age": age_in_days(r.received_at)} for r in referrals]
        return render(request, "intake/queue.html", context)
    params = request.GET
    filters = {
        "source": [v for v in params.getlist("source") if v in Channel.values],
        "age": [v for v in params.getlist("age") if v in selectors.AGE_BANDS],
        "urgency": [v for v in params.getlist("urgency") if v in selectors.URGENCY],
    }
    sort = params.get("sort") if params.get("sort") in selectors.QUEUE_SORTS else "received"
    page = page_from(params)
    due_on = _triage_due_on(user.organisation)
    items, total = selectors.referral_queue_page(user=user, filters=filters, sort=sort, page=page,
                                                 per_page=QUEUE_PER_PAGE, triage_due_on=due_on)
    today = timezone.localdate()
    rows = []
    for r in items:
        due = due_on(timezone.localdate(r.received_at)) if due_on else None
        rows.append({"referral": r, "age": age_in_days(r.received_at), "due": due,
                     "urgency": selectors.referral_urgency(due=due, today=today)})
    context.update({
        "rows": rows, "total": total, "page": page, "first_shown": (page - 1) * QUEUE_PER_PAGE + 1,
        "filters": filters, "sort": sort,
        "pagination": pagination_params(params=params, page=page, total=total, per_page=QUEUE_PER_PAGE),
        "sources": [(v, label) for v, label in Channel.choices],
        "age_bands": [(k, v[0]) for k, v in selectors.AGE_BANDS.items()],
        "urgencies": list(selectors.URGENCY.items()),
        "sort_links": {key: with_params(params, sort=key, page=None) for key in selectors.QUEUE_SORTS},
        "filtered": any(filters.values()),
    })
    return render(request, "intake/queue.html", context)


@require_http_methods(["GET", "POST"])
def officer_new(request):
    policy.require_la_staff(request.user, "Only council staff can see referrals")
    now = timezone.localtime()
    form = OfficerReferralForm(
        request.POST or None,
        initial={"received_at": now.date(), "received_time": f"{now:%H:%M}"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = referral_create(
                la=request.user.organisation,
                channel=form.cleaned_data["channel"],
                submitted_by=request.user,
                received_at=form.received_datetime(),
                **form.referrer_fields(),
                **form.child_fields(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Referral {referral.reference} recorded")
            return redirect("intake:detail", reference=referral.reference)
    return render(request, "intake/officer_new.html", {"form": form})


def _as_received_rows(referral) -> list[dict]:
    """What was given, field by field, labelled as the forms label it; values untouched."""
    given = (referral.as_received or {}).get("fields", {})
    labels = dict(AS_RECEIVED_LABELS)
    rows = [{"label": labels.get(k, k), "value": v, "name": k} for k, v in given.items()]
    order = {name: i for i, (name, _) in enumerate(AS_RECEIVED_LABELS)}
    rows.sort(key=lambda r: order.get(r["name"], len(order)))
    return rows


AS_RECEIVED_LABELS = [
    ("referrer_name", "Referrer’s name"),
    ("referrer_organisation", "Referrer’s organisation"),
    ("referrer_phone", "Referrer’s phone"),
    ("referrer_email", "Referrer’s email"),
    ("child_forename", "First name"),
    ("child_surname", "Last name"),
    ("child_date_of_birth", "Date of birth"),
    ("child_sex", "Sex"),
    ("child_upn", "UPN"),
    ("child_address", "Address"),
    ("child_postcode", "Postcode"),
    ("last_known_school", "Last known school"),
    ("concerns", "Concerns"),
]


def _corrected(referral) -> set[str]:
    """Working-copy fields an officer has changed from what was given."""
    given = (referral.as_received or {}).get("fields", {})
    changed = set()
    for name in CHILD_FIELD_NAMES:
        now = getattr(referral, name)
        now = now.isoformat() if hasattr(now, "isoformat") else (now or "")
        if str(given.get(name, "")).strip() != str(now).strip():
            changed.add(name)
    return changed


@require_GET
def detail(request, reference: str):
    policy.require_la_staff(request.user, "Only council staff can see referrals")
    referral = selectors.referral_get_for_user(user=request.user, reference=reference)
    return render(request, "intake/detail.html", {
        "referral": referral,
        "as_received": _as_received_rows(referral),
        "corrected": _corrected(referral),
        "age": age_in_days(referral.received_at),
        "case_url": case_url(referral.case) if referral.case_id else None,
        "can_triage": policy.may_work_cases(request.user)
        and referral.status == ReferralStatus.AWAITING_TRIAGE,
        # What officers decided about the child's roll, without matching again.
        "identification": hooks.referral_identification(referral=referral),
    })


# Service errors use the service's names; some fields are named differently on the page.
# Names not on the form (such as "referral": already triaged) show at the top of the page.
_TRIAGE_ERROR_FIELDS = {"child": "decision"}


def _triage_errors(error: ValidationError, *, closing: bool) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    renamed: dict[str, list[str]] = {}
    for name, texts in error.message_dict.items():
        name = "not_cme_reason" if closing and name == "reason" else name
        renamed.setdefault(_TRIAGE_ERROR_FIELDS.get(name, name), []).extend(texts)
    return ValidationError(renamed)


@require_http_methods(["GET", "POST"])
def triage(request, reference: str):
    policy.require_caseworker(request.user, "Only officers who work cases can triage referrals")
    referral = selectors.referral_get_for_user(user=request.user, reference=reference)
    if referral.status != ReferralStatus.AWAITING_TRIAGE:
        messages.info(request, f"Referral {referral.reference} has already been triaged")
        return redirect("intake:detail", reference=referral.reference)
    deciding = request.POST.get("action") != "save"
    # Matched against every roll, the home-education list and the register (issue 3).
    candidates, identification = hooks.referral_candidates(user=request.user, referral=referral)
    initial = TriageForm.initial_from(referral, request.user)
    data = request.POST or None
    if identification.category:
        # The category follows what the rolls say: on a roll → at risk; on no roll → missing.
        initial["category"] = identification.category
        if identification.decided and data is not None and not data.get("category"):
            data = data.copy()
            data["category"] = identification.category
    if identification.decided and identification.child_id:
        initial["decision"] = f"child-{identification.child_id}"
        initial["outcome"] = "case"
    form = TriageForm(
        data,
        initial=initial,
        candidates=[c.child for c in candidates],
        officers=selectors.case_officers_for(request.user),
        deciding=deciding,
    )
    if request.method == "POST" and form.is_valid():
        closing = form.cleaned_data.get("decision") == DECISION_NOT_CME
        try:
            if not deciding:
                referral_update(actor=request.user, referral=referral, **form.child_fields())
                case = None
            else:
                # One decision, the same service as the API's: corrections and triage together.
                case = referral_decide(
                    actor=request.user,
                    referral=referral,
                    corrections=form.child_fields(),
                    not_cme_reason=form.cleaned_data["not_cme_reason"] if closing else None,
                    child=form.chosen_child(),
                    category=form.cleaned_data.get("category") or "",
                    reason=form.cleaned_data.get("reason") or "",
                    reason_detail=form.cleaned_data.get("reason_detail") or "",
                    responsible_officer=form.officer(),
                )
        except ValidationError as error:
            referral.refresh_from_db()  # undo in-memory edits the rolled-back services made
            apply_service_errors(form, _triage_errors(error, closing=closing))
        else:
            if not deciding:
                messages.success(request, "Changes saved. The register has been checked again.")
                return redirect("intake:triage", reference=referral.reference)
            if closing:
                messages.success(request, f"Referral {referral.reference} closed as not CME")
                return redirect("intake:detail", reference=referral.reference)
            referral.refresh_from_db()
            done = ("Case opened" if referral.status == ReferralStatus.CASE_OPENED
                    else "Referral added to the open case")
            messages.success(request, f"{done}: {case.reference}")
            return redirect(case_url(case) or reverse("intake:detail", args=[referral.reference]))
    return render(request, "intake/triage.html", {
        "referral": referral,
        "form": form,
        "candidates": candidates,
        "identification": identification,
        "as_received": _as_received_rows(referral),
        "age": age_in_days(referral.received_at),
    })


def _public_rate(group, request) -> str:
    # Read at request time so that a council (or a test) can change it without a restart.
    return settings.CME_PUBLIC_REFERRAL_RATE


@login_not_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_public_rate, method="POST", block=False)
def public_new(request):
    if getattr(request, "limited", False):
        return render(request, "intake/too_many.html", status=429)
    councils = selectors.councils_taking_referrals()
    form = PublicReferralForm(
        request.POST or None,
        councils=councils,
        min_seconds=getattr(settings, "CME_PUBLIC_REFERRAL_MIN_SECONDS", 3),
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = referral_create(
                la=la_for_referrals(form.la_id()),
                channel=Channel.ONLINE_PUBLIC,
                **form.referrer_fields(),
                **form.child_fields(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect(_sent_url(referral.reference))
    return render(request, "intake/public_new.html", {
        "form": form,
        "started": form.started_value(),
        "honeypot": HONEYPOT_FIELD,
        "single_council": councils[0] if len(councils) == 1 else None,
    })


@require_http_methods(["GET", "POST"])
def partner_new(request):
    policy.require_referrer(request.user)
    user = request.user
    form = PartnerReferralForm(
        request.POST or None,
        initial={
            "referrer_name": user.get_full_name(),
            "referrer_email": user.email,
            "last_known_school": user.organisation.name if policy.is_school_user(user) else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            try:
                la = policy.referral_la(user)  # never guessed: the same rule as the API's
            except ValueError as unlinked:
                raise ValidationError(str(unlinked)) from None
            referral = referral_create(
                la=la,
                channel=Channel.ONLINE_PARTNER,
                submitted_by=user,
                **form.referrer_fields(),
                **form.child_fields(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect(_sent_url(referral.reference))
    return render(request, "intake/partner_new.html", {"form": form})


@login_not_required
@require_GET
def sent(request, token: str):
    """The confirmation, with the reference number to quote."""
    try:
        reference = signing.loads(token, salt=SENT_SALT, max_age=24 * 60 * 60)
    except signing.BadSignature:
        return redirect("intake:public-new")
    user = request.user
    is_referrer = policy.may_refer(user)
    return render(request, "intake/sent.html", {
        "reference": reference, "is_referrer": is_referrer,
        "council": selectors.council_contact_for_referral(reference=reference),
    })


@require_GET
def mine(request):
    policy.require_referrer(request.user)
    referrals = selectors.referrals_made_by(user=request.user)
    rows = []
    for r in referrals:
        given = (r.as_received or {}).get("fields", {})
        # The child as the referrer gave them: the council's corrections are not theirs to see.
        name = " ".join(
            str(given[k]).strip() for k in ("child_forename", "child_surname") if given.get(k)
        )
        title, meaning, colour = STATUS_FOR_REFERRER[r.status]
        rows.append({"reference": r.reference, "received_at": r.received_at,
                     "child": name or "Name not given",
                     "status": title, "meaning": meaning, "colour": colour})
    return render(request, "intake/mine.html", {"rows": rows})
