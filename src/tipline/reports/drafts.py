"""`ReportDraft`: the one channel-neutral input of `report_submit`.

Plain typed data, no ORM. The JSON API's request schema is `ReportInput` (what a client may send);
`ReportDraft` adds what only the channel adapter knows (channel, raw record, receipt time).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from tipline.common.time import to_utc, utcnow
from tipline.reports.choices import (
    Annotation,
    Channel,
    FileClassification,
    IncidentType,
    InternetDetailKind,
    Language,
    PersonRole,
    SharingLevel,
)

Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
]
Hex32 = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{32}$")]
Hex40 = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{40}$")]
Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")]
CLOCK_SKEW_SECONDS = 300


def _refuse_nul(value: Any) -> None:
    """PostgreSQL cannot store U+0000 in text (and XML cannot carry it): refuse it at the door
    with a clear error instead of failing the insert with a 500 (found by the API fuzzer)."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("Text must not contain the NUL character (U+0000).")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_nul(item)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        _refuse_nul(data)
        return data


class Phone(_Strict):
    number: Annotated[str, StringConstraints(max_length=40, min_length=3)]
    type: Short | None = None
    verified: bool | None = None


class EmailAddress(_Strict):
    address: Email
    type: Short | None = None
    verified: bool | None = None


class Address(_Strict):
    street: Short | None = None
    city: Short | None = None
    state: Short | None = None
    postal_code: Short | None = None
    country: Annotated[str, StringConstraints(max_length=2)] | None = None
    type: Short | None = None


class IpEvent(_Strict):
    """An IP capture event. Port and time are what make a shared (CGNAT) address identifying."""

    ip: Annotated[str, StringConstraints(max_length=64, min_length=2)]
    port: Annotated[int, Field(ge=0, le=65535)] | None = None
    at: datetime | None = None
    event: Short | None = None
    possible_proxy: bool | None = None


class DeviceId(_Strict):
    id_type: Short
    id_value: Short
    event: Short | None = None
    at: datetime | None = None


class Account(_Strict):
    """An account on a platform: ids, screen name, display names, profile URLs."""

    platform: Short | None = None
    esp_identifier: Short | None = None
    screen_name: Short | None = None
    display_names: list[Short] = Field(default_factory=list, max_length=50)
    profile_urls: list[Annotated[str, StringConstraints(max_length=2083)]] = Field(
        default_factory=list, max_length=50
    )
    profile_bio: Text | None = None
    compromised: bool | None = None


class PersonDraft(_Strict):
    role: PersonRole
    first_name: Short | None = None
    last_name: Short | None = None
    age: Annotated[int, Field(ge=0, le=130)] | None = None
    date_of_birth: date | None = None
    phones: list[Phone] = Field(default_factory=list, max_length=50)
    emails: list[EmailAddress] = Field(default_factory=list, max_length=50)
    addresses: list[Address] = Field(default_factory=list, max_length=20)
    accounts: list[Account] = Field(default_factory=list, max_length=50)
    ip_events: list[IpEvent] = Field(default_factory=list, max_length=500)
    devices: list[DeviceId] = Field(default_factory=list, max_length=100)
    notes: Text | None = None
    other: dict[str, Any] = Field(default_factory=dict)

    def details(self) -> dict[str, Any]:
        """What is stored encrypted in `Person.details`."""
        keep = {
            "phones",
            "emails",
            "addresses",
            "accounts",
            "ip_events",
            "devices",
            "notes",
            "other",
        }
        return self.model_dump(mode="json", include=keep, exclude_none=True)


class InternetDetailDraft(_Strict):
    kind: InternetDetailKind
    urls: list[Annotated[str, StringConstraints(max_length=2083)]] = Field(
        default_factory=list, max_length=500
    )
    email_addresses: list[Email] = Field(default_factory=list, max_length=100)
    name: Short | None = None
    content: Text | None = None
    chat_client: Short | None = None
    chat_room: Short | None = None
    game_name: Short | None = None
    console: Short | None = None
    phone_number: Short | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    location_name: Short | None = None
    addresses: list[Address] = Field(default_factory=list, max_length=20)
    client: Short | None = None
    ip_events: list[IpEvent] = Field(default_factory=list, max_length=500)
    file_names: Text | None = None
    third_party_hosted: bool | None = None
    additional_info: Text | None = None


class FileDraft(_Strict):
    """A file already streamed into encrypted storage (`storage_key`), or known only by hashes."""

    file_id: Hex32 | None = None
    original_name: Short | None = None
    size: Annotated[int, Field(ge=0)] | None = None
    content_type: Short | None = None
    md5: Hex32 | None = None
    sha1: Hex40 | None = None
    sha256: Hex64 | None = None
    pdq: Hex64 | None = None
    pdq_quality: Annotated[int, Field(ge=0, le=100)] | None = None
    viewed_by_platform: bool | None = None
    publicly_available: bool | None = None
    classification: FileClassification | None = None
    annotations: list[Short] = Field(default_factory=list, max_length=20)
    details: dict[str, Any] = Field(default_factory=dict)
    storage_key: Annotated[str, StringConstraints(max_length=200)] | None = None

    @field_validator("md5", "sha1", "sha256", "pdq")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return value.lower() if value else value


class IncidentDraft(_Strict):
    type: IncidentType
    annotations: list[Annotation] = Field(default_factory=list, max_length=20)
    occurred_at: datetime | None = None
    occurred_at_text: Short | None = None
    description: Text = ""
    location_text: Short | None = None
    state_code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = Field(
        default=None, description="Nigerian state (ISO 3166-2:NG without prefix), if known."
    )
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    platform: Annotated[str, StringConstraints(max_length=256)] | None = None
    escalation_note: Annotated[str, StringConstraints(max_length=3000)] | None = None

    @field_validator("occurred_at")
    @classmethod
    def _not_in_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and (to_utc(value)[0] - utcnow()).total_seconds() > CLOCK_SKEW_SECONDS:
            raise ValueError("The incident time cannot be in the future.")
        return value


class ReportInput(_Strict):
    """What a platform or partner sends to `POST /api/v1/reports`."""

    external_id: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="Your own id for this report."
    )
    language: Language = Language.EN
    incident: IncidentDraft
    people: list[PersonDraft] = Field(default_factory=list, max_length=200)
    internet_details: list[InternetDetailDraft] = Field(default_factory=list, max_length=200)
    files: list[FileDraft] = Field(default_factory=list, max_length=1000)
    sharing_level: SharingLevel = SharingLevel.AMBER
    reporter_anonymous: bool = False


class ReportDraft(ReportInput):
    """A report ready for `report_submit`: the input plus what the channel adapter adds."""

    channel: Channel
    received_at: datetime = Field(default_factory=utcnow)
    raw_record: str = ""
    raw_content_type: str = ""
    extra: dict[str, Any] = Field(default_factory=dict)
