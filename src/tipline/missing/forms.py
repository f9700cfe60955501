"""Console forms of the registry. They parse; `RecordInput` and the services decide."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms

from tipline.common.time import WAT
from tipline.missing.choices import SEXES, Circumstance, RecordStatus
from tipline.people.person import phone_e164


def words(text: str) -> list[str]:
    """Names or numbers written with commas or new lines between them."""
    return [w.strip() for w in text.replace("\n", ",").split(",") if w.strip()]


def as_wat(value: datetime) -> datetime:
    """A time typed on a Lagos clock (the browser's datetime-local has no zone)."""
    return value.replace(tzinfo=None).replace(tzinfo=WAT)


class RecordForm(forms.Form):
    """A missing child as an officer registers them (one guardian here; more by the API)."""

    given_names = forms.CharField(max_length=200, required=False)
    family_name = forms.CharField(max_length=200, required=False)
    other_names = forms.CharField(
        max_length=500, required=False, help_text="Aliases, short forms, other spellings."
    )
    sex = forms.ChoiceField(choices=SEXES, required=False)
    date_of_birth = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    age = forms.IntegerField(required=False, min_value=0, max_value=25, help_text="If no date.")
    height_cm = forms.IntegerField(required=False, min_value=30, max_value=230)
    description = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    languages = forms.CharField(required=False, max_length=200, help_text="e.g. Yoruba, English")
    circumstance = forms.ChoiceField(choices=Circumstance.choices)
    circumstances_text = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    last_seen_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), help_text="Lagos time."
    )
    last_seen_state = forms.ChoiceField(choices=[])
    last_seen_lga = forms.CharField(max_length=80, required=False, label="Last seen LGA")
    last_seen_place = forms.CharField(max_length=300, required=False, help_text="Town, landmark.")
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180)
    guardian_name = forms.CharField(max_length=200, required=False)
    guardian_relationship = forms.CharField(max_length=100, required=False)
    guardian_phones = forms.CharField(max_length=200, required=False)
    guardian_email = forms.EmailField(required=False)
    child_phones = forms.CharField(max_length=200, required=False)
    consent_public = forms.BooleanField(
        required=False, label="The guardian consents to a public alert"
    )
    command = forms.ChoiceField(choices=[], help_text="The command that works the record.")

    def __init__(
        self,
        *args: Any,
        states: list[tuple[str, str]],
        commands: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["last_seen_state"].choices = states  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["command"].choices = commands  # type: ignore[attr-defined]  # a ChoiceField

    def clean_guardian_phones(self) -> list[str]:
        return _phones(self.cleaned_data["guardian_phones"])

    def clean_child_phones(self) -> list[str]:
        return _phones(self.cleaned_data["child_phones"])

    def record_input(self) -> dict[str, Any]:
        """The cleaned data in `RecordInput`'s shape (validated by it next)."""
        data = self.cleaned_data
        guardian = {
            "name": data["guardian_name"],
            "relationship": data["guardian_relationship"],
            "phones": data["guardian_phones"],
            "email": data["guardian_email"],
        }
        fields = [k for k in data if not k.startswith("guardian_") and k != "command"]
        values = {k: data[k] for k in fields if data[k] not in (None, "")}
        values["other_names"] = words(data["other_names"])
        values["languages"] = words(data["languages"])
        values["last_seen_at"] = as_wat(data["last_seen_at"])
        values["guardians"] = [guardian] if guardian["name"] or guardian["phones"] else []
        return values


def _phones(text: str) -> list[str]:
    found = words(text)
    bad = [p for p in found if phone_e164(p) is None]
    if bad:
        raise forms.ValidationError(f"Not a phone number: {', '.join(bad)}.")
    return found


class FilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "Any"), *RecordStatus.choices])
    state = forms.CharField(required=False, max_length=2)
    command = forms.CharField(required=False, max_length=16)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=RecordStatus.choices)
    note = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("confirmed", "Same child"), ("rejected", "Not the child")]
    )
    outcome = forms.ChoiceField(
        required=False,
        choices=[(RecordStatus.SIGHTED, "Sighted"), (RecordStatus.FOUND, "Found")],
    )


class AlertForm(forms.Form):
    """Issue (or update) the public alert, or cancel it."""

    action = forms.ChoiceField(choices=[("issue", "Issue or update"), ("cancel", "Cancel")])


class InformationForm(forms.Form):
    """What an officer learnt since: words for the timeline, other names, phones."""

    text = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    other_names = forms.CharField(required=False, max_length=1000)
    phones = forms.CharField(required=False, max_length=1000)

    def clean_other_names(self) -> list[str]:
        return words(self.cleaned_data["other_names"])

    def clean_phones(self) -> list[str]:
        return _phones(self.cleaned_data["phones"])
