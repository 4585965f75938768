"""Upload forms for term dates and registers."""

from django import forms

from cme.core.forms import Form
from cme.core.uploads import too_large


class _UploadForm(Form):
    file = forms.FileField(label="File", error_messages={"required": "Choose a file to upload"})
    kind = "register"  # its size limit (cme.core.uploads), the same on the page, the API and the command

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if problem := too_large(self.kind, upload.size):
            raise forms.ValidationError(problem)
        if upload.size == 0:
            raise forms.ValidationError("The file is empty")
        return upload


class TermDatesForm(_UploadForm):
    kind = "term_dates"
    provider = forms.ChoiceField(
        label="Whose term dates are these?",
        required=False,
        error_messages={"invalid_choice": "Choose the council or one of its providers from the list"},
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = "Term dates file (CSV)"
        self.fields["file"].help_text = "Columns scope,kind,start,end,name"
        self.fields["provider"].choices = [("", "The council, and any providers the file names")] + [
            (str(p.pk), f"{p.name} ({p.laestab})") for p in providers]


class RegisterUploadForm(_UploadForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = "Register file"
        self.fields["file"].help_text = ("A CSV with columns upn,laestab,date,session,code, or a "
                                         "common transfer file (CTF)")
