"""Media in the console: blurred by default; revealing one image is deliberate and audited.

A reveal is a decision, rare and worth the hash chain: it is an audit event, and also a look-up
so the supervisors' look-up page lists it. Each full view afterwards is a look-up only: images
load often, and a chained event per image would queue every one behind the chain's head lock.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from tipline.accounts.services import user_set_media_preference
from tipline.audit.lookups import lookup_note
from tipline.audit.models import LookupKind
from tipline.audit.services import audit_record
from tipline.common.http import client_ip, safe_next
from tipline.common.time import utcnow
from tipline.media.previews import blurred_thumbnail, full_view
from tipline.media.selectors import file_get_for_user, file_is_held_back
from tipline.media.services import file_open_held_back
from tipline.media.sniff import IMAGE_TYPES
from tipline.reports.models import ReportFile

REVEALED = "tipline_revealed_files"
REVEAL_SECONDS = 600


def _image_response(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "no-store, private"
    return response


def _shown(request: HttpRequest, file_id: str) -> ReportFile:
    """A file the user may see that is not held back (the company did not view it and no one
    has recorded a legal basis to open it): held back answers 404 like a missing file."""
    file = file_get_for_user(user=request.user, file_id=file_id)
    if file_is_held_back(file):
        raise Http404("Held back until someone records the legal basis to open it.")
    return file


def _viewable(request: HttpRequest, file_id: str) -> object:
    file = _shown(request, file_id)
    if file.is_hash_only or file.sniffed_type not in IMAGE_TYPES:
        raise Http404("Nothing to show for this file.")
    return file


@login_required
@require_http_methods(["GET"])
def preview(request: HttpRequest, file_id: str) -> HttpResponse:
    """The blurred greyscale thumbnail everyone sees by default."""
    file = _viewable(request, file_id)
    return _image_response(blurred_thumbnail(file))  # type: ignore[arg-type]  # a ReportFile


def _revealed(request: HttpRequest, file_id: str) -> bool:
    until = request.session.get(REVEALED, {}).get(file_id, 0)
    return bool(request.user.media_reveal_default) or until > utcnow().timestamp()  # type: ignore[union-attr]  # login_required


@login_required
@require_POST
def reveal(request: HttpRequest, file_id: str) -> HttpResponse:
    """A deliberate click to see one image in full for a few minutes. Audited."""
    file = _shown(request, file_id)
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="media.revealed",
            object_type="report_file",
            object_id=file.file_id,
            ip=client_ip(request),
            after={"report": file.report.reference},
        )
    lookup_note(
        request, kind=LookupKind.MEDIA_REVEAL, object_ref=file.report.reference, query=file_id
    )
    revealed = dict(request.session.get(REVEALED, {}))
    revealed[file_id] = utcnow().timestamp() + REVEAL_SECONDS
    request.session[REVEALED] = revealed
    target = reverse("console:report", args=[file.report.reference])
    return HttpResponseRedirect(f"{target}#file-{file_id}")


@login_required
@require_http_methods(["GET"])
def full(request: HttpRequest, file_id: str) -> HttpResponse:
    """The image unblurred (EXIF stripped), only after a reveal or by the user's own preference."""
    file = _viewable(request, file_id)
    if not _revealed(request, file_id):
        raise Http404("Reveal the image first.")
    reference = file.report.reference  # type: ignore[attr-defined]  # a ReportFile
    lookup_note(request, kind=LookupKind.MEDIA_VIEW, object_ref=reference, query=file_id)
    return _image_response(full_view(file))  # type: ignore[arg-type]  # a ReportFile


@login_required
@require_POST
def open_held_back(request: HttpRequest, file_id: str) -> HttpResponse:
    """Record the legal basis for opening a file the company did not view (audited); then it
    shows blurred like any other, and a reveal is a second deliberate step."""
    file = file_get_for_user(user=request.user, file_id=file_id)
    try:
        file_open_held_back(
            file=file,
            legal_basis=request.POST.get("legal_basis", ""),
            actor=request.user,  # type: ignore[arg-type]  # login_required
            ip=client_ip(request),
        )
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=400, content_type="text/plain")
    target = reverse("console:report", args=[file.report.reference])
    return HttpResponseRedirect(f"{target}#file-{file_id}")


@login_required
@require_POST
def preference(request: HttpRequest) -> HttpResponse:
    """Each analyst chooses whether media start blurred (the default) or not."""
    reveal_default = request.POST.get("reveal_by_default") == "1"
    user_set_media_preference(user=request.user, reveal_by_default=reveal_default)  # type: ignore[arg-type]  # login_required
    return HttpResponseRedirect(
        safe_next(request, request.POST.get("next"), reverse("console:reports"))
    )
