"""Forms of case work. Each page's fields; the rules are the services'."""

from __future__ import annotations

from django import forms

from cme.cases.casework.models import DeletionGround, EnquiryKind, ProvisionKind, SenStatus
from cme.cases.register.models import KeyWorkerRole, Outcome
from cme.core.forms import Form, GovukDateField

DATE_HINT = "For example, 27 3 2026"


def _text(label: str, *, required: bool = False, message: str = "", max_length: int = 5000, **kw):
    errors = {"required": message} if message else {}
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea, max_length=max_length,
        error_messages=errors, **kw,
    )


def _user_choices(users) -> list[tuple[str, str]]:
    return [(str(u.pk), str(u)) for u in users]


class _PicksUser(Form):
    """A form with a choice of officer, given the officers to offer."""

    user_field = "officer"

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self._officers = {str(o.pk): o for o in officers}
        self.fields[self.user_field].choices = [("", "Choose an officer"), *_user_choices(officers)]

    def picked(self):
        return self._officers.get(self.cleaned_data.get(self.user_field) or "")


class EnquiryForm(_PicksUser):
    kind = forms.ChoiceField(
        label="Kind of enquiry",
        choices=EnquiryKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of enquiry", "invalid_choice": "Choose the kind of enquiry"},
    )
    made_on = GovukDateField(label="Date of the enquiry", label_for_errors="Date of the enquiry",
                             help_text=DATE_HINT, required=False)
    officer = forms.ChoiceField(
        label="Officer who made it",
        error_messages={"required": "Choose the officer who made the enquiry",
                        "invalid_choice": "Choose an officer from the list"},
    )
    outcome = _text("What did the enquiry find?", required=True, message="Enter what the enquiry found")
    next_step = _text("Next step (optional)", max_length=2000)
    joint_with = forms.ChoiceField(
        label="Made jointly with a school (optional)",
        required=False,
        help_text="For a deletion under ground 9(1)(h) or 9(1)(i) the school and the authority enquire jointly",
        error_messages={"invalid_choice": "Choose a school from the list"},
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self._schools = {str(s.pk): s for s in schools}
        self.fields["joint_with"].choices = [("", "No, the authority alone")] + [(str(s.pk), s.name) for s in schools]

    def school(self):
        return self._schools.get(self.cleaned_data.get("joint_with") or "")


class FoundForm(Form):
    on = GovukDateField(label="Date the child was found", label_for_errors="Date the child was found",
                        help_text=DATE_HINT, required=False)
    line1 = forms.CharField(label="Address line 1", max_length=200,
                            error_messages={"required": "Enter the first line of the address where the child was found"})
    line2 = forms.CharField(label="Address line 2 (optional)", required=False, max_length=200)
    town = forms.CharField(label="Town or city (optional)", required=False, max_length=100)
    postcode = forms.CharField(label="Postcode (optional)", required=False, max_length=10)
    is_refuge = forms.BooleanField(
        label="This is a refuge address (shown only to staff who may see restricted detail)", required=False
    )
    parental_responsibility = forms.CharField(
        label="Who has parental responsibility?", max_length=200,
        help_text="Name and relationship, for example Jane Hartley (mother)",
        error_messages={"required": "Enter who has parental responsibility"},
    )
    detail = _text("Anything else (optional)", max_length=2000)


class MovedForm(Form):
    other_la = forms.ChoiceField(
        label="Which authority did the family move to?",
        error_messages={"required": "Choose the authority the family moved to",
                        "invalid_choice": "Choose an authority from the list"},
    )
    on = GovukDateField(label="Date the family moved", label_for_errors="Date the family moved",
                        help_text=DATE_HINT, required=False)
    detail = _text(
        "What do you know of the move? (optional)", max_length=2000,
        help_text="Sent to the other authority: the new address if known, who told you. No restricted detail.",
    )

    def __init__(self, *args, authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self._authorities = {str(a.pk): a for a in authorities}
        self.fields["other_la"].choices = [("", "Choose an authority")] + [
            (str(a.pk), a.name + ("" if a.contact_email else " (no contact recorded)")) for a in authorities
        ]

    def authority(self):
        return self._authorities.get(self.cleaned_data.get("other_la") or "")


class AcceptedForm(Form):
    accepted_on = GovukDateField(label="Date the other authority accepted",
                                 label_for_errors="Date the other authority accepted", help_text=DATE_HINT,
                                 required=False)


class LeftCountryForm(Form):
    on = GovukDateField(label="Date the family left", label_for_errors="Date the family left",
                        help_text=DATE_HINT, required=False)
    country = forms.CharField(label="Country (optional)", required=False, max_length=100)
    detail = _text("How do you know? (optional)", max_length=2000)


class NotFoundForm(Form):
    on = GovukDateField(label="Date", label_for_errors="Date", help_text=DATE_HINT, required=False)
    detail = _text("What has been tried so far?", required=True, message="Enter what has been tried so far",
                   max_length=2000)


class KeyWorkerForm(_PicksUser):
    officer = forms.ChoiceField(
        label="Officer",
        error_messages={"required": "Choose the key worker or lead professional",
                        "invalid_choice": "Choose an officer from the list"},
    )
    role = forms.ChoiceField(
        label="Role", choices=KeyWorkerRole.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose key worker or lead professional",
                        "invalid_choice": "Choose key worker or lead professional"},
    )
    since = GovukDateField(label="Date allocated", label_for_errors="Date allocated",
                           help_text="Leave blank for today. " + DATE_HINT, required=False)


class NeedsAssessmentForm(Form):
    education_history = _text("Education history and gaps")
    sen_status = forms.ChoiceField(
        label="Special educational needs", required=False, choices=SenStatus.choices, widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a special educational needs status"},
    )
    sen_detail = _text("Special educational needs: detail (optional)")
    health = _text("Health")
    family_circumstances = _text("Family circumstances")
    disengagement_reasons = _text("Why the child disengaged from education")
    parent_preferences = _text("Parents’ preferences")
    child_preferences = _text("The child’s preferences")
    recommended_provision = forms.ChoiceField(
        label="Recommended provision", required=False, choices=ProvisionKind.choices, widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a form of provision"},
    )
    provision_detail = _text("Provision: detail (optional)")
    assessed_on = GovukDateField(label="Date assessed", label_for_errors="Date assessed",
                                 help_text="Used when you complete the assessment; blank for today. " + DATE_HINT,
                                 required=False)


class DecisionForm(Form):
    decision = forms.ChoiceField(
        label="Decision", widget=forms.RadioSelect,
        choices=[("approve", "Approve"), ("return", "Return it")],
        error_messages={"required": "Choose whether to approve", "invalid_choice": "Choose whether to approve"},
    )
    note = _text("Note (needed when you do not approve)", max_length=2000)

    def __init__(self, *args, approve_label: str = "Approve", return_label: str = "Return it", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [("approve", approve_label), ("return", return_label)]


class EvidenceForm(Form):
    school = forms.ChoiceField(
        label="School that wants to delete the pupil",
        error_messages={"required": "Choose the school that wants to delete the pupil",
                        "invalid_choice": "Choose a school from the list"},
    )
    ground = forms.ChoiceField(
        label="Deletion ground", choices=DeletionGround.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose the deletion ground", "invalid_choice": "Choose the deletion ground"},
    )
    absence_from = GovukDateField(
        label="First day of absence (9(1)(i)), or the day after leave ended (9(1)(h))",
        label_for_errors="First day of absence", help_text=DATE_HINT, required=False,
    )
    leave_ended_on = GovukDateField(label="Date leave of absence ended (9(1)(h) only)",
                                    label_for_errors="Date leave ended", help_text=DATE_HINT, required=False)
    last_attended_on = GovukDateField(label="Last day attended (optional)", label_for_errors="Last day attended",
                                      help_text=DATE_HINT, required=False)
    absence_detail = _text("The absence: sessions, codes and contacts with the family (optional)", max_length=4000)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self._schools = {str(s.pk): s for s in schools}
        self.fields["school"].choices = [("", "Choose a school")] + [(str(s.pk), s.name) for s in schools]

    def picked_school(self):
        return self._schools.get(self.cleaned_data.get("school") or "")


class ProvisionForm(Form):
    provider = forms.ChoiceField(label="Provider with a place for the child",
                                 error_messages={"required": "Choose the school or provider",
                                                 "invalid_choice": "Choose a school or provider from the list"})
    on = GovukDateField(label="Date the provision was identified", label_for_errors="Date the provision was identified",
                        help_text=DATE_HINT, required=False)
    starts_on = GovukDateField(label="Date the child starts (when agreed)", label_for_errors="Date the child starts",
                               help_text="Leave blank until the start is agreed. " + DATE_HINT, required=False)
    detail = _text("Place offered (optional)", max_length=2000)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self._schools = {str(s.pk): s for s in schools if s.is_open}
        self.fields["provider"].choices = [("", "Choose a school or provider")] + [
            (str(s.pk), s.name) for s in schools if s.is_open]

    def picked(self):
        return self._schools.get(self.cleaned_data.get("provider") or "")


class CloseForm(Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the outcome before closing the case",
            "invalid_choice": "Choose an outcome from the list",
        },
    )
    detail = forms.CharField(label="Details (optional)", required=False, widget=forms.Textarea, max_length=2000)
    on = GovukDateField(
        label="Date closed",
        required=False,
        label_for_errors="Date closed",
        help_text="Leave blank for today. For example, 27 3 2026",
    )


class ReopenForm(Form):
    reason = forms.CharField(
        label="Why is the case being reopened?",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter why the case is being reopened"},
    )
