from __future__ import annotations

from django import forms

from cme.core.forms import Form, GovukDateField
from cme.tracking.models import GROUND_LABELS

DATE_HINT = "For example, 27 3 2026"


class DeletionReturnForm(Form):
    pupil = forms.ChoiceField(label="Pupil", error_messages={
        "required": "Choose the pupil you took off roll", "invalid_choice": "Choose a pupil on your roll"})
    deleted_on = GovukDateField(label="Date taken off roll", label_for_errors="Date taken off roll",
                                help_text=DATE_HINT)
    ground = forms.ChoiceField(label="Ground for deletion (reg 9(1))", choices=[("", "Choose a ground")] + [
        (k, v) for k, v in GROUND_LABELS.items()], error_messages={"required": "Choose the ground for deletion",
                                                                      "invalid_choice": "Choose a ground from the list"})
    destination = forms.CharField(label="Next school's LAESTAB (if known)", required=False, max_length=7,
                                  help_text="7 digits: the LA code and establishment number")
    destination_detail = forms.CharField(label="Next school or new address, as the family gave it (if known)",
                                         required=False, max_length=300)
    notice_received = forms.BooleanField(label="We have the parent's written notice of home education (ground f)",
                                         required=False)
    other_registration = forms.CharField(label="The other school the pupil is registered at (ground c)",
                                         required=False, max_length=200)
    exclusion_on = GovukDateField(label="Date of the permanent exclusion (ground o)",
                                  label_for_errors="Date of the permanent exclusion", required=False,
                                  help_text=DATE_HINT)

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self._pupils = {str(e.child_id): e for e in pupils}
        self.fields["pupil"].choices = [("", "Choose a pupil")] + [
            (str(e.child_id), f"{e.child.legal_surname}, {e.child.legal_forename}"
                              + (f" (born {e.child.date_of_birth:%d/%m/%Y})" if e.child.date_of_birth else ""))
            for e in pupils]

    def child(self):
        enrolment = self._pupils.get(self.cleaned_data.get("pupil") or "")
        return enrolment.child if enrolment else None


class DecisionForm(Form):
    decision = forms.ChoiceField(choices=[("confirm", "confirm"), ("reject", "reject")])


class LeaverFilterForm(Form):
    school = forms.ChoiceField(label="School", required=False)
    ground = forms.ChoiceField(label="Ground", required=False, choices=[("", "Any"), ("none", "No ground given")] + [
        (k, v) for k, v in GROUND_LABELS.items()])

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "Any")] + [(str(s.pk), s.name) for s in schools]


class ReturnsUploadForm(Form):
    MAX_BYTES = 5 * 1024 * 1024  # a year of a large secondary's returns is a few hundred rows

    file = forms.FileField(label="Deletion returns file (CSV)", error_messages={"required": "Choose a file to upload"},
                           help_text="Columns laestab,upn,deleted_on,ground,destination,destination_detail,"
                                     "notice_received,other_registration,exclusion_on")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file must be smaller than 5 MB")
        if upload.size == 0:
            raise forms.ValidationError("The file is empty")
        return upload
