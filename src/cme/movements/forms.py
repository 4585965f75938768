"""The roll upload form: a roll CSV or a CTF, and the date of the roll."""

from django import forms

from cme.core.forms import Form, GovukDateField


class RollUploadForm(Form):
    roll_file = forms.FileField(
        label="Roll file",
        help_text="A roll CSV (.csv) in the format the council describes, or a Common Transfer File (.xml)",
        error_messages={"required": "Select the roll file", "empty": "The selected file is empty"},
    )
    as_of = GovukDateField(
        label="Date of the roll",
        label_for_errors="Date of the roll",
        required=False,
        help_text="The day the roll was taken, for example 1 10 2025. For a CTF, leave it blank to use the date in the file",
    )

    def clean(self):
        data = super().clean()
        upload = data.get("roll_file")
        if upload is not None:
            name = upload.name.lower()
            if not name.endswith((".csv", ".xml")):
                self.add_error("roll_file", "The selected file must be a CSV (.csv) or a CTF (.xml)")
            elif name.endswith(".csv") and not data.get("as_of") and "as_of" not in self.errors:
                self.add_error("as_of", "Enter the date of the roll")
        return data

    @property
    def is_ctf(self) -> bool:
        return self.cleaned_data["roll_file"].name.lower().endswith(".xml")
