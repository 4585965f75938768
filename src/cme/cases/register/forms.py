"""Forms of the register: the case list's filters, a stage move, an officer, a note."""

from __future__ import annotations

from django import forms

from cme.accounts import policy
from cme.cases.register.models import Category, Stage
from cme.cases.register.selectors import CaseFilters
from cme.core.forms import Form, GovukDateField
from cme.people.models import RESTRICTED_FLAGS, Vulnerability

ANY = ("", "Any")


class CaseFilterForm(Form):
    """The filter panel. Bound to the query string, so a filtered list can be bookmarked."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Name, UPN, date of birth (for example 27/3/2015) or case reference",
    )
    overdue = forms.ChoiceField(label="Overdue clock", required=False, choices=[],
                                error_messages={"invalid_choice": "Choose a clock from the list"})
    stage = forms.ChoiceField(
        label="Stage",
        required=False,
        choices=[ANY, *Stage.choices],
        error_messages={"invalid_choice": "Choose a stage from the list"},
    )
    category = forms.ChoiceField(
        label="Category",
        required=False,
        choices=[ANY, *Category.choices],
        error_messages={"invalid_choice": "Choose a category from the list"},
    )
    flag = forms.ChoiceField(
        label="Vulnerable group",
        required=False,
        error_messages={"invalid_choice": "Choose a vulnerable group from the list"},
    )
    officer = forms.ChoiceField(
        label="Responsible officer",
        required=False,
        error_messages={"invalid_choice": "Choose an officer from the list"},
    )
    school = forms.ChoiceField(
        label="School",
        required=False,
        help_text="Last known school, or any school the child was on the roll of",
        error_messages={"invalid_choice": "Choose a school from the list"},
    )
    referred_from = GovukDateField(
        label="Referred on or after", required=False, label_for_errors="Referred on or after"
    )
    referred_to = GovukDateField(
        label="Referred on or before", required=False, label_for_errors="Referred on or before"
    )
    open = forms.BooleanField(label="Open cases only", required=False)

    def __init__(self, *args, user, officers, providers, clocks=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The authority's clocks (from the work queues, which own them).
        self.fields["overdue"].choices = [ANY, ("any", "Any clock overdue")] + [
            (key, f"{name}: overdue") for key, name in clocks]
        # Restricted groups are offered only to those who may see them.
        self.fields["flag"].choices = [ANY] + [
            (v, label)
            for v, label in Vulnerability.choices
            if policy.may_see_flag(user, restricted=v in RESTRICTED_FLAGS)
        ]
        self.fields["officer"].choices = [ANY] + [(str(o.pk), str(o)) for o in officers]
        self.fields["school"].choices = [ANY] + [(str(p.pk), p.name) for p in providers]

    def clean(self):
        data = super().clean()
        start, end = data.get("referred_from"), data.get("referred_to")
        if start and end and end < start:
            self.add_error("referred_to", "Referred on or before must be the same as or after referred on or after")
        return data

    def _valid(self, name):
        """A field's clean value, or its empty value when it was bad (the rest still apply)."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None

    def filters(self) -> CaseFilters:
        return CaseFilters(
            stage=self._valid("stage") or "",
            category=self._valid("category") or "",
            flag=self._valid("flag") or "",
            officer=int(self._valid("officer")) if self._valid("officer") else None,
            school=int(self._valid("school")) if self._valid("school") else None,
            referred_from=self._valid("referred_from"),
            referred_to=self._valid("referred_to"),
            query=self._valid("q") or "",
            open_only=bool(self._valid("open")),
            overdue=self._valid("overdue") or "",
        )


class StageMoveForm(Form):
    # Every stage validates here, so the service, which knows the rules, explains a refused move.
    to_stage = forms.ChoiceField(
        label="Move the case to",
        choices=Stage.choices,
        error_messages={
            "required": "Choose the stage to move the case to",
            "invalid_choice": "Choose a stage from the list",
        },
    )
    on = GovukDateField(
        label="Date of the move",
        required=False,
        label_for_errors="Date of the move",
        help_text="Leave blank for today. For example, 27 3 2026",
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea, max_length=2000)
    override_reason = forms.CharField(
        label="Reason for moving past a missing step", required=False, max_length=500,
        help_text="Managers only. Recorded on the timeline and in the audit trail.",
    )


class AssignForm(Form):
    officer = forms.ChoiceField(
        label="Responsible officer",
        required=False,
        error_messages={"invalid_choice": "Choose an officer from the list"},
    )

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [("", "Nobody")] + [(str(o.pk), str(o)) for o in officers]
        self._officers = {str(o.pk): o for o in officers}

    def officer_user(self):
        return self._officers.get(self.cleaned_data.get("officer") or "")


class NoteForm(Form):
    text = forms.CharField(
        label="Add a note",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "Enter the note"},
    )
