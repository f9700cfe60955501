"""The one input type of a notice, whichever way it comes (console form, partner API, bulk
import): plain typed data, no ORM. Its core is the evaluation format of `tipline travellers
match` (id, names, date of birth, nationalities, passport, identifiers, arrival, departure, port
of entry, destination); the optional fields follow the issue's notice record.

Each field is checked on its own, so a refusal names every field that is wrong (pydantic's
errors, by field); what needs two fields (arrival before departure, the zone against the
passport number) is checked by `check_whole`, also by field.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from tipline.people.nationality import code_of
from tipline.travellers.choices import Channel, DocumentType, Movement, RiskLevel
from tipline.travellers.documents import PORTS_OF_ENTRY, MrzRefused, mrz_check

Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Listed = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_DOCUMENT = re.compile(r"^[A-Z0-9<]{1,20}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AliasInput(_Strict):
    """Another name, with its original script and the transliteration when given."""

    name: Name
    script: Name = ""
    transliteration: Name = ""


def _alpha3(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 3 or code_of(code) != code:
        raise ValueError(f"{value!r} is not an ISO 3166 alpha-3 country code.")
    return code


class NoticeInput(_Strict):
    """A travel notice. `id` is the sender's reference (a resubmission of one is the same
    notice); arrival and departure are times with an offset."""

    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    sender_agency: Short = "Unknown partner"
    channel: Channel = Channel.OTHER
    given_names: Name = ""
    family_name: Name = ""
    other_names: list[Name | AliasInput] = Field(default_factory=list, max_length=20)
    sex: Literal["", "f", "m"] = ""
    date_of_birth: str = ""
    nationalities: list[str] = Field(default_factory=list, max_length=5)
    place_of_birth: Short = ""
    marks: Text = ""
    document_type: DocumentType = DocumentType.PASSPORT
    passport_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = ""
    document_state: str = ""
    document_expiry: date | None = None
    mrz: Annotated[str, StringConstraints(max_length=200)] = ""
    convictions: Text = ""
    victims: Text = ""
    jurisdiction: Short = ""
    risk_level: RiskLevel = RiskLevel.UNKNOWN
    purpose: Short = ""
    carrier: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)] = ""
    flight: Annotated[str, StringConstraints(strip_whitespace=True, max_length=12)] = ""
    phones: list[Listed] = Field(default_factory=list, max_length=20)
    emails: list[Listed] = Field(default_factory=list, max_length=20)
    usernames: list[Listed] = Field(default_factory=list, max_length=20)
    arrival: datetime
    departure: datetime | None = None
    port_of_entry: str = ""
    destination_state: str = ""
    destination_place: Short = ""
    other_addresses: list[Short] = Field(default_factory=list, max_length=10)
    local_contacts: list[Short] = Field(default_factory=list, max_length=10)
    description: Text = ""

    @field_validator("date_of_birth")
    @classmethod
    def _partial_date(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return ""
        if not _PARTIAL_DATE.match(value):
            raise ValueError("A date of birth is YYYY, YYYY-MM or YYYY-MM-DD.")
        parts = value.split("-")
        date(
            int(parts[0]),
            int(parts[1]) if len(parts) > 1 else 1,
            int(parts[2]) if len(parts) > 2 else 1,
        )
        return value

    @field_validator("nationalities")
    @classmethod
    def _nationalities(cls, values: list[str]) -> list[str]:
        return [_alpha3(v) for v in values]

    @field_validator("document_state")
    @classmethod
    def _issuing_state(cls, value: str) -> str:
        return _alpha3(value) if value.strip() else ""

    @field_validator("passport_number")
    @classmethod
    def _document_number(cls, value: str) -> str:
        number = value.replace(" ", "").replace("-", "").upper()
        if number and not _DOCUMENT.match(number):
            raise ValueError("A document number has letters and digits only.")
        return number

    @field_validator("mrz")
    @classmethod
    def _mrz(cls, value: str) -> str:
        if value.strip():
            try:
                mrz_check(value)
            except MrzRefused as exc:
                raise ValueError(str(exc)) from exc
        return value.strip()

    @field_validator("port_of_entry")
    @classmethod
    def _port(cls, value: str) -> str:
        code = value.strip().upper()
        if code and code not in PORTS_OF_ENTRY:
            raise ValueError(f"{value!r} is not a Nigerian port of entry (IATA code, e.g. LOS).")
        return code

    @field_validator("arrival", "departure")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("A time needs an offset (e.g. +01:00 for WAT).")
        return value

    @field_validator("destination_state")
    @classmethod
    def _state(cls, value: str) -> str:
        return value.strip().upper()

    def check_whole(self) -> dict[str, str]:
        """What is wrong across fields, by field (empty when nothing is)."""
        errors: dict[str, str] = {}
        if self.departure is not None and self.departure < self.arrival:
            errors["departure"] = "The departure is before the arrival."
        if not (self.given_names or self.family_name):
            errors["family_name"] = "Give the subject's name (family or given names)."
        if not (self.destination_state or self.port_of_entry):
            errors["destination_state"] = "Give the destination state or the port of entry."
        if self.mrz:
            zone = mrz_check(self.mrz)
            if self.passport_number and zone.document_number != self.passport_number:
                errors["mrz"] = "The zone's document number is not the passport number given."
        return errors

    def aliases(self) -> list[dict[str, str]]:
        return [
            a.model_dump()
            if isinstance(a, AliasInput)
            else {"name": a, "script": "", "transliteration": ""}
            for a in self.other_names
        ]


class ConfirmationInput(_Strict):
    """A border agency's passenger-list record: who arrived or left, on what, when."""

    movement: Movement
    name: Name = ""
    date_of_birth: date | None = None
    nationality: str = ""
    document_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
    document_state: str = ""
    flight: Annotated[str, StringConstraints(strip_whitespace=True, max_length=12)] = ""
    at: datetime
    reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""

    @field_validator("nationality", "document_state")
    @classmethod
    def _country(cls, value: str) -> str:
        return _alpha3(value) if value.strip() else ""

    @field_validator("document_number")
    @classmethod
    def _number(cls, value: str) -> str:
        number = value.replace(" ", "").replace("-", "").upper()
        if not _DOCUMENT.match(number):
            raise ValueError("A document number has letters and digits only.")
        return number

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("A time needs an offset (e.g. +01:00 for WAT).")
        return value
