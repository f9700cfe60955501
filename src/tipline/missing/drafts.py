"""The one input type of a new record, whichever way it comes (console, public form, partner
API): plain typed data, no ORM. The JSON API's request schema is this type."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from tipline.missing.choices import Circumstance

Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
PhoneText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GuardianInput(_Strict):
    """A parent or guardian and how to reach them."""

    name: Name
    relationship: Short = ""
    phones: list[PhoneText] = Field(default_factory=list, max_length=5)
    email: Short = ""


class RecordInput(_Strict):
    """A missing child as registered. Names, the last sighting and the circumstance are needed;
    a date of birth or an age (given on a day, else today) when known."""

    given_names: Name = ""
    family_name: Name = ""
    other_names: list[Name] = Field(default_factory=list, max_length=20)
    sex: Literal["", "f", "m"] = ""
    date_of_birth: date | None = None
    age: Annotated[int, Field(ge=0, le=25)] | None = None
    age_given_on: date | None = None
    height_cm: Annotated[int, Field(ge=30, le=230)] | None = None
    description: Text = ""
    languages: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        default_factory=list, max_length=10
    )
    circumstance: Circumstance = Circumstance.UNKNOWN
    circumstances_text: Text = ""
    last_seen_at: datetime
    last_seen_state: Annotated[str, StringConstraints(min_length=2, max_length=2)]
    last_seen_lga: Short = ""
    last_seen_place: Short = ""
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    guardians: list[GuardianInput] = Field(default_factory=list, max_length=5)
    child_phones: list[PhoneText] = Field(default_factory=list, max_length=5)
    consent_public: bool = False
    external_id: Short = ""

    @model_validator(mode="after")
    def _whole(self) -> RecordInput:
        if not (self.given_names or self.family_name):
            raise ValueError("Give the child's name (given name or family name).")
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("Give both latitude and longitude, or neither.")
        if self.last_seen_at.tzinfo is None:
            raise ValueError("last_seen_at needs a time zone (e.g. +01:00 for WAT).")
        return self


def input_problems(exc: ValidationError) -> list[str]:
    """A refused input's problems in words, each naming its field."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(f"{where}: {message}" if where else message)
    return problems
