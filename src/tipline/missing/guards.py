"""What the registry's pages that take input share: the public rate limit, the one-time form
token, and the shape of a page that takes a photo.

A photo is streamed into encrypted storage as the body is read (never on disk in clear): the
refusals that need no body (rate limit, declared size) come first, the CSRF token is checked as
the body is read, and whatever was stored but not kept is deleted before the answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from tipline.accounts.types import Actor
from tipline.common.public import public_limited as limited_in_bucket
from tipline.common.public import public_oversized as oversized
from tipline.media.orphans import media_discard_unreferenced
from tipline.media.uploads import EncryptedUpload, EncryptingUploadHandler, written_keys
from tipline.missing import services
from tipline.missing.models import MissingRecord

View = Callable[..., HttpResponse]
# How long a form's one-time token is remembered: a resend within a day is the same submission.
TOKEN_SECONDS = 24 * 3600


def public_limited(request: HttpRequest, what: str) -> HttpResponse | None:
    """The public pages' hourly limit per address for `what`; the 429 page once it is spent."""
    return limited_in_bucket(request, bucket=f"public-{what}")


def first_use(token: str, what: str) -> bool:
    """True the first time a form's one-time token is sent (an empty token always passes)."""
    key = f"public-{what}-token:" + hashlib.sha256(token.encode()).hexdigest()
    return not token or cache.add(key, "", TOKEN_SECONDS)


def forget_use(token: str, what: str) -> None:
    """Let the token be sent again (the submission was refused, so nothing was made of it)."""
    cache.delete(f"public-{what}-token:" + hashlib.sha256(token.encode()).hexdigest())


def see_other(url: str) -> HttpResponseRedirect:
    """A 303: a reload after a POST GETs the page instead of posting again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def public_oversized(request: HttpRequest) -> HttpResponse | None:
    """A 413 for a public body declared larger than a photo and the form allow, unread."""
    return oversized(request, files_bytes=settings.PUBLIC_ATTACHMENT_MAX_BYTES)


def takes_photos(refuse: Callable[[HttpRequest], HttpResponse | None]) -> Callable[[View], View]:
    """Wrap a view whose POST may carry a photo: `refuse` (limits) before the body is read, the
    encrypting upload handler, CSRF checked as the body is read, unkept blobs deleted after."""

    def wrap(view: View) -> View:
        protected = csrf_protect(view)

        @csrf_exempt  # checked by `protected`, after `refuse`: see the module's docstring
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                if (refused := refuse(request)) is not None:
                    return refused
                request.upload_handlers = [EncryptingUploadHandler(request)]
            try:
                return protected(request, *args, **kwargs)
            finally:
                media_discard_unreferenced(keys=written_keys(request))

        return wrapped

    return wrap


def keep_photo(
    *, record: MissingRecord, upload: UploadedFile | None, actor: Actor, ip: str | None
) -> str:
    """Keep an uploaded photo of the child (which matches the record again): "" when kept,
    else why not. The rest of the request stands whatever becomes of the photo."""
    if not isinstance(upload, EncryptedUpload) or upload.blob is None:
        return upload.error if isinstance(upload, EncryptedUpload) else "no file"
    try:
        services.missing_photo_add(
            record=record, blob=upload.blob, sniffed=upload.sniffed, actor=actor, ip=ip
        )
    except ValidationError as exc:
        return "; ".join(exc.messages)
    return ""


def photo_note(refusal: str) -> str:
    """What a guardian is told of the photo they sent (the reason is for staff)."""
    if refusal:
        return _("The photo was not kept: it is too large or not an image.")
    return _("The photo was kept.")
