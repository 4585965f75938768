"""The directory's filters."""

from django import forms

from cme.core.forms import Form
from cme.providers.models import PROVIDER_KINDS, OrgKind, Phase, Status

KIND_CHOICES = [("", "Any kind")] + [(k.value, k.label) for k in OrgKind if k in PROVIDER_KINDS]
PHASE_CHOICES = [("", "Any phase")] + [(p.value, p.label) for p in Phase if p.value]
STATUS_CHOICES = [("", "Any status"), *Status.choices]


class DirectoryFilterForm(Form):
    q = forms.CharField(label="Name, URN, LAESTAB or postcode", required=False, max_length=100)
    kind = forms.ChoiceField(label="Kind of provider", choices=KIND_CHOICES, required=False)
    phase = forms.ChoiceField(label="Phase", choices=PHASE_CHOICES, required=False)
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {
            "query": self.cleaned_data["q"],
            "kind": self.cleaned_data["kind"],
            "phase": self.cleaned_data["phase"],
            "status": self.cleaned_data["status"],
        }


class LaContactSearchForm(Form):
    q = forms.CharField(label="Authority name, LA code or contact", required=False, max_length=100)


class LaContactForm(Form):
    contact_name = forms.CharField(label="Named CME contact", required=False, max_length=120)
    contact_email = forms.CharField(
        label="Email address",
        required=False,
        max_length=254,
        help_text="Referrals of children moving to this authority are sent here",
    )
    contact_phone = forms.CharField(label="Phone number", required=False, max_length=40)
