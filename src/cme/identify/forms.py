"""The "Find a child" search: the fields of a referral, any of them may be left blank."""

from django import forms
from django.http import QueryDict

from cme.core.forms import Form, GovukDateField
from cme.core.validation import check_date_of_birth
from cme.intake.forms import radios, text
from cme.people.identifiers import normalise_upn, upn_problem
from cme.people.search import UPN_LIKE, parse_date

SEX_CHOICES = [("F", "Female"), ("M", "Male"), ("", "Not known")]


class FindChildForm(Form):
    forename = text("First name", 100)
    surname = text("Last name", 100)
    date_of_birth = GovukDateField(
        label="Date of birth", label_for_errors="Date of birth", required=False,
        help_text="For example, 27 3 2014. Leave blank if you do not know it",
    )
    sex = radios("Sex", SEX_CHOICES, required=False)
    upn = text("Unique pupil number (UPN)", 20, help_text="13 characters, starting with a letter")
    postcode = text("Postcode", 10)
    address = text("Address", 300, help_text="House number and street are enough")

    def clean_upn(self):
        upn = normalise_upn(self.cleaned_data.get("upn") or "")
        if upn and (problem := upn_problem(upn)):
            raise forms.ValidationError(problem)
        return upn

    def clean_date_of_birth(self):
        value = self.cleaned_data.get("date_of_birth")
        try:
            check_date_of_birth(value, field="date_of_birth")
        except forms.ValidationError as e:
            raise forms.ValidationError(e.message_dict["date_of_birth"]) from None
        return value

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(
            (cleaned.get(k) or "") for k in ("forename", "surname", "upn", "date_of_birth")
        ):
            self.add_error("surname", "Enter a name, a date of birth or a UPN to search for")
        return cleaned

    @staticmethod
    def params_from_query(params: QueryDict) -> QueryDict:
        """The form's fields from a one-box search (`q`, as the old Children page took it): a UPN,
        a date of birth, or names (one word a last name; more, a first name and a last name)."""
        q = (params.get("q") or "").strip()
        if not q or any(params.get(k) for k in ("forename", "surname", "upn", "date_of_birth-year", "postcode")):
            return params
        out = params.copy()
        out.pop("q")
        if UPN_LIKE.match(q.upper().replace(" ", "")):
            out["upn"] = q
        elif dob := parse_date(q):
            out.update({"date_of_birth-day": str(dob.day), "date_of_birth-month": str(dob.month),
                        "date_of_birth-year": str(dob.year)})
        else:
            *first, last = q.split()
            out["surname"] = last
            if first:
                out["forename"] = " ".join(first)
        return out

    def search_fields(self) -> dict:
        return {k: (v.strip() if isinstance(v, str) else v) for k, v in self.cleaned_data.items()}
