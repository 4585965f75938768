"""Forms for the children search, the child page and its edits. Rules live in the services:
these forms parse, and show the services' messages against the field they name."""

from django import forms

from cme.core.forms import Form, GovukDateField
from cme.people.models import NameKind, Sex, Vulnerability


class ChildSearchForm(Form):
    q = forms.CharField(
        label="Search for a child",
        required=False,
        max_length=100,
        help_text="Name, UPN or date of birth (for example 27/3/2015)",
    )


class ChildDetailsForm(Form):
    legal_forename = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the child’s first name"}
    )
    legal_middle_names = forms.CharField(label="Middle names", max_length=200, required=False)
    legal_surname = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the child’s last name"}
    )
    date_of_birth = GovukDateField(
        label="Date of birth",
        required=False,
        label_for_errors="Date of birth",
        help_text="For example, 27 3 2015",
    )
    sex = forms.ChoiceField(
        label="Sex",
        required=False,
        choices=Sex.choices,
        error_messages={"invalid_choice": "Choose female, male or not known"},
    )
    upn = forms.CharField(
        label="UPN (unique pupil number)",
        max_length=20,
        required=False,
        help_text="13 characters. A temporary UPN ends in a letter.",
    )
    uln = forms.CharField(
        label="ULN (unique learner number)", max_length=10, required=False, help_text="10 digits"
    )

    @classmethod
    def for_child(cls, child) -> "ChildDetailsForm":
        return cls(initial={name: getattr(child, name) for name in cls.base_fields})


class FlagForm(Form):
    flag = forms.ChoiceField(
        label="Vulnerability",
        choices=Vulnerability.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the vulnerability",
            "invalid_choice": "Unknown vulnerability flag: choose one from the list",
        },
    )
    detail = forms.CharField(label="Details (optional)", required=False, widget=forms.Textarea, max_length=2000)
    started_on = GovukDateField(
        label="Since (optional)", required=False, label_for_errors="The start date",
        help_text="For example, 27 3 2024",
    )


class AddressForm(Form):
    line1 = forms.CharField(
        label="Address line 1", max_length=200,
        error_messages={"required": "Enter the first line of the address"},
    )
    line2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    town = forms.CharField(label="Town or city", max_length=100, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    lived_from = GovukDateField(
        label="Living here since (optional)", required=False, label_for_errors="The date they moved in",
        help_text="For example, 27 3 2024. The current address ends on this date.",
    )
    is_refuge = forms.BooleanField(label="This is a refuge address", required=False)


class ContactForm(Form):
    name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter the contact’s name"})
    relationship = forms.CharField(
        label="Relationship to the child", max_length=60, required=False, help_text="For example, mother, foster carer, aunt"
    )
    parental_responsibility = forms.BooleanField(label="Has parental responsibility", required=False)
    phone = forms.CharField(label="Phone number (optional)", max_length=40, required=False)
    email = forms.EmailField(
        label="Email address (optional)", required=False,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    address = forms.CharField(label="Address (optional)", max_length=300, required=False, widget=forms.Textarea)


class NameForm(Form):
    kind = forms.ChoiceField(
        label="Kind of name",
        choices=NameKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose preferred or former name", "invalid_choice": "Choose preferred or former name"},
    )
    forename = forms.CharField(label="First name", max_length=100, required=False)
    surname = forms.CharField(label="Last name", max_length=100, required=False)
    used_from = GovukDateField(label="Used from (optional)", required=False, label_for_errors="The start date")
    used_to = GovukDateField(label="Used until (optional)", required=False, label_for_errors="The end date")
