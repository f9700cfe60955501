"""Channel adapters: turn what a channel received into one call of `report_submit`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from tipline.accounts.models import ApiClient
from tipline.intake.models import IdempotencyRecord
from tipline.media.uploads import EncryptedUpload
from tipline.reports.choices import Channel, InternetDetailKind, PersonRole
from tipline.reports.drafts import (
    EmailAddress,
    FileDraft,
    IncidentDraft,
    InternetDetailDraft,
    PersonDraft,
    Phone,
    ReportDraft,
)
from tipline.reports.services import SubmitResult, report_submit

FORM_RAW_FIELDS = (
    "incident_type",
    "description",
    "when",
    "state",
    "location",
    "online_where",
    "suspect_details",
    "victim_age",
    "contact_name",
    "contact_phone",
    "contact_email",
)


@dataclass
class PublicSubmission:
    """The outcome of a public form post: the stored report and any files that were refused."""

    result: SubmitResult
    rejected_files: list[tuple[str, str]] = field(default_factory=list)


def _reporter(data: dict[str, Any]) -> PersonDraft:
    name = (data.get("contact_name") or "").strip()
    first, _, last = name.partition(" ")
    phones = [Phone(number=data["contact_phone"])] if data.get("contact_phone") else []
    emails = [EmailAddress(address=data["contact_email"])] if data.get("contact_email") else []
    return PersonDraft(
        role=PersonRole.REPORTER,
        first_name=first or None,
        last_name=last or None,
        phones=phones,
        emails=emails,
    )


def _people(data: dict[str, Any], wants_contact: bool) -> list[PersonDraft]:
    people: list[PersonDraft] = []
    if data.get("suspect_details"):
        people.append(PersonDraft(role=PersonRole.REPORTED_PERSON, notes=data["suspect_details"]))
    if data.get("victim_age") is not None:
        people.append(PersonDraft(role=PersonRole.VICTIM, age=data["victim_age"]))
    if wants_contact:
        people.append(_reporter(data))
    return people


def _internet_details(data: dict[str, Any]) -> list[InternetDetailDraft]:
    where = (data.get("online_where") or "").strip()
    if not where:
        return []
    return [InternetDetailDraft(kind=InternetDetailKind.WEB_PAGE, additional_info=where)]


def _file_draft(upload: EncryptedUpload) -> FileDraft:
    assert upload.blob is not None  # noqa: S101  # callers pass accepted uploads only
    blob = upload.blob
    return FileDraft(
        original_name=(upload.name or "")[:500],
        size=blob.size,
        content_type=upload.sniffed,
        md5=blob.md5,
        sha1=blob.sha1,
        sha256=blob.sha256,
        storage_key=blob.key,
    )


def public_report_submit(
    *,
    data: dict[str, Any],
    uploads: list[EncryptedUpload],
    language: str,
    state_name: str,
    wants_contact: bool,
    ip: str | None,
) -> PublicSubmission:
    """Submit a public web-form report. Refused files are listed; the report is kept."""
    accepted = [u for u in uploads if u.blob is not None]
    rejected = [(u.name or "", u.error) for u in uploads if u.blob is None]
    location = ", ".join(filter(None, [data.get("location") or "", state_name]))
    incident = IncidentDraft(
        type=data["incident_type"],
        description=data["description"],
        occurred_at_text=data.get("when") or None,
        location_text=location or None,
        state_code=data.get("state") or None,
    )
    raw = {key: data.get(key) for key in FORM_RAW_FIELDS if data.get(key) not in (None, "")}
    raw["attachments"] = [u.name for u in uploads]
    draft = ReportDraft(
        channel=Channel.WEB,
        language=language,
        incident=incident,
        people=_people(data, wants_contact),
        internet_details=_internet_details(data),
        files=[_file_draft(u) for u in accepted],
        reporter_anonymous=not wants_contact,
        raw_record=json.dumps(raw, ensure_ascii=False, default=str),
        raw_content_type="application/x-www-form-urlencoded+json",
    )
    return PublicSubmission(result=report_submit(draft=draft, ip=ip), rejected_files=rejected)


@dataclass(frozen=True)
class ApiOutcome:
    """An HTTP status and JSON body, as stored for idempotent replay."""

    status: int
    body: dict[str, Any]


def idempotent_replay(*, client: ApiClient, key: str, body_sha256: str) -> ApiOutcome | None:
    """A stored response for this key, or None. Raises `KeyReused` for a different body."""
    record = IdempotencyRecord.objects.filter(api_client=client, key=key).first()
    if record is None:
        return None
    if record.request_sha256 != body_sha256:
        raise KeyReusedError
    return ApiOutcome(record.status_code, record.response)


class KeyReusedError(Exception):
    """The Idempotency-Key was used before with a different request body."""


def api_submit_idempotent(
    *,
    client: ApiClient,
    key: str | None,
    body_sha256: str,
    work: Any,
) -> ApiOutcome:
    """Run `work()` (which submits) and store its response under the key, in one transaction.

    Two racing requests with one key: the loser's transaction rolls back whole and it replays the
    winner's response, so nothing is stored twice.
    """
    if key is None:
        outcome: ApiOutcome = work()
        return outcome
    try:
        with transaction.atomic():
            outcome = work()
            if outcome.status < 500:
                IdempotencyRecord.objects.create(
                    api_client=client,
                    key=key,
                    request_sha256=body_sha256,
                    status_code=outcome.status,
                    response=outcome.body,
                )
            return outcome
    except IntegrityError:
        replay = idempotent_replay(client=client, key=key, body_sha256=body_sha256)
        if replay is None:
            raise
        return replay


def api_report_submit(*, client: ApiClient, draft: ReportDraft, ip: str | None) -> SubmitResult:
    """Submit one JSON API report for a client."""
    return report_submit(draft=draft, api_client=client, ip=ip)
