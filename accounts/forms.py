from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import PersonProfile, ProviderMembership, User
from carehub.forms import clean_postcode_value

POSTCODE_HINT = "For example, G12 8QQ. We use it to show care near you. Leave it blank if you prefer not to say."


def _postcode_field() -> forms.CharField:
    # Longer than a postcode so that "g12 - 8qq" reaches the postcode check and its plain message.
    return forms.CharField(
        label="Postcode (optional)",
        max_length=16,
        required=False,
        help_text=POSTCODE_HINT,
        error_messages={"max_length": "Enter a real postcode, like G12 8QQ"},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "govuk-input--width-10"}),
    )


class SignUpForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150, error_messages={"required": "Enter your full name"})
    email = forms.EmailField(
        label="Email address",
        help_text="You will use this to sign in",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    uses_care = forms.TypedChoiceField(
        label="Who are you looking for care for?",
        choices=[("yes", "Myself"), ("no", "Someone else (I am a carer), or I provide care")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select who you are looking for care for"},
    )
    postcode = _postcode_field()
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters. Avoid common words and numbers only.",
        error_messages={"required": "Create a password"},
    )
    password2 = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter your password again"},
    )

    error_messages = {
        "email_taken": "An account with this email address already exists. Sign in or reset your password.",
        "password_mismatch": "The passwords do not match. Enter the same password twice.",  # nosec B105  # a message
    }

    def clean_postcode(self) -> str:
        return clean_postcode_value(self.cleaned_data.get("postcode", ""))

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(self.error_messages["email_taken"])
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", self.error_messages["password_mismatch"])
        elif p1:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address, like name@example.com",
        },
    )
    error_messages = {
        "invalid_login": "Enter a correct email address and password.",
        "inactive": "This account has been closed.",
    }


class ProfileForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150, error_messages={"required": "Enter your full name"})
    uses_care = forms.BooleanField(label="I use care and support myself", required=False)
    preferred_name = forms.CharField(label="What should we call you? (optional)", max_length=150, required=False)
    postcode = _postcode_field()
    communication_needs = forms.CharField(
        label="Communication needs (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: large print, British Sign Language, phone calls only in the morning",
    )

    def clean_postcode(self) -> str:
        return clean_postcode_value(self.cleaned_data.get("postcode", ""))


class PersonProfileAdminForm(forms.ModelForm):
    """The admin's person form: a postcode typed there is stored in the normal form too."""

    class Meta:
        model = PersonProfile
        fields = ["user", "preferred_name", "postcode", "communication_needs"]

    def clean_postcode(self) -> str:
        return clean_postcode_value(self.cleaned_data.get("postcode", ""))


class CarerLinkRequestForm(forms.Form):
    person_email = forms.EmailField(
        error_messages={
            "required": "Enter the email address of the person you support",
            "invalid": "Enter an email address, like name@example.com",
        },
        label="The email address of the person you support",
        help_text="They must have a CareHub account. They will be asked to agree before you can do anything for them.",
    )
    relationship = forms.CharField(label="Your relationship to them (optional)", max_length=100, required=False)


class CarerConsentForm(forms.Form):
    SCOPES = [
        ("can_view", "See my bookings, budget and messages"),
        ("can_book", "Book and cancel care for me"),
        ("can_manage_budget", "Manage my budget"),
    ]
    scopes = forms.MultipleChoiceField(
        label="What may this carer do for you?",
        choices=SCOPES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one thing this carer may do, or decline the request."},
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address of the person to invite")
    role = forms.ChoiceField(
        label="Role",
        choices=ProviderMembership.Role.choices,
        widget=forms.RadioSelect,
        initial=ProviderMembership.Role.STAFF,
    )
