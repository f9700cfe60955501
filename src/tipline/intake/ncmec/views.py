"""The national desk's NCMEC import page, mounted by config/urls.py at /console/ncmec/: upload
one or more ZIP packages, see what became of each referral, and the latest referrals imported.

The upload follows the evidence upload's order: access and rate limit before the body is read,
then the encrypting handler, then the CSRF check, and every stored ZIP is discarded at the end
(its files were stored on their own, encrypted, as the reports' files)."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from tipline.accounts.types import StaffRequest
from tipline.common.ratelimit import rate_limit_hit
from tipline.intake.ncmec.forms import PackageUploadForm
from tipline.intake.ncmec.selectors import ncmec_check_user, ncmec_referrals_for
from tipline.intake.ncmec.services import FAILED, ImportOutcome, ncmec_import_source
from tipline.intake.ncmec.sources import PackageRefused, ZipSource
from tipline.intake.ncmec.uploads import PackageUploadHandler
from tipline.media.orphans import media_discard_unreferenced
from tipline.media.storage import read_decrypted
from tipline.media.uploads import EncryptedUpload, written_keys

UPLOADS_PER_HOUR = 120
REFUSED_WORDS = {
    "too_large": "is larger than the upload limit; import it with `tipline ncmec import`",
    "total_too_large": "takes the upload past its limit; send fewer packages at once",
    "too_many": "is one package too many for one upload",
    "not_zip": "is not a ZIP file (by its content)",
}


def _page(request: StaffRequest, outcomes: list[ImportOutcome], status: int = 200) -> HttpResponse:
    context = {
        "form": PackageUploadForm(),
        "outcomes": outcomes,
        "referrals": ncmec_referrals_for(user=request.user),
        "max_bytes": settings.NCMEC_UPLOAD_MAX_BYTES,
    }
    return render(request, "intake/ncmec_import.html", context, status=status)


@login_required
def imports(request: StaffRequest) -> HttpResponse:
    """The upload form and the latest NCMEC referrals."""
    ncmec_check_user(user=request.user)
    return _page(request, [])


@csrf_exempt  # checked by _upload as the body is read: see the module docstring
@login_required
@require_POST
def upload(request: StaffRequest) -> HttpResponse:
    """Import the uploaded packages; 200 when every referral was taken, 422 when one was not."""
    ncmec_check_user(user=request.user)
    verdict = rate_limit_hit(
        key=f"ncmec-upload:{request.user.pk}", limit=UPLOADS_PER_HOUR, window_seconds=3600
    )
    if not verdict.allowed:
        return HttpResponse("Too many uploads; wait a while.", status=429)
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > settings.NCMEC_UPLOAD_MAX_BYTES * 2:
        return _page(request, [_refused("the upload", REFUSED_WORDS["too_large"])], status=413)
    request.upload_handlers = [PackageUploadHandler(request)]
    try:
        return _upload(request)
    finally:
        media_discard_unreferenced(keys=written_keys(request))


def _refused(name: str, words: str) -> ImportOutcome:
    return ImportOutcome(package=name, number="", status=FAILED, error=f"{name} {words}.")


@csrf_protect
def _upload(request: StaffRequest) -> HttpResponse:
    uploads = request.FILES.getlist("packages")
    if not uploads:
        return _page(request, [_refused("The form", "carried no package; choose a ZIP")], 400)
    taken = [u for u in uploads if isinstance(u, EncryptedUpload) and u.blob is not None]
    refused = [u for u in uploads if u not in taken]
    if refused:  # nothing is imported from an upload that lost part of itself
        errors = [getattr(u, "error", "") for u in refused]
        outcomes = [
            _refused(u.name or "upload", REFUSED_WORDS.get(e, "was not taken"))
            for u, e in zip(refused, errors, strict=True)
        ]
        too_large = any(e in ("too_large", "total_too_large") for e in errors)
        return _page(request, outcomes, status=413 if too_large else 422)
    outcomes = [o for u in taken for o in _import(request, u)]
    return _page(
        request, outcomes, status=422 if any(o.status == FAILED for o in outcomes) else 200
    )


def _import(request: StaffRequest, upload: EncryptedUpload) -> list[ImportOutcome]:
    assert upload.blob is not None  # noqa: S101  # refused uploads were answered above
    # ZIP needs random access; the package is decrypted into memory (bounded by the upload
    # limit), never onto disk.
    data = io.BytesIO(b"".join(read_decrypted(upload.blob.key)))
    name = upload.name or "upload.zip"
    try:
        source = ZipSource(data, name)
    except PackageRefused as exc:
        return [ImportOutcome(package=name, number="", status=FAILED, error=exc.message)]
    return ncmec_import_source(source=source, actor=request.user)
