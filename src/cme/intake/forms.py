"""Forms for the ways a referral comes in, and for triage.

Forms only parse what was typed; the rules (a believable date of birth, a UPN's check letter)
live in the services, whose ValidationErrors the views show against the field they name.
Text fields keep what was typed exactly (strip=False), because a referral is kept as given.
"""

import re
import time
from datetime import datetime
from datetime import time as clock

from django import forms
from django.core import signing
from django.utils import timezone

from cme.cases.models import Category, Reason
from cme.core.forms import Form, GovukDateField
from cme.intake.models import CONCERNS_MAX_LENGTH, Channel
from cme.people.identifiers import normalise_upn

SEX_CHOICES = [("F", "Female"), ("M", "Male"), ("U", "Not known")]
# The channels an officer records by hand; online forms and the API record their own.
OFFICER_CHANNELS = [
    (c.value, c.label)
    for c in (Channel.PHONE, Channel.EMAIL, Channel.TRUANCY_SWEEP, Channel.LETTER, Channel.IN_PERSON)
]
CHILD_FIELD_NAMES = (
    "child_forename",
    "child_surname",
    "child_date_of_birth",
    "child_sex",
    "child_upn",
    "child_address",
    "child_postcode",
    "last_known_school",
    "concerns",
)
REFERRER_FIELD_NAMES = ("referrer_name", "referrer_organisation", "referrer_phone", "referrer_email")


def text(label: str, max_length: int, *, required: bool = False, help_text: str = "",
         textarea: bool = False, required_message: str = "") -> forms.CharField:
    field = forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        strip=False,
        help_text=help_text,
        widget=forms.Textarea if textarea else forms.TextInput,
        error_messages={
            "required": required_message or f"Enter {label[0].lower()}{label[1:]}",
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
    )
    return field


def email(label: str) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": f"{label} must be 254 characters or fewer",
        },
    )


def radios(label: str, choices, *, required: bool = True, message: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.RadioSelect,
        error_messages={
            "required": message or f"Select {label[0].lower()}{label[1:]}",
            "invalid_choice": message or f"Select {label[0].lower()}{label[1:]}",
        },
    )


class ChildDetailsForm(Form):
    """The child's details and the concern: shared by every way a referral comes in."""

    child_forename = text("First name", 100)
    child_surname = text("Last name", 100)
    child_date_of_birth = GovukDateField(
        label="Date of birth",
        label_for_errors="Date of birth",
        required=False,
        help_text="For example, 27 3 2014. Leave blank if you do not know it",
    )
    child_sex = radios("Sex", SEX_CHOICES, required=False)
    child_upn = text(
        "Unique pupil number (UPN)",
        20,
        help_text="13 characters, starting with a letter. Leave blank if you do not know it",
    )
    child_address = text("Address", 300, help_text="The last address you know for the child")
    child_postcode = text("Postcode", 10)
    last_known_school = text("Last known school or other education", 200)
    concerns = text("Concerns", CONCERNS_MAX_LENGTH, textarea=True)

    def clean(self):
        cleaned = super().clean()
        # The service enforces this too; asking here lists it with the form's other errors.
        names = (cleaned.get("child_forename"), cleaned.get("child_surname"))
        if not any((n or "").strip() for n in names) and "child_surname" not in self.errors:
            # Either name will do, so the error belongs to both fields (the summary lists it once).
            for name in ("child_forename", "child_surname"):
                if name in self.fields and name not in self.errors:
                    self.add_error(name, "Enter the child’s first name or last name")
        return cleaned

    def child_fields(self) -> dict:
        """The child's details as the service takes them."""
        data = {name: self.cleaned_data.get(name) for name in CHILD_FIELD_NAMES if name in self.fields}
        if "child_sex" in data:
            data["child_sex"] = data["child_sex"] if data["child_sex"] in ("F", "M") else ""
        return data

    def referrer_fields(self) -> dict:
        return {n: self.cleaned_data.get(n) or "" for n in REFERRER_FIELD_NAMES if n in self.fields}


def parse_time(value: str) -> clock | None:
    """A time of day as people type it: 14:30, 14.30, 2:30pm, 2pm, 9am."""
    value = value.strip().lower().replace(" ", "")
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?(am|pm)?", value)
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match[2] is None:
        return None  # a bare number is too ambiguous to guess
    if hour > 23 or minute > 59:
        return None
    return clock(hour, minute)


class OfficerReferralForm(ChildDetailsForm):
    """A contact an officer takes: a phone call, an email, a truancy sweep, a letter, a visit."""

    channel = radios("How was the contact received?", OFFICER_CHANNELS,
                     message="Select how the contact was received")
    received_at = GovukDateField(
        label="Date received", label_for_errors="Date received", help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the contact was received"},
    )
    received_time = text("Time received", 10, required=True,
                         help_text="For example, 14:30 or 2:30pm",
                         required_message="Enter the time the contact was received")
    referrer_name = text("Name of the person who made contact", 200)
    referrer_organisation = text("Their organisation", 200,
                                 help_text="Leave blank for a member of the public")
    referrer_phone = text("Their phone number", 40)
    referrer_email = email("Their email address")

    field_order = ["channel", "received_at", "received_time", *REFERRER_FIELD_NAMES,
                   *CHILD_FIELD_NAMES]

    def clean_received_time(self):
        value = self.cleaned_data["received_time"]
        parsed = parse_time(value)
        if parsed is None:
            raise forms.ValidationError("Enter the time received like 14:30 or 2:30pm")
        return parsed

    def received_datetime(self) -> datetime:
        return timezone.make_aware(
            datetime.combine(self.cleaned_data["received_at"], self.cleaned_data["received_time"])
        )


class PartnerReferralForm(ChildDetailsForm):
    """A referral from a signed-in partner agency or school."""

    referrer_name = text("Your name", 200, required=True)
    referrer_phone = text("Your phone number", 40)
    referrer_email = email("Your email address")

    field_order = [*CHILD_FIELD_NAMES, "referrer_name", "referrer_phone", "referrer_email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concerns"].required = True
        self.fields["concerns"].label = "Why are you concerned about the child’s education?"
        self.fields["concerns"].error_messages["required"] = (
            "Enter why you are concerned about the child’s education"
        )


# The public form: a honeypot catches robots that fill every field, and a signed start time
# catches those that submit faster than a person could read the page.
HONEYPOT_FIELD = "website"
STARTED_SALT = "cme.intake.public-referral-started"
STARTED_MAX_AGE = 24 * 60 * 60


def started_token() -> str:
    return signing.dumps(time.time(), salt=STARTED_SALT)


class PublicReferralForm(ChildDetailsForm):
    """A referral from a member of the public: no sign-in."""

    la = radios("Which council is the child’s?", [],
                message="Select the council the child lives in")
    referrer_name = text("Your name", 200, help_text="You can leave this blank")
    referrer_organisation = text(
        "Your organisation", 200, help_text="Only if you are contacting us for work"
    )
    referrer_phone = text("Your phone number", 40,
                          help_text="So that we can ask you more if we need to")
    referrer_email = email("Your email address")
    website = forms.CharField(required=False, label="Leave this blank")
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = ["la", *CHILD_FIELD_NAMES, *REFERRER_FIELD_NAMES]

    def __init__(self, *args, councils, min_seconds: float, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["child_upn"]  # the public will not know it
        self.min_seconds = min_seconds
        if len(councils) > 1:
            self.fields["la"].choices = [(str(c.pk), c.name) for c in councils]
        else:
            del self.fields["la"]
        self.fields["concerns"].required = True
        self.fields["concerns"].label = "Why are you worried about the child’s education?"
        self.fields["concerns"].help_text = (
            "For example, they have not been at school for a long time, or you see them "
            "out during school hours"
        )
        self.fields["concerns"].error_messages["required"] = (
            "Enter why you are worried about the child’s education"
        )
        self.fields["last_known_school"].label = "School the child last went to, if you know"
        self.fields["child_address"].label = "Where does the child live?"
        self.fields["child_address"].help_text = "The address, or as much of it as you know"

    def started_value(self) -> str:
        """The start time to carry forward: the one the person began with, if still good."""
        if self.is_bound:
            try:
                signing.loads(self.data.get("started", ""), salt=STARTED_SALT,
                              max_age=STARTED_MAX_AGE)
                return self.data["started"]
            except signing.BadSignature:
                pass
        return started_token()

    def clean(self):
        cleaned = super().clean()
        # A refusal a person can act on (the checks are against programs, not people): wait,
        # check and send again; or phone the team.
        refused = ("We could not send your referral: it looked as if it was sent by a computer "
                   "program. Wait a few seconds, check your answers and select ‘Send referral’ "
                   "again. If it still will not send, phone the council and ask for the children "
                   "missing education team.")
        if cleaned.get(HONEYPOT_FIELD):
            self.refused_as = "honeypot"
            raise forms.ValidationError(refused)
        try:
            started = signing.loads(cleaned.get("started") or "", salt=STARTED_SALT,
                                    max_age=STARTED_MAX_AGE)
        except signing.BadSignature:
            self.refused_as = "no-start-time"
            raise forms.ValidationError(refused) from None
        if time.time() - float(started) < self.min_seconds:
            self.refused_as = "too-fast"
            raise forms.ValidationError(refused)
        return cleaned

    def la_id(self) -> int | None:
        value = self.cleaned_data.get("la")
        return int(value) if value else None


DECISION_NEW = "new"
DECISION_NOT_CME = "not_cme"
OUTCOME_CASE, OUTCOME_CLOSE = "case", "close"


class TriageForm(ChildDetailsForm):
    """Correct the working copy, then decide: a case for a new or existing child, or not CME."""

    # Two questions, the second revealed by the first (GOV.UK conditional reveal): open a case
    # (or add to the child's open case) and for which child, or close as not CME and why.
    outcome = radios("What should happen to this referral?",
                     [(OUTCOME_CASE, "Open a case, or add the referral to the child’s open case"),
                      (OUTCOME_CLOSE, "Close it: the child is not missing education")],
                     required=False, message="Select what should happen to this referral")
    decision = radios("Which child is it?", [], required=False,
                      message="Select the child, or that the child is new to the register")
    category = radios(
        "Is the child missing education or at risk of missing it?",
        [(Category.MISSING.value, Category.MISSING.label),
         (Category.AT_RISK.value, Category.AT_RISK.label)],
        required=False,
        message="Select whether the child is missing education or at risk of missing it",
    )
    reason = forms.ChoiceField(
        label="Reason",
        choices=[("", "Select a reason"), *Reason.choices],
        required=False,
        error_messages={"invalid_choice": "Select a reason"},
    )
    reason_detail = text("More about the reason (optional)", 2000, textarea=True)
    responsible_officer = forms.ChoiceField(
        label="Responsible officer", required=False,
        error_messages={"invalid_choice": "Select an officer of this council who works cases"},
    )
    not_cme_reason = text("Why is the child not missing education?", 2000, textarea=True)

    def __init__(self, *args, candidates, officers, deciding: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(c.pk): c for c in candidates}
        self.deciding = deciding
        self.fields["decision"].choices = [
            *[(f"child-{pk}", c.full_name) for pk, c in self.candidates.items()],
            (DECISION_NEW, "A child new to the register"),
            # Accepted from clients that post the single decision; the page asks `outcome`.
            (DECISION_NOT_CME, "Close it: the child is not missing education"),
        ]
        self.fields["responsible_officer"].choices = [
            ("", "Nobody yet"), *[(str(o.pk), str(o)) for o in officers]
        ]
        self.officers = {str(o.pk): o for o in officers}

    @staticmethod
    def initial_from(referral, actor) -> dict:
        initial = {name: getattr(referral, name) for name in CHILD_FIELD_NAMES}
        initial["child_sex"] = referral.child_sex or ""
        initial["responsible_officer"] = str(actor.pk)
        return initial

    def chosen_child(self):
        decision = self.cleaned_data.get("decision") or ""
        if decision.startswith("child-"):
            return self.candidates[decision.removeprefix("child-")]
        return None

    def opens_case(self) -> bool:
        """Whether the decision opens a case (not: joins an open one, or closes as not CME)."""
        decision = self.cleaned_data.get("decision")
        if decision == DECISION_NEW:
            return True
        child = self.chosen_child()
        return child is not None and not child.open_cases

    def officer(self):
        return self.officers.get(self.cleaned_data.get("responsible_officer") or "")

    def clean(self):
        cleaned = super().clean()
        if not self.deciding:
            return cleaned
        outcome = cleaned.get("outcome")
        if not outcome and cleaned.get("decision"):
            # A client that posts the one-field decision (as before the two questions) still works.
            outcome = OUTCOME_CLOSE if cleaned["decision"] == DECISION_NOT_CME else OUTCOME_CASE
        if outcome == OUTCOME_CLOSE:
            cleaned["decision"] = DECISION_NOT_CME
            return cleaned
        if outcome != OUTCOME_CASE:
            if "outcome" not in self.errors:
                self.add_error("outcome", "Select what should happen to this referral")
            return cleaned
        if not cleaned.get("decision"):
            if "decision" not in self.errors:
                self.add_error("decision", "Select the child, or that the child is new to the register")
            return cleaned
        if self.opens_case():
            if not cleaned.get("category"):
                self.add_error(
                    "category",
                    "Select whether the child is missing education or at risk of missing it",
                )
            if not cleaned.get("reason"):
                self.add_error("reason", "Select a reason")
        if cleaned["decision"] == DECISION_NEW:
            # Until full matching (issue 3), at least never add a second child with one UPN.
            upn = normalise_upn(cleaned.get("child_upn") or "")
            if upn and any(
                upn == c.upn or upn in {f.upn for f in c.former_upns.all()}
                for c in self.candidates.values()
            ):
                self.add_error(
                    "decision",
                    "A child is already on the register with this UPN: choose them, "
                    "or correct the UPN",
                )
        return cleaned
