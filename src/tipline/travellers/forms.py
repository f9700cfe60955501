"""Console forms of travel notices and places. They parse; `NoticeInput` and the services decide
(a refusal of `NoticeInput` is put back on the form's field of the same name)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms

from tipline.common.time import WAT
from tipline.people.choices import Decision
from tipline.travellers.choices import (
    SEXES,
    Channel,
    DocumentType,
    NoticeStatus,
    Outcome,
    PlaceKind,
    RiskLevel,
)

_AREA = {"rows": 2}


def words(text: str) -> list[str]:
    """Values written with commas or new lines between them."""
    return [w.strip() for w in text.replace("\n", ",").split(",") if w.strip()]


def lines(text: str) -> list[str]:
    """Values one a line (addresses hold commas)."""
    return [w.strip() for w in text.splitlines() if w.strip()]


def as_wat(value: datetime | None) -> datetime | None:
    """A time typed on a Lagos clock (the browser's datetime-local has no zone)."""
    return value.replace(tzinfo=None).replace(tzinfo=WAT) if value else None


def _text(label: str = "", *, area: bool = False, help_text: str = "", **kw: Any) -> Any:
    widget = forms.Textarea(attrs=_AREA) if area else None
    return forms.CharField(
        required=False, max_length=5000, widget=widget, help_text=help_text, **kw
    )


class NoticeForm(forms.Form):
    """A notice as the national desk types it from the sender's message."""

    sender_agency = forms.CharField(max_length=300, help_text="e.g. INTERPOL Washington")
    channel = forms.ChoiceField(choices=Channel.choices)
    sender_reference = forms.CharField(max_length=200, help_text="The sender's own reference.")
    given_names = _text()
    family_name = _text()
    other_names = _text(help_text="Aliases and other spellings, separated by commas.")
    sex = forms.ChoiceField(choices=SEXES, required=False)
    date_of_birth = forms.CharField(
        required=False, max_length=10, help_text="YYYY-MM-DD, or YYYY-MM or YYYY when that is all."
    )
    nationalities = _text(help_text="ISO 3166 alpha-3 codes, e.g. GBR, USA.")
    place_of_birth = _text()
    marks = _text("Distinguishing marks", area=True)
    document_type = forms.ChoiceField(choices=DocumentType.choices)
    passport_number = _text("Document number")
    document_state = _text("Issuing state", help_text="Alpha-3, e.g. GBR.")
    document_expiry = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    mrz = _text(
        "Machine-readable zone", area=True, help_text="Both or all three lines, as printed."
    )
    convictions = _text(area=True)
    victims = _text("Victims (ages, sex)", area=True)
    jurisdiction = _text()
    risk_level = forms.ChoiceField(choices=RiskLevel.choices, required=False)
    purpose = _text("Stated purpose of travel")
    carrier = _text()
    flight = _text()
    port_of_entry = _text(help_text="IATA code, e.g. LOS, ABV, PHC.")
    arrival = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), help_text="Lagos time."
    )
    departure = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Lagos time.",
    )
    destination_state = forms.ChoiceField(choices=[], required=False)
    destination_place = _text("First-night address")
    other_addresses = _text(area=True, help_text="One a line.")
    local_contacts = _text(area=True, help_text="One a line.")
    phones = _text(help_text="Separated by commas.")
    emails = _text(help_text="Separated by commas.")
    usernames = _text(help_text="site:handle, separated by commas.")
    description = _text(area=True)

    def __init__(self, *args: Any, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "From the port of entry"), *states]
        self.fields["destination_state"].choices = choices  # type: ignore[attr-defined]  # a ChoiceField

    def notice_input(self) -> dict[str, Any]:
        """The cleaned data in `NoticeInput`'s shape (validated by it next)."""
        data = dict(self.cleaned_data)
        values: dict[str, Any] = {k: v for k, v in data.items() if v not in (None, "")}
        values["id"] = values.pop("sender_reference")
        for name in ("other_names", "nationalities", "phones", "emails", "usernames"):
            values[name] = words(data[name])
        for name in ("other_addresses", "local_contacts"):
            values[name] = lines(data[name])
        values["arrival"] = as_wat(data["arrival"])
        values["departure"] = as_wat(data["departure"])
        return values

    def add_input_errors(self, errors: dict[str, list[str]]) -> None:
        """Put `NoticeInput`'s or the service's refusals on the fields they name."""
        for name, messages in errors.items():
            field = "sender_reference" if name == "id" else name.split(".")[0]
            self.add_error(field if field in self.fields else None, " ".join(messages))


class QueueFilterForm(forms.Form):
    command = forms.ChoiceField(choices=[], required=False)

    def __init__(self, *args: Any, commands: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["command"].choices = [("", "All mine"), *commands]  # type: ignore[attr-defined]  # a ChoiceField


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=NoticeStatus.choices)
    note = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs=_AREA))


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)


class PlaceForm(forms.Form):
    """A place of concern as staff register it."""

    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=PlaceKind.choices)
    aliases = _text(help_text="Other names people use, separated by commas.")
    state = forms.ChoiceField(choices=[])
    lga = forms.CharField(max_length=80, required=False, label="LGA")
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180)
    notes = _text(area=True)

    def __init__(self, *args: Any, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = states  # type: ignore[attr-defined]  # a ChoiceField
