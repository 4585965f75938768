"""Forms of places, requests and panels. Each page's fields; the rules are the services'."""

from __future__ import annotations

from django import forms

from cme.core.forms import Form, GovukDateField
from cme.places.models import Need, PanelKind, RequestKind

DATE_HINT = "For example, 27 3 2026"
YEAR_CHOICES = [("", "Choose a year group"), ("N1", "Nursery 1"), ("N2", "Nursery 2"), ("R", "Reception"),
                *[(str(n), f"Year {n}") for n in range(1, 15)]]


class RequestForm(Form):
    provider = forms.ChoiceField(label="Provider to ask", error_messages={
        "required": "Choose the provider to ask", "invalid_choice": "Choose a provider from the list"})
    kind = forms.ChoiceField(label="Kind of request", choices=RequestKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose the kind of request",
                                             "invalid_choice": "Choose the kind of request"})
    year_group = forms.ChoiceField(label="Year group", choices=YEAR_CHOICES,
                                   error_messages={"required": "Choose the year group",
                                                   "invalid_choice": "Choose a year group from the list"})
    note = forms.CharField(label="Note to the provider (optional)", required=False, max_length=2000,
                           widget=forms.Textarea)

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self._providers = {str(p.pk): p for p in providers}
        self.fields["provider"].choices = [("", "Choose a provider"), *[(str(p.pk), p.name) for p in providers]]

    def picked(self):
        return self._providers.get(self.cleaned_data.get("provider") or "")


class AnswerForm(Form):
    answer = forms.ChoiceField(label="The provider's answer", widget=forms.RadioSelect, choices=[
        ("offered", "Offered a place"), ("refused", "Refused"), ("no_answer", "No answer (recorded by the authority)")],
        error_messages={"required": "Choose the answer", "invalid_choice": "Choose the answer"})
    start_on = GovukDateField(label="Start date (with an offer)", label_for_errors="Start date", required=False,
                              help_text=DATE_HINT)
    reason = forms.CharField(label="Why was the place refused? (with a refusal)", required=False, max_length=2000,
                             widget=forms.Textarea)


class PlacesForm(Form):
    year_group = forms.ChoiceField(label="Year group", choices=YEAR_CHOICES,
                                   error_messages={"required": "Choose the year group",
                                                   "invalid_choice": "Choose a year group from the list"})
    places_free = forms.IntegerField(label="Places free today", min_value=0, max_value=2000, required=False,
                                     help_text="Leave empty to use the count from the roll again",
                                     error_messages={"invalid": "Enter the places free as a whole number",
                                                     "min_value": "Places free cannot be below 0",
                                                     "max_value": "Places free must be 2000 or fewer"})


class CapacityForm(Form):
    year_group = forms.ChoiceField(label="Year group", choices=YEAR_CHOICES,
                                   error_messages={"required": "Choose the year group",
                                                   "invalid_choice": "Choose a year group from the list"})
    capacity = forms.IntegerField(label="Published admission number or capacity", min_value=0, max_value=2000,
                                  error_messages={"required": "Enter the capacity",
                                                  "invalid": "Enter the capacity as a whole number",
                                                  "min_value": "The capacity cannot be below 0",
                                                  "max_value": "The capacity must be 2000 or fewer"})


class ProfileForm(Form):
    low_year = forms.ChoiceField(label="Lowest year group", choices=YEAR_CHOICES, required=False)
    high_year = forms.ChoiceField(label="Highest year group", choices=YEAR_CHOICES, required=False)
    needs_met = forms.MultipleChoiceField(label="Needs met", choices=Need.choices, required=False,
                                          widget=forms.CheckboxSelectMultiple,
                                          error_messages={"invalid_choice": "Choose needs from the list"})
    referral_route = forms.CharField(label="Referral route", required=False, max_length=300)
    hours_per_week = forms.DecimalField(label="Hours a week", required=False, min_value=0, max_value=100,
                                        decimal_places=1, error_messages={"invalid": "Enter the hours as a number"})
    cost_per_week = forms.DecimalField(label="Cost a week in pounds", required=False, min_value=0,
                                       max_value=100000, decimal_places=2,
                                       error_messages={"invalid": "Enter the cost as a number, like 250.00"})
    serves_km = forms.DecimalField(label="Serves children living within (km)", required=False, min_value=0,
                                   max_value=999, decimal_places=1, help_text="Leave empty if it serves the whole area",
                                   error_messages={"invalid": "Enter the distance as a number"})
    places_free = forms.IntegerField(label="Places free", required=False, min_value=0, max_value=2000,
                                     error_messages={"invalid": "Enter the places free as a whole number"})


class PanelForm(Form):
    name = forms.CharField(label="Name of the panel", max_length=200,
                           error_messages={"required": "Enter the panel's name"})
    kind = forms.ChoiceField(label="Kind of panel", choices=PanelKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose the kind of panel",
                                             "invalid_choice": "Choose the kind of panel"})
    members = forms.CharField(label="Members (optional)", required=False, max_length=3000, widget=forms.Textarea,
                              help_text="One a line: the name, a semicolon, and whom they represent")

    def member_list(self) -> list[tuple[str, str]]:
        out = []
        for line in (self.cleaned_data.get("members") or "").splitlines():
            name, _, represents = line.partition(";")
            if name.strip():
                out.append((name.strip()[:200], represents.strip()[:200]))
        return out


class DecisionForm(Form):
    decision = forms.CharField(label="Decision", max_length=5000, widget=forms.Textarea,
                               error_messages={"required": "Enter the panel's decision"})
    restricted_notes = forms.CharField(label="Restricted notes (only roles that see restricted detail)",
                                       required=False, max_length=5000, widget=forms.Textarea)
    action = forms.CharField(label="Action (optional)", required=False, max_length=200)
    owner = forms.ChoiceField(label="Owner of the action", required=False,
                              error_messages={"invalid_choice": "Choose an officer from the list"})
    due_on = GovukDateField(label="Action due", label_for_errors="Action due", required=False, help_text=DATE_HINT)

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self._officers = {str(o.pk): o for o in officers}
        self.fields["owner"].choices = [("", "Choose an officer"), *[(str(o.pk), str(o)) for o in officers]]

    def actions(self):
        title = (self.cleaned_data.get("action") or "").strip()
        if not title:
            return []
        return [(title, self._officers.get(self.cleaned_data.get("owner") or ""), self.cleaned_data.get("due_on"))]
