"""HTTP endpoints of the CyberTipline-compatible API at /ispws.

Every answer is XML in ISO-8859-1 with a `Request-ID` header, as CyberTipline clients expect.
"""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from tipline.accounts.models import ApiClient
from tipline.common.http import client_ip
from tipline.intake.ispws import services
from tipline.intake.ispws.responses import (
    CONTENT_TYPE,
    ResponseCode,
    report_done_response,
    report_response,
)
from tipline.intake.ispws.uploads import IspwsUploadHandler
from tipline.intake.ispws.xml import (
    DocumentTooLarge,
    IspwsXMLError,
    parse_and_validate,
    schema_bytes,
)
from tipline.media.uploads import EncryptedUpload

logger = logging.getLogger(__name__)
View = Callable[[HttpRequest, ApiClient], HttpResponse]


def _xml(body: bytes, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPE)
    response["Request-ID"] = uuid.uuid4().hex
    return response


def _code(code: int, status: int = 200, message: str | None = None, **ids: object) -> HttpResponse:
    return _xml(report_response(code, message, **ids), status)  # type: ignore[arg-type]  # ids are typed by report_response


def _credentials(request: HttpRequest) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        username, sep, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (username, password) if sep else None


def _unauthorised() -> HttpResponse:
    response = _code(ResponseCode.AUTHENTICATION_REQUIRED, 401)
    response["WWW-Authenticate"] = 'Basic realm="tipline ispws"'
    return response


def _authenticate(request: HttpRequest) -> ApiClient | HttpResponse:
    """The client, or 401 for wrong credentials and 429 once an address has failed too often."""
    creds = _credentials(request)
    if creds is None:
        return _unauthorised()
    ip = client_ip(request)
    if services.ispws_auth_paused(username=creds[0], ip=ip):
        response = _code(ResponseCode.AUTHENTICATION_REQUIRED, 429, "Too many failed logins.")
        response["Retry-After"] = str(settings.LOGIN_LOCK_SECONDS)
        return response
    client = services.ispws_authenticate(username=creds[0], password=creds[1], ip=ip)
    return client if client is not None else _unauthorised()


def ispws_endpoint(methods: tuple[str, ...]) -> Callable[[View], Callable[..., HttpResponse]]:
    """Basic auth, the `ispws` scope, the allowed methods, and errors in the wire dialect."""

    def decorate(view: View) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest) -> HttpResponse:
            if request.method not in methods:
                return _code(ResponseCode.INVALID_REQUEST, 405)
            client_or_refusal = _authenticate(request)
            if isinstance(client_or_refusal, HttpResponse):
                return client_or_refusal
            client = client_or_refusal
            try:
                services.require_scope(client)
                return view(request, client)
            except services.IspwsError as exc:
                return _code(exc.code, exc.status, exc.message)
            except IspwsXMLError as exc:
                too_large = isinstance(exc, DocumentTooLarge)
                return _code(exc.code, 413 if too_large else 400, exc.message)

        return wrapper

    return decorate


def _read_document(request: HttpRequest) -> bytes:
    limit = settings.ISPWS_MAX_DOCUMENT_BYTES
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > limit:
        raise services.IspwsError(
            ResponseCode.VALIDATION_FAILED, 413, f"Document too large: the limit is {limit} bytes."
        )
    body = request.read(limit + 1)
    if len(body) > limit:
        raise services.IspwsError(
            ResponseCode.VALIDATION_FAILED, 413, f"Document too large: the limit is {limit} bytes."
        )
    return body


@ispws_endpoint(("GET",))
def status(request: HttpRequest, client: ApiClient) -> HttpResponse:
    """GET /ispws/status: proves the credentials work."""
    text = f"Remote User : {client.ispws_username}, Remote Ip : {client_ip(request)}"
    return _code(ResponseCode.SUCCESS, message=text)


def xsd(request: HttpRequest) -> HttpResponse:
    """GET /ispws/xsd: the schema this server validates against (public, like NCMEC's)."""
    return _xml(schema_bytes())


@ispws_endpoint(("POST",))
def submit(request: HttpRequest, client: ApiClient) -> HttpResponse:
    """POST /ispws/submit: open a report from a `<report>` document."""
    body = _read_document(request)
    root = parse_and_validate(body, expected_root="report")
    text = body.decode(root.getroottree().docinfo.encoding or "utf-8", errors="replace")
    open_report = services.ispws_open(client=client, xml_text=text, ip=client_ip(request))
    return _code(ResponseCode.SUCCESS, report_id=open_report.pk)


@ispws_endpoint(("POST",))
def upload(request: HttpRequest, client: ApiClient) -> HttpResponse:
    """POST /ispws/upload: stream one file into encrypted storage and attach it."""
    request.upload_handlers = [IspwsUploadHandler(request)]
    files = [f for f in request.FILES.getlist("file") if isinstance(f, EncryptedUpload)]
    if len(files) != 1:
        for extra in files:
            services.discard_upload(extra)
        raise services.IspwsError(
            ResponseCode.INVALID_REQUEST, message="Send exactly one 'file' part."
        )
    stored = services.ispws_attach_file(
        client=client, raw_id=request.POST.get("id"), upload=files[0], ip=client_ip(request)
    )
    return _code(
        ResponseCode.SUCCESS,
        report_id=stored.open_report_id,
        file_id=stored.file_id,
        md5=stored.md5,
    )


@ispws_endpoint(("POST",))
def fileinfo(request: HttpRequest, client: ApiClient) -> HttpResponse:
    """POST /ispws/fileinfo: details of one uploaded file."""
    body = _read_document(request)
    root = parse_and_validate(body, expected_root="fileDetails")
    text = body.decode(root.getroottree().docinfo.encoding or "utf-8", errors="replace")
    stored = services.ispws_file_info(client=client, xml_text=text, root=root)
    return _code(ResponseCode.SUCCESS, report_id=stored.open_report_id, file_id=stored.file_id)


@ispws_endpoint(("POST",))
def finish(request: HttpRequest, client: ApiClient) -> HttpResponse:
    """POST /ispws/finish: the open report becomes a platform report."""
    done = services.ispws_finish(
        client=client, raw_id=request.POST.get("id"), ip=client_ip(request)
    )
    return _xml(report_done_response(int(done.report.external_id), done.file_ids))


@ispws_endpoint(("POST",))
def retract(request: HttpRequest, client: ApiClient) -> HttpResponse:
    """POST /ispws/retract: discard an open report."""
    retracted = services.ispws_retract(
        client=client, raw_id=request.POST.get("id"), ip=client_ip(request)
    )
    return _code(ResponseCode.SUCCESS, report_id=retracted.pk)
