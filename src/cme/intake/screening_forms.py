"""The at-risk list's filter panel."""

from django import forms

from cme.accounts import policy
from cme.core.forms import Form
from cme.intake.models import ScreeningRule
from cme.intake.screening_selectors import ALL, CLEARED, OPEN, AtRiskFilters
from cme.people.models import RESTRICTED_FLAGS, Vulnerability

ANY = ("", "Any")
CHILD_RULES = [(v, label) for v, label in ScreeningRule.choices if v != ScreeningRule.REGISTERS_MISSING]
STATUSES = [(OPEN, "Still found"), (CLEARED, "Cleared"), (ALL, "Either")]


class AtRiskFilterForm(Form):
    """Bound to the query string, so a filtered list can be bookmarked."""

    status = forms.ChoiceField(label="Pattern", required=False, choices=STATUSES,
                               error_messages={"invalid_choice": "Choose still found, cleared or either"})
    rule = forms.ChoiceField(label="Rule", required=False, choices=[ANY, *CHILD_RULES],
                             error_messages={"invalid_choice": "Choose a rule from the list"})
    provider = forms.ChoiceField(label="School or provider", required=False,
                                 error_messages={"invalid_choice": "Choose a school or provider from the list"})
    flag = forms.ChoiceField(label="Vulnerable group", required=False,
                             error_messages={"invalid_choice": "Choose a vulnerable group from the list"})
    year_group = forms.ChoiceField(label="Year group", required=False,
                                   error_messages={"invalid_choice": "Choose a year group from the list"})

    def __init__(self, *args, user, providers, year_groups, **kwargs):
        super().__init__(*args, **kwargs)
        # Restricted groups are offered only to those who may see them.
        self.fields["flag"].choices = [ANY] + [
            (v, label) for v, label in Vulnerability.choices
            if policy.may_see_flag(user, restricted=v in RESTRICTED_FLAGS)
        ]
        self.fields["provider"].choices = [ANY] + [(str(p.pk), p.name) for p in providers]
        self.fields["year_group"].choices = [ANY] + [(g, f"Year {g}" if g.isdigit() else g) for g in year_groups]

    def _valid(self, name):
        """A field's clean value, or its empty value when it was bad (the other filters still apply)."""
        self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None

    def filters(self) -> AtRiskFilters:
        provider = self._valid("provider")
        return AtRiskFilters(
            rule=self._valid("rule") or "",
            provider=int(provider) if provider else None,
            flag=self._valid("flag") or "",
            year_group=self._valid("year_group") or "",
            status=self._valid("status") or OPEN,
        )
