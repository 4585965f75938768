"""Django forms rendered with GOV.UK Frontend macros.

Templates call the macros themselves, with parameters built here from a bound field:

    {{ govukInput(field_params(form.child_surname, classes="govuk-input--width-20")) }}
    {{ govukDateInput(date_params(form.child_date_of_birth)) }}
    {{ govukErrorSummary(error_summary_params(form)) if form.errors }}
"""

from datetime import date
from typing import Any

from django import forms
from django.core import validators as django_validators
from django.core.exceptions import ValidationError

from cme.core.inputs import is_ascii_digits, text_problem


class Form(forms.Form):
    """The base of every form: each text field refuses what no person types and no column holds
    (control characters, direction overrides, other line breaks: cme.core.inputs), as the API
    and the file readers do. A text area may hold line breaks and tabs. Fields named in
    raw_text_fields (a password) are taken as typed."""

    raw_text_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField) and name not in self.raw_text_fields:
                # One message for NUL, this form's, not Django's as well.
                field.validators = [v for v in field.validators
                                    if not isinstance(v, django_validators.ProhibitNullCharactersValidator)]

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or (self.empty_permitted and not self.has_changed()):
            return
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField) or name in self.raw_text_fields:
                continue
            value = self.cleaned_data.get(name)
            if name in self.errors or not isinstance(value, str) or not value:
                continue
            problem = text_problem(value, max_length=field.max_length,
                                   multiline=isinstance(field.widget, forms.Textarea))
            if problem:
                # The label as the page shows it now: some forms rename a field after __init__.
                self.add_error(name, f"{field.label or 'The text'} {problem}")


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year boxes, as the GOV.UK date input pattern asks."""

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()], attrs)

    def decompress(self, value):
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}-{part}", "").strip() for part in ("day", "month", "year")]


class GovukDateField(forms.Field):
    """A date from three boxes, with the GOV.UK error messages for each way it can be wrong."""

    widget = GovukDateWidget

    def __init__(self, *, label_for_errors: str = "Date", **kwargs):
        self.label_for_errors = label_for_errors
        super().__init__(**kwargs)

    def to_python(self, value) -> date | None:
        day, month, year = (value or ["", "", ""])
        label = self.label_for_errors
        if not (day or month or year):
            return None
        missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise ValidationError(f"{label} must include a {' and '.join(missing)}")
        # ASCII digits only ("²" and "٣" are digits to str.isdigit), and no more of them than a
        # date has: a 30-digit month would overflow date() and answer 500.
        if not (is_ascii_digits(day) and is_ascii_digits(month) and is_ascii_digits(year)):
            raise ValidationError(f"{label} must be a real date")
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers")
        if len(day) > 2 or len(month) > 2:
            raise ValidationError(f"{label} must be a real date")
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{label} must be a real date") from None


def _first_error(bound_field) -> dict | None:
    errors = bound_field.errors
    return {"text": errors[0]} if errors else None


def _value(bound_field) -> Any:
    value = bound_field.value()
    return "" if value is None else value


def field_params(bound_field, **extra) -> dict:
    """Parameters for govukInput, govukTextarea, govukCharacterCount or govukSelect."""
    field = bound_field.field
    params: dict[str, Any] = {
        "id": bound_field.id_for_label or bound_field.html_name,
        "name": bound_field.html_name,
        "label": {"text": str(bound_field.label)},
        "value": _value(bound_field),
        "errorMessage": _first_error(bound_field),
    }
    if field.help_text:
        params["hint"] = {"text": str(field.help_text)}
    if isinstance(field, forms.ChoiceField):
        current = str(_value(bound_field))
        params["items"] = [
            {"value": str(v), "text": str(t), "selected": str(v) == current}
            for v, t in field.choices
        ]
        params.pop("value")
    if isinstance(field, forms.CharField) and field.max_length and "maxlength" not in extra:
        params.setdefault("attributes", {})["maxlength"] = field.max_length
    label_classes = extra.pop("label_classes", None)
    is_page_heading = extra.pop("is_page_heading", False)
    if label_classes or is_page_heading:
        params["label"]["classes"] = label_classes or "govuk-label--l"
        params["label"]["isPageHeading"] = is_page_heading
    params.update(extra)
    return params


def choice_params(bound_field, *, multiple: bool = False, **extra) -> dict:
    """Parameters for govukRadios or govukCheckboxes."""
    field = bound_field.field
    value = bound_field.value()
    chosen = {str(v) for v in (value or [])} if multiple else {str(value)}
    params: dict[str, Any] = {
        "idPrefix": bound_field.id_for_label or bound_field.html_name,
        "name": bound_field.html_name,
        "fieldset": {"legend": {"text": str(bound_field.label), "classes": "govuk-fieldset__legend--s"}},
        "items": [
            {"value": str(v), "text": str(t), "checked": str(v) in chosen}
            for v, t in field.choices
            if str(v) != ""
        ],
        "errorMessage": _first_error(bound_field),
    }
    if field.help_text:
        params["hint"] = {"text": str(field.help_text)}
    legend_classes = extra.pop("legend_classes", None)
    if legend_classes:
        params["fieldset"]["legend"]["classes"] = legend_classes
    params.update(extra)
    return params


def date_params(bound_field, **extra) -> dict:
    """Parameters for govukDateInput."""
    day, month, year = bound_field.field.widget.decompress(bound_field.initial) if not bound_field.form.is_bound else bound_field.value()
    error = _first_error(bound_field)
    box = "govuk-input--error" if error else ""
    params = {
        "id": bound_field.html_name,
        "namePrefix": bound_field.html_name,
        "fieldset": {"legend": {"text": str(bound_field.label), "classes": "govuk-fieldset__legend--s"}},
        "items": [
            {"name": "day", "label": "Day", "classes": f"govuk-input--width-2 {box}".strip(), "value": day or ""},
            {"name": "month", "label": "Month", "classes": f"govuk-input--width-2 {box}".strip(), "value": month or ""},
            {"name": "year", "label": "Year", "classes": f"govuk-input--width-4 {box}".strip(), "value": year or ""},
        ],
        "errorMessage": error,
    }
    if bound_field.field.help_text:
        params["hint"] = {"text": str(bound_field.field.help_text)}
    params.update(extra)
    return params


def _anchor(bound) -> str:
    """The id of the first box of a field, which its error summary item links to."""
    if isinstance(bound.field, GovukDateField):
        return f"{bound.html_name}-day"
    return bound.id_for_label or bound.html_name


def error_summary_params(form) -> dict:
    """Parameters for govukErrorSummary: every error, each linking to its field, in the order the
    fields are on the page (the form as a whole first). An error that several fields share
    (say, "a first or last name" on both name fields) is listed once, at its first field."""
    visible = form.visible_fields()
    first_anchor = _anchor(visible[0]) if visible else None
    order = {name: n for n, name in enumerate(form.fields)}
    items = []
    seen: set[str] = set()
    for name in sorted(form.errors, key=lambda k: -1 if k == "__all__" else order.get(k, len(order))):
        anchor = first_anchor if name == "__all__" else _anchor(form[name])
        for e in form.errors[name]:
            if str(e) in seen:
                continue
            seen.add(str(e))
            items.append({"text": str(e), "href": f"#{anchor}"} if anchor else {"text": str(e)})
    return {"titleText": "There is a problem", "errorList": items}


def apply_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, against the field it names."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
