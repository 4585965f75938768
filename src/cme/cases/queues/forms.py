"""Forms of the work queues: a task, reassigning one case or a caseload."""

from __future__ import annotations

from django import forms

from cme.core.forms import Form, GovukDateField


def _officer_choices(officers, blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [(str(o.pk), str(o)) for o in officers]


class OfficerChoiceMixin:
    def chosen(self, name: str):
        return self._officers.get(self.cleaned_data.get(name) or "")


class TaskForm(OfficerChoiceMixin, Form):
    title = forms.CharField(
        label="What needs to be done", max_length=200,
        error_messages={"required": "Enter what needs to be done",
                        "max_length": "What needs to be done must be 200 characters or fewer"},
    )
    due_on = GovukDateField(label="Due by", required=False, label_for_errors="Due by",
                            help_text="Leave blank if there is no date. For example, 27 3 2026")
    assigned_to = forms.ChoiceField(label="Who does it", required=False,
                                    error_messages={"invalid_choice": "Choose an officer from the list"})
    urgent = forms.BooleanField(label="This is urgent", required=False)

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].choices = _officer_choices(officers, "Nobody yet")
        self._officers = {str(o.pk): o for o in officers}


class ReassignCaseForm(OfficerChoiceMixin, Form):
    officer = forms.ChoiceField(
        label="Give the case to",
        error_messages={"required": "Choose the officer to give the case to",
                        "invalid_choice": "Choose an officer from the list"},
    )

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = _officer_choices(officers, "Choose an officer")
        self._officers = {str(o.pk): o for o in officers}


class ReassignAllForm(OfficerChoiceMixin, Form):
    to_officer = forms.ChoiceField(
        label="Give all of this work to",
        error_messages={"required": "Choose the officer to give the work to",
                        "invalid_choice": "Choose an officer from the list"},
    )

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_officer"].choices = _officer_choices(officers, "Choose an officer")
        self._officers = {str(o.pk): o for o in officers}
