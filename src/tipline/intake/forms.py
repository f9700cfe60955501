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


class PublicReportForm(forms.Form):
    """What a member of the public tells us. Only the type and what happened are required."""

    incident_type = forms.ChoiceField(label=_("What is happening?"), choices=PUBLIC_INCIDENT_TYPES)
    description = forms.CharField(
        label=_("Tell us what happened"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Who, what, where and when, as far as you know. Links and usernames help."),
    )
    when = forms.CharField(
        label=_("When did it happen?"),
        max_length=200,
        required=False,
        help_text=_("For example: yesterday evening, or 3 May 2026."),
    )
    state = forms.ChoiceField(label=_("Which state?"), required=False)
    location = forms.CharField(label=_("Town or area"), max_length=300, required=False)
    online_where = forms.CharField(
        label=_("Website, app or link"),
        max_length=2000,
        required=False,
        help_text=_("Copy the link or write the app name. Do not download or forward images."),
    )
    suspect_details = forms.CharField(
        label=_("Phone numbers, usernames or accounts of the person responsible"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    victim_age = forms.IntegerField(
        label=_("Age of the child or victim, if known"), min_value=0, max_value=120, required=False
    )
    attachments = MultipleFileField(
        label=_("Screenshots or documents"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,video/*,.pdf,.doc,.docx"}),
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Your phone number"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("Your email"), required=False)
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
        widget=forms.TextInput(attrs={"placeholder": "TL-2026-000123"}),
    )
    receipt_code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class AddendumForm(forms.Form):
    body = forms.CharField(
        label=_("Add information"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 4})
    )
