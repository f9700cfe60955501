"""The guardian's form on the public site: short, in the visitor's language, works without
JavaScript. Only the child's name, when and where they were last seen, and a phone are needed."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tipline.common.time import WAT
from tipline.missing.choices import Circumstance
from tipline.missing.forms import words
from tipline.people.person import phone_e164

TOO_LONG = _("Shorten this to at most %(limit_value)d characters.")
CIRCUMSTANCES = [
    (Circumstance.LOST, _("Lost, or did not come home")),
    (Circumstance.RUNAWAY, _("Ran away")),
    (Circumstance.ABDUCTED_STRANGER, _("Taken by a stranger")),
    (Circumstance.ABDUCTED_FAMILY, _("Taken by a family member")),
    (Circumstance.TRAFFICKING, _("Taken away for work, travel or marriage")),
    (Circumstance.DISPLACED, _("Separated in a conflict, flood or camp")),
    (Circumstance.UNKNOWN, _("I don't know")),
]


def _messages(**more: Any) -> dict[str, Any]:
    return {
        "max_length": TOO_LONG,
        "invalid_choice": _("Choose one of the answers in the list."),
    } | more


def _phone(value: str, *, required: bool) -> str:
    phone = value.strip()
    if (phone or required) and phone_e164(phone) is None:
        raise forms.ValidationError(_("Write the phone number like 0803 123 4567."))
    return phone


class GuardianForm(forms.Form):
    """A parent or guardian registers a missing child; it becomes a record pending
    verification."""

    given_names = forms.CharField(
        label=_("The child's first name"),
        max_length=200,
        error_messages=_messages(required=_("Write the child's first name.")),
    )
    family_name = forms.CharField(
        label=_("The child's surname"), max_length=200, required=False, error_messages=_messages()
    )
    other_names = forms.CharField(
        label=_("Other names the child is called"),
        max_length=300,
        required=False,
        help_text=_("Nicknames, short names, other spellings."),
        error_messages=_messages(),
    )
    sex = forms.ChoiceField(
        label=_("Girl or boy"),
        required=False,
        choices=[("", _("Choose")), ("f", _("Girl")), ("m", _("Boy"))],
        error_messages=_messages(),
    )
    age = forms.IntegerField(
        label=_("Age"),
        min_value=0,
        max_value=25,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("Write the age as a number, for example 9.")},
    )
    description = forms.CharField(
        label=_("What does the child look like?"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Height, clothes, hair, marks, what they carried."),
        error_messages=_messages(),
    )
    circumstance = forms.ChoiceField(
        label=_("What happened?"), choices=CIRCUMSTANCES, error_messages=_messages()
    )
    last_seen_on = forms.DateField(
        label=_("Day last seen"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Write the day the child was last seen."),
            "invalid": _("Write the day like 2026-05-03."),
        },
    )
    last_seen_time = forms.TimeField(
        label=_("Time last seen"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": _("Write the time like 14:30.")},
    )
    state = forms.ChoiceField(
        label=_("State last seen"), error_messages=_messages(required=_("Choose the state."))
    )
    place = forms.CharField(
        label=_("Town, area or landmark"),
        max_length=300,
        required=False,
        error_messages=_messages(),
    )
    guardian_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages=_messages(required=_("Write your name.")),
    )
    relationship = forms.CharField(
        label=_("You are the child's"),
        max_length=100,
        required=False,
        help_text=_("For example: mother, uncle, teacher."),
        error_messages=_messages(),
    )
    guardian_phone = forms.CharField(
        label=_("Your phone number"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        error_messages=_messages(required=_("Write a phone number we can call.")),
    )
    consent_public = forms.BooleanField(
        label=_("You may show the child's photo, name and description publicly to find them."),
        required=False,
    )
    photo = forms.FileField(
        label=_("A recent photo of the child"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    website = forms.CharField(required=False, label="Leave this empty")

    def __init__(self, *args: Any, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Choose the state")), *states]  # type: ignore[attr-defined]  # a ChoiceField

    def clean_guardian_phone(self) -> str:
        return _phone(self.cleaned_data["guardian_phone"], required=True)

    def last_seen_at(self) -> datetime:
        """The day and time (noon when no time is given) on a Lagos clock."""
        data = self.cleaned_data
        return datetime.combine(data["last_seen_on"], data["last_seen_time"] or time(12), WAT)

    def record_input(self) -> dict[str, Any]:
        """The answers in `RecordInput`'s shape."""
        data = self.cleaned_data
        return {
            "given_names": data["given_names"],
            "family_name": data["family_name"],
            "other_names": words(data["other_names"]),
            "sex": data["sex"],
            "age": data["age"],
            "description": data["description"],
            "circumstance": data["circumstance"],
            "last_seen_at": self.last_seen_at(),
            "last_seen_state": data["state"],
            "last_seen_place": data["place"],
            "guardians": [
                {
                    "name": data["guardian_name"],
                    "relationship": data["relationship"],
                    "phones": [data["guardian_phone"]],
                }
            ],
            "consent_public": data["consent_public"],
        }


class SightingForm(forms.Form):
    """Someone saw the child of a public alert: where, when and what they saw; a phone only if
    they want to be called."""

    what = forms.CharField(
        label=_("What did you see?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=_messages(required=_("Tell us what you saw.")),
    )
    when = forms.CharField(
        label=_("When?"),
        max_length=200,
        required=False,
        help_text=_("For example: this morning, or 3 May 2026 at 4 pm."),
        error_messages=_messages(),
    )
    state = forms.ChoiceField(label=_("Which state?"), required=False, error_messages=_messages())
    place = forms.CharField(
        label=_("Town, area or landmark"),
        max_length=300,
        required=False,
        error_messages=_messages(),
    )
    phone = forms.CharField(
        label=_("Your phone number, if we may call you"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        error_messages=_messages(),
    )
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    website = forms.CharField(required=False, label="Leave this empty")

    def __init__(self, *args: Any, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("I don't know")), *states]  # type: ignore[attr-defined]  # a ChoiceField

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data["phone"], required=False)


class FollowUpLookupForm(forms.Form):
    """The registration's reference and the receipt code it gave, to follow it up."""

    reference = forms.CharField(
        label=_("Registration reference"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "MC-2026-00012", "autocomplete": "off"}),
        error_messages=_messages(required=_("Write the reference of the registration.")),
    )
    receipt_code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        error_messages=_messages(required=_("Write the receipt code you were given.")),
    )


class AddInformationForm(forms.Form):
    """What the guardian learnt since registering: words, other names, a phone, a photo."""

    text = forms.CharField(
        label=_("What do you want to tell us?"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: where the child may have gone, who they may be with."),
        error_messages=_messages(),
    )
    other_names = forms.CharField(
        label=_("Other names the child is called"),
        max_length=300,
        required=False,
        help_text=_("Nicknames, short names, other spellings."),
        error_messages=_messages(),
    )
    phone = forms.CharField(
        label=_("A phone number the child may call from"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        error_messages=_messages(),
    )
    photo = forms.FileField(
        label=_("A recent photo of the child"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data["phone"], required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(name) for name in ("text", "other_names", "phone", "photo")):
            raise forms.ValidationError(_("Write the information you want to add."))
        return data
