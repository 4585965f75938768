"""The form that records a risk of significant harm."""

from __future__ import annotations

from django import forms

from cme.core.forms import Form


class SignificantHarmForm(Form):
    detail = forms.CharField(
        label="What is the risk of significant harm?", widget=forms.Textarea, max_length=5000,
        help_text="This stays on the case and is shown only to roles that may see restricted "
                  "information. The e-mail to social care and the police does not include it.",
        error_messages={"required": "Enter what the risk of significant harm is",
                        "max_length": "What the risk is must be 5,000 characters or fewer"},
    )
