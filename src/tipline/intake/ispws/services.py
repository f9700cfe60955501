"""The /ispws lifecycle: open a report, add files and file details, finish or retract, expire.

Only `ispws_finish` creates a platform report, through one call of `report_submit`.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import Q

from tipline.accounts.choices import Scope
from tipline.accounts.models import ApiClient
from tipline.audit.services import audit_record
from tipline.common import ids
from tipline.common.ratelimit import strike, strikes
from tipline.common.time import utcnow
from tipline.intake.ispws.convert import file_details_dict_to_file_draft, report_dict_to_draft
from tipline.intake.ispws.mapping import file_details_to_dict, report_to_dict
from tipline.intake.ispws.responses import ResponseCode
from tipline.intake.ispws.xml import parse_document
from tipline.intake.models import IspwsFile, IspwsOpenReport, IspwsReportState
from tipline.media.storage import default_store
from tipline.media.uploads import EncryptedUpload
from tipline.reports.drafts import FileDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit

OPEN_FOR = timedelta(hours=24)
IDLE_FOR = timedelta(hours=1)
_AUTH_TTL = 300.0


@dataclass(frozen=True)
class IspwsFileRef:
    """Which file of which open report a call acted on."""

    open_report_id: int
    file_id: str


class IspwsError(Exception):
    """A failure with its CyberTipline response code and HTTP status."""

    def __init__(self, code: int, status: int = 400, message: str | None = None) -> None:
        super().__init__(message or str(code))
        self.code, self.status, self.message = code, status, message


class _AuthCache:
    """Verified credentials for a few minutes: argon2 per request would cap throughput."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, float]] = {}

    @staticmethod
    def _key(username: str, password: str) -> str:
        secret = settings.SECRET_KEY.encode("utf-8")
        return hmac.new(secret, f"{username}\0{password}".encode(), hashlib.sha256).hexdigest()

    def get(self, username: str, password: str) -> int | None:
        with self._lock:
            entry = self._entries.get(self._key(username, password))
        return entry[0] if entry and entry[1] > time.monotonic() else None

    def put(self, username: str, password: str, client_id: int) -> None:
        with self._lock:
            self._entries[self._key(username, password)] = (client_id, time.monotonic() + _AUTH_TTL)


_auth_cache = _AuthCache()


@functools.cache
def _dummy_hash() -> str:
    """A hash no password matches, checked for unknown names so they cost the same work."""
    return make_password(secrets.token_urlsafe(32))


def _pair_key(username: str, ip: str | None) -> str:
    return "ispws-pair:" + ids.sha256_hex(f"{username}\0{ip}".encode())


def ispws_auth_paused(*, username: str, ip: str | None) -> bool:
    """Whether this address, or this name from this address, has failed too often to try now.

    Counted per name *and* address, so a guesser elsewhere cannot lock a platform out.
    """
    return (
        strikes(key=f"ispws-ip:{ip}") >= settings.ISPWS_IP_MAX_FAILURES
        or strikes(key=_pair_key(username, ip)) >= settings.ISPWS_MAX_FAILURES
    )


def ispws_authenticate(*, username: str, password: str, ip: str | None) -> ApiClient | None:
    """The active client with these /ispws credentials, or None (and the failure counted).

    An unknown name is checked against a dummy hash: the same argon2 work as a known one, so the
    answer's timing does not say which names exist.
    """
    cached = _auth_cache.get(username, password)
    if cached is not None:
        client = ApiClient.objects.filter(pk=cached, is_active=True).first()
        if client is not None and client.ispws_username == username:
            return client
    client = ApiClient.objects.filter(ispws_username=username, is_active=True).first()
    stored = client.ispws_password_hash if client and client.ispws_password_hash else None
    if not check_password(password, stored or _dummy_hash()) or client is None or not stored:
        ttl = settings.LOGIN_LOCK_SECONDS
        strike(key=f"ispws-ip:{ip}", ttl_seconds=ttl)
        strike(key=_pair_key(username, ip), ttl_seconds=ttl)
        return None
    _auth_cache.put(username, password, client.pk)
    return client


def require_scope(client: ApiClient) -> None:
    """Refuse a client without the `ispws` scope."""
    if not client.has_scope(Scope.ISPWS):
        raise IspwsError(ResponseCode.NO_SUBMISSION_AUTHORIZATION, status=403)


def ispws_open(*, client: ApiClient, xml_text: str, ip: str | None) -> IspwsOpenReport:
    """Open a report from a validated `<report>` document."""
    now = utcnow()
    with transaction.atomic():
        open_report = IspwsOpenReport.objects.create(
            api_client=client, report_xml=xml_text, opened_at=now, last_change_at=now
        )
        audit_record(
            actor=None,
            actor_label=f"client:{client.name}",
            action="ispws.opened",
            object_type="ispws_report",
            object_id=open_report.pk,
            ip=ip,
        )
    return open_report


def _parse_id(raw: str | None) -> int:
    try:
        value = int((raw or "").strip())
    except ValueError:
        raise IspwsError(ResponseCode.REPORT_DOES_NOT_EXIST) from None
    if value <= 0:
        raise IspwsError(ResponseCode.REPORT_DOES_NOT_EXIST)
    return value


def _refuse(state: str | None) -> NoReturn:
    """Raise the wire error for a report that is not open. A missing, expired or someone else's
    report (state None) all answer "does not exist"."""
    if state == IspwsReportState.FINISHED:
        raise IspwsError(ResponseCode.REPORT_ALREADY_FINISHED)
    if state == IspwsReportState.RETRACTED:
        raise IspwsError(ResponseCode.REPORT_ALREADY_RETRACTED)
    raise IspwsError(ResponseCode.REPORT_DOES_NOT_EXIST)


def _locked_open(client: ApiClient, raw_id: str | None) -> IspwsOpenReport:
    """The client's own report, locked; anyone else's answers exactly like a missing one."""
    found = (
        IspwsOpenReport.objects.select_for_update()
        .filter(pk=_parse_id(raw_id), api_client=client)
        .first()
    )
    if found is None or found.state != IspwsReportState.OPEN:
        _refuse(found.state if found else None)
    return found


def _touch_open(client: ApiClient, raw_id: str | None) -> int:
    """Lock the client's own open report by marking its change: one statement when it is open.

    The update takes the same row lock as `_locked_open`, without reading the report's document,
    which adding a file does not need. Anyone else's report answers exactly like a missing one.
    """
    pk = _parse_id(raw_id)
    mine = IspwsOpenReport.objects.filter(pk=pk, api_client=client)
    if not mine.filter(state=IspwsReportState.OPEN).update(last_change_at=utcnow()):
        _refuse(mine.values_list("state", flat=True).first())
    return pk


def ispws_attach_file(
    *, client: ApiClient, raw_id: str | None, upload: EncryptedUpload, ip: str | None
) -> IspwsFile:
    """Attach an upload (already encrypted in storage) to an open report."""
    blob = upload.blob
    if blob is None:
        raise IspwsError(ResponseCode.FILE_UPLOAD_FAILED, message=upload.error)
    try:
        with transaction.atomic():
            open_report_id = _touch_open(client, raw_id)
            stored = IspwsFile.objects.create(
                open_report_id=open_report_id,
                file_id=ids.new_file_id(),
                original_name=(upload.name or "")[:500],
                size=blob.size,
                md5=blob.md5,
                sha1=blob.sha1,
                sha256=blob.sha256,
                sniffed_type=upload.sniffed or "",
                storage_key=blob.key,
                uploaded_at=utcnow(),
            )
            audit_record(
                actor=None,
                actor_label=f"client:{client.name}",
                action="ispws.file_uploaded",
                object_type="ispws_report",
                object_id=open_report_id,
                ip=ip,
                after={"file_id": stored.file_id, "size": blob.size, "md5": blob.md5},
            )
    except Exception:
        default_store().delete(blob.key)  # nothing refers to it: do not leave it behind
        raise
    return stored


def discard_upload(upload: EncryptedUpload) -> None:
    """Remove a stored upload that will not be attached."""
    if upload.blob is not None:
        default_store().delete(upload.blob.key)


def ispws_file_info(*, client: ApiClient, xml_text: str, root: Any) -> IspwsFileRef:
    """Store a validated `<fileDetails>` for one of the client's open report's files."""
    details = file_details_to_dict(root)
    file_id = str(details.get("fileId", "")).strip()
    with transaction.atomic():
        open_report_id = _touch_open(client, str(details.get("reportId", "")))
        stored = IspwsFile.objects.filter(open_report_id=open_report_id, file_id=file_id)
        if not stored.update(details_xml=xml_text):
            raise IspwsError(ResponseCode.FILE_DOES_NOT_EXIST)
    return IspwsFileRef(open_report_id=open_report_id, file_id=file_id)


def _file_draft(stored: IspwsFile) -> FileDraft:
    details = None
    if stored.details_xml:
        root = parse_document(stored.details_xml.encode("utf-8"), expected_root="fileDetails")
        details = file_details_to_dict(root)
    return file_details_dict_to_file_draft(
        details,
        file_id=stored.file_id,
        original_name=stored.original_name,
        size=stored.size,
        md5=stored.md5,
        sha1=stored.sha1,
        sha256=stored.sha256,
        content_type=stored.sniffed_type or None,
        storage_key=stored.storage_key,
    )


@dataclass(frozen=True)
class Finished:
    """The platform report made from an /ispws report, and the file ids it carries."""

    report: Report
    file_ids: list[str]


def ispws_finish(*, client: ApiClient, raw_id: str | None, ip: str | None) -> Finished:
    """Turn the whole open report into one `report_submit` call, atomically."""
    with transaction.atomic():
        open_report = _locked_open(client, raw_id)
        files = list(open_report.files.all())
        root = parse_document(open_report.report_xml.encode("utf-8"), expected_root="report")
        draft = report_dict_to_draft(
            report_to_dict(root),
            [_file_draft(f) for f in files],
            raw_xml=open_report.report_xml,
            received_at=open_report.opened_at,
        )
        draft.external_id = str(open_report.pk)
        result = report_submit(draft=draft, api_client=client, ip=ip)
        open_report.state, open_report.report = IspwsReportState.FINISHED, result.report
        open_report.save(update_fields=["state", "report"])
    return Finished(report=result.report, file_ids=[f.file_id for f in files])


def _delete_blobs(keys: list[str]) -> None:
    store = default_store()
    for key in keys:
        store.delete(key)


def _discard_files(open_report: IspwsOpenReport) -> list[str]:
    keys = list(open_report.files.values_list("storage_key", flat=True))
    # Robust: after the commit the report is discarded for good, and a blob that cannot be deleted
    # now (its disk gone) is swept later as an orphan; it must not fail the committed request.
    # A lambda, not a partial: Django names the failed callback by its __qualname__.
    transaction.on_commit(lambda: _delete_blobs(keys), robust=True)
    return keys


def ispws_retract(*, client: ApiClient, raw_id: str | None, ip: str | None) -> IspwsOpenReport:
    """Discard an open report and its files."""
    with transaction.atomic():
        open_report = _locked_open(client, raw_id)
        _discard_files(open_report)
        open_report.state = IspwsReportState.RETRACTED
        open_report.report_xml = "<retracted/>"
        open_report.save(update_fields=["state", "report_xml"])
        audit_record(
            actor=None,
            actor_label=f"client:{client.name}",
            action="ispws.retracted",
            object_type="ispws_report",
            object_id=open_report.pk,
            ip=ip,
        )
    return open_report


def abandoned_filter(now: datetime) -> Q:
    """Open reports past both limits: 24 h since opening and 1 h since the last change."""
    return Q(
        state=IspwsReportState.OPEN, opened_at__lt=now - OPEN_FOR, last_change_at__lt=now - IDLE_FOR
    )


def ispws_expire_abandoned(*, now: datetime | None = None) -> int:
    """Discard every abandoned open report. Safe to run at any time, by any worker."""
    now = now or utcnow()
    expired = 0
    candidates = IspwsOpenReport.objects.filter(abandoned_filter(now)).values_list("pk", flat=True)
    for pk in list(candidates[:1000]):
        with transaction.atomic():
            open_report = (
                IspwsOpenReport.objects.select_for_update(skip_locked=True)
                .filter(abandoned_filter(now), pk=pk)
                .first()
            )
            if open_report is None:
                continue
            _discard_files(open_report)
            open_report.state, open_report.report_xml = IspwsReportState.EXPIRED, "<expired/>"
            open_report.save(update_fields=["state", "report_xml"])
            audit_record(
                actor=None,
                action="ispws.expired",
                object_type="ispws_report",
                object_id=open_report.pk,
            )
            expired += 1
    return expired
