"""The providers' callbacks. Thin: check the provider's proof, parse, call one service, answer.

CSRF does not apply to a provider's server-to-server post; each view checks the provider's own
proof instead (Twilio's and Meta's signatures, or the secret key in Africa's Talking's callback
URL, since it signs nothing), before anything is stored.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tipline.intake.channels.forms import UssdCallbackForm
from tipline.intake.channels.ussd import UssdCallback, ussd_callback

TEXT = "text/plain; charset=utf-8"


def _at_refused(request: HttpRequest) -> HttpResponse | None:
    """403 unless the callback URL carries Africa's Talking's key; 404 when the channel is off."""
    token = settings.AFRICASTALKING_CALLBACK_TOKEN
    if not token:
        return HttpResponse("Not found.", status=404, content_type=TEXT)
    given = request.GET.get("key", "")
    if not hmac.compare_digest(given.encode(), token.encode()):
        return HttpResponse("Forbidden.", status=403, content_type=TEXT)
    return None


@csrf_exempt  # a provider's post: the callback key replaces the CSRF token (see above)
@never_cache
@require_POST
def ussd_africastalking(request: HttpRequest) -> HttpResponse:
    """Africa's Talking's USSD callback: answers `CON ...` or `END ...` as plain text."""
    if (refused := _at_refused(request)) is not None:
        return refused
    form = UssdCallbackForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            "END Sorry, that request was not understood.", status=400, content_type=TEXT
        )
    data = form.cleaned_data
    call = UssdCallback(
        session_id=data["sessionId"],
        phone=data["phoneNumber"],
        text=data["text"],
        network_code=data["networkCode"],
        service_code=data["serviceCode"],
    )
    return HttpResponse(ussd_callback(call), content_type=TEXT)
