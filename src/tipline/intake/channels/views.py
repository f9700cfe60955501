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
from django.views.decorators.http import require_http_methods, require_POST

from tipline.intake.channels.conversation import Incoming, message_receive
from tipline.intake.channels.forms import (
    AtDeliveryForm,
    AtSmsForm,
    TwilioSmsForm,
    TwilioStatusForm,
    UssdCallbackForm,
)
from tipline.intake.channels.outbox import outbound_record_status
from tipline.intake.channels.signatures import hub_signature_valid, twilio_valid
from tipline.intake.channels.ussd import UssdCallback, ussd_callback
from tipline.intake.channels.whatsapp import PayloadError, parse, whatsapp_receive

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


def _bad_request() -> HttpResponse:
    return HttpResponse("Malformed request.", status=400, content_type=TEXT)


@csrf_exempt  # a provider's post: the callback key replaces the CSRF token (see above)
@require_POST
def sms_africastalking(request: HttpRequest) -> HttpResponse:
    """An incoming SMS from Africa's Talking; replies go out through the worker."""
    if (refused := _at_refused(request)) is not None:
        return refused
    form = AtSmsForm(request.POST)
    if not form.is_valid():
        return _bad_request()
    data = form.cleaned_data
    message_receive(
        Incoming(
            channel="sms",
            provider="africastalking",
            message_id=data["id"],
            phone=data["from"],
            text=data["text"],
        )
    )
    return HttpResponse("OK", content_type=TEXT)


@csrf_exempt  # a provider's post: the callback key replaces the CSRF token (see above)
@require_POST
def sms_africastalking_delivery(request: HttpRequest) -> HttpResponse:
    """Africa's Talking's delivery report of a reply we sent."""
    if (refused := _at_refused(request)) is not None:
        return refused
    form = AtDeliveryForm(request.POST)
    if not form.is_valid():
        return _bad_request()
    outbound_record_status(
        provider="africastalking",
        provider_message_id=form.cleaned_data["id"],
        status=form.cleaned_data["status"],
    )
    return HttpResponse("OK", content_type=TEXT)


def _twilio_refused(request: HttpRequest) -> HttpResponse | None:
    """404 when Twilio is off; 403 unless X-Twilio-Signature is Twilio's for this request."""
    token = settings.TWILIO_AUTH_TOKEN
    if not token:
        return HttpResponse("Not found.", status=404, content_type=TEXT)
    base = settings.TWILIO_WEBHOOK_BASE_URL.rstrip("/")
    url = base + request.get_full_path() if base else request.build_absolute_uri()
    params = {key: request.POST.getlist(key) for key in request.POST}
    signature = request.headers.get("X-Twilio-Signature", "")
    valid = twilio_valid(
        auth_token=token, url=url, params=params, body=request.body, signature=signature
    )
    return None if valid else HttpResponse("Forbidden.", status=403, content_type=TEXT)


EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@csrf_exempt  # a provider's post: Twilio's signature replaces the CSRF token (see above)
@require_POST
def sms_twilio(request: HttpRequest) -> HttpResponse:
    """An incoming SMS from Twilio. Answers empty TwiML: replies go out through the worker."""
    request.body  # noqa: B018  # keep the raw body readable for a bodySHA256 check
    if (refused := _twilio_refused(request)) is not None:
        return refused
    form = TwilioSmsForm(request.POST)
    if not form.is_valid():
        return _bad_request()
    data = form.cleaned_data
    message_receive(
        Incoming(
            channel="sms",
            provider="twilio",
            message_id=data["MessageSid"],
            phone=data["From"],
            text=data["Body"],
        )
    )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@csrf_exempt  # a provider's post: Twilio's signature replaces the CSRF token (see above)
@require_POST
def sms_twilio_status(request: HttpRequest) -> HttpResponse:
    """Twilio's status callback of a reply we sent."""
    request.body  # noqa: B018  # keep the raw body readable for a bodySHA256 check
    if (refused := _twilio_refused(request)) is not None:
        return refused
    form = TwilioStatusForm(request.POST)
    if not form.is_valid():
        return _bad_request()
    outbound_record_status(
        provider="twilio",
        provider_message_id=form.cleaned_data["MessageSid"],
        status=form.cleaned_data["MessageStatus"],
    )
    return HttpResponse("OK", content_type=TEXT)


def _whatsapp_verify(request: HttpRequest) -> HttpResponse:
    """Meta's subscription handshake: echo `hub.challenge` for our verify token."""
    mode = request.GET.get("hub.mode", "")
    token = request.GET.get("hub.verify_token", "")
    expected = settings.WHATSAPP_VERIFY_TOKEN
    if mode != "subscribe" or not hmac.compare_digest(token.encode(), expected.encode()):
        return HttpResponse("Forbidden.", status=403, content_type=TEXT)
    return HttpResponse(request.GET.get("hub.challenge", "")[:200], content_type=TEXT)


@csrf_exempt  # Meta's post: X-Hub-Signature-256 over the raw body replaces the CSRF token
@never_cache
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    """The WhatsApp Cloud API webhook: the GET handshake, and POSTs verified before parsing."""
    if not (settings.WHATSAPP_APP_SECRET and settings.WHATSAPP_VERIFY_TOKEN):
        return HttpResponse("Not found.", status=404, content_type=TEXT)
    if request.method == "GET":
        return _whatsapp_verify(request)
    body = request.body
    header = request.headers.get("X-Hub-Signature-256", "")
    if not hub_signature_valid(secret=settings.WHATSAPP_APP_SECRET, body=body, header=header):
        return HttpResponse("Forbidden.", status=403, content_type=TEXT)
    try:
        values = parse(body)
    except PayloadError:
        return _bad_request()
    whatsapp_receive(values)
    return HttpResponse("OK", content_type=TEXT)
