from django import forms

from cme.core.forms import Form
from cme.core.inputs import is_ascii_digits


class SignInForm(Form):
    raw_text_fields = ("password",)  # a password is whatever was typed

    username = forms.CharField(
        label="Username",
        max_length=150,
        error_messages={"required": "Enter your username"},
    )
    password = forms.CharField(
        label="Password",
        max_length=200,
        strip=False,
        error_messages={"required": "Enter your password"},
    )


class CodeForm(Form):
    """The 6-digit code from an authenticator app."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=12,
        help_text="The code is 6 numbers. It changes every 30 seconds.",
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        # People copy codes as "123 456"; spaces and dashes are not part of the code.
        code = "".join(self.cleaned_data["code"].split()).replace("-", "")
        if not (is_ascii_digits(code) and len(code) == 6):
            raise forms.ValidationError("The code must be 6 numbers")
        return code
