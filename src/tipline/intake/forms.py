"""The public report form and the follow-up forms. Labels are translated."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tipline.intake.choices import PUBLIC_INCIDENT_TYPES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input. Type and size are judged by the upload handler, per file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        files = data if isinstance(data, list | tuple) else [data]
        return [f for f in files if f]


# Every message a member of the public can see is ours, so each language's catalogue has it:
# Django's defaults are translated for Igbo only, and would show English in ha, yo and pcm.
TOO_LONG = _("Shorten this to at most %(limit_value)d characters.")


def _messages(**messages: Any) -> dict[str, Any]:
    return {
        "max_length": TOO_LONG,
        "invalid_choice": _("Choose one of the answers in the list."),
    } | (messages)


class PublicReportForm(forms.Form):
    """What a member of the public tells us. Only the type and what happened are required."""

    # An empty first choice: a person who skips the question must not file the first type listed.
    incident_type = forms.ChoiceField(
        label=_("What is happening?"),
        choices=[("", _("Choose the closest answer")), *PUBLIC_INCIDENT_TYPES],
        error_messages=_messages(required=_("Choose what is happening, or the closest answer.")),
    )
    description = forms.CharField(
        label=_("Tell us what happened"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=_messages(required=_("Tell us what happened.")),
        help_text=_("Who, what, where and when, as far as you know. Links and usernames help."),
    )
    when = forms.CharField(
        label=_("When did it happen?"),
        max_length=200,
        required=False,
        help_text=_("For example: yesterday evening, or 3 May 2026."),
        error_messages=_messages(),
    )
    state = forms.ChoiceField(label=_("Which state?"), required=False, error_messages=_messages())
    location = forms.CharField(
        label=_("Town or area"), max_length=300, required=False, error_messages=_messages()
    )
    online_where = forms.CharField(
        label=_("Website, app or link"),
        max_length=2000,
        required=False,
        error_messages=_messages(),
        help_text=_("Copy the link or write the app name. Do not download or forward images."),
    )
    suspect_details = forms.CharField(
        label=_("Phone numbers, usernames or accounts of the person responsible"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=_messages(),
    )
    victim_age = forms.IntegerField(
        label=_("Age of the child or victim, if known"),
        min_value=0,
        max_value=120,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Write the age as a number, for example 13."),
            "min_value": _("Write the age as a number, for example 13."),
            "max_value": _("Write an age of 120 or less."),
        },
    )
    attachments = MultipleFileField(
        label=_("Screenshots or documents"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,video/*,.pdf,.doc,.docx"}),
    )
    # autocomplete="off" on the contact fields: phones are often shared, and a browser that
    # offers or remembers the reporter's details would show them to whoever picks it up next
    # (possibly the abuser), or fill in the phone owner's details for a child reporting.
    contact_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages=_messages(),
    )
    contact_phone = forms.CharField(
        label=_("Your phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        error_messages=_messages(),
    )
    contact_email = forms.EmailField(
        label=_("Your email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages=_messages(invalid=_("Write the email address like name@example.com.")),
    )
    # One token per filled-in form: a re-sent POST (reload, Back) finds the report it made.
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    # Honeypot: hidden from people, filled by naive bots.
    website = forms.CharField(required=False, label="Leave this empty")

    def __init__(self, *args: Any, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        state_field = self.fields["state"]
        assert isinstance(state_field, forms.ChoiceField)  # noqa: S101  # declared just above
        state_field.choices = [("", _("I don't know / outside Nigeria")), *states]

    def wants_contact(self) -> bool:
        """Whether the reporter chose to leave any contact detail."""
        data = self.cleaned_data
        return bool(
            data.get("contact_name") or data.get("contact_phone") or data.get("contact_email")
        )


class ReceiptLookupForm(forms.Form):
    reference = forms.CharField(
        label=_("Report reference"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "TL-2026-000123", "autocomplete": "off"}),
        error_messages=_messages(required=_("Write the reference of your report.")),
    )
    receipt_code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        error_messages=_messages(required=_("Write the receipt code you were given.")),
    )


class AddendumForm(forms.Form):
    body = forms.CharField(
        label=_("Add information"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=_messages(required=_("Write the information you want to add.")),
    )
