"""The providers' callbacks. Thin: check the provider's proof, parse, call one service, answer.

CSRF does not apply to a provider's server-to-server post; each view checks the provider's own
proof instead (Twilio's and Meta's signatures, or the secret key in Africa's Talking's callback
URL, since it signs nothing), before anything is stored.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

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


View = Callable[[HttpRequest], HttpResponse]
Refusal = Callable[[HttpRequest], HttpResponse | None]


def provider_callback(
    refused: Refusal, methods: tuple[str, ...] = ("POST",)
) -> Callable[[View], View]:
    """The opening every provider's callback shares: no CSRF token (the provider's own proof,
    checked by `refused` before the view runs, replaces it), only `methods`, never cached. The
    raw body is read first, so that a signature over it (Twilio's bodySHA256, Meta's
    X-Hub-Signature-256) can still be checked once Django has parsed the form."""

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest) -> HttpResponse:
            request.body  # noqa: B018  # read before request.POST, which would consume it
            refusal = refused(request)
            return view(request) if refusal is None else refusal

        return csrf_exempt(never_cache(require_http_methods(list(methods))(checked)))

    return decorate


@provider_callback(_at_refused)
def ussd_africastalking(request: HttpRequest) -> HttpResponse:
    """Africa's Talking's USSD callback: answers `CON ...` or `END ...` as plain text."""
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


@provider_callback(_at_refused)
def sms_africastalking(request: HttpRequest) -> HttpResponse:
    """An incoming SMS from Africa's Talking; replies go out through the worker."""
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


@provider_callback(_at_refused)
def sms_africastalking_delivery(request: HttpRequest) -> HttpResponse:
    """Africa's Talking's delivery report of a reply we sent."""
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


@provider_callback(_twilio_refused)
def sms_twilio(request: HttpRequest) -> HttpResponse:
    """An incoming SMS from Twilio. Answers empty TwiML: replies go out through the worker."""
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


@provider_callback(_twilio_refused)
def sms_twilio_status(request: HttpRequest) -> HttpResponse:
    """Twilio's status callback of a reply we sent."""
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


def _whatsapp_refused(request: HttpRequest) -> HttpResponse | None:
    """404 when WhatsApp is off; for a POST, 403 unless X-Hub-Signature-256 is the raw body's
    HMAC under the app secret (checked before the body is parsed). The GET handshake checks its
    own token."""
    if not (settings.WHATSAPP_APP_SECRET and settings.WHATSAPP_VERIFY_TOKEN):
        return HttpResponse("Not found.", status=404, content_type=TEXT)
    if request.method == "GET":
        return None
    header = request.headers.get("X-Hub-Signature-256", "")
    valid = hub_signature_valid(
        secret=settings.WHATSAPP_APP_SECRET, body=request.body, header=header
    )
    return None if valid else HttpResponse("Forbidden.", status=403, content_type=TEXT)


@provider_callback(_whatsapp_refused, methods=("GET", "POST"))
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    """The WhatsApp Cloud API webhook: the GET handshake, and POSTs verified before parsing."""
    if request.method == "GET":
        return _whatsapp_verify(request)
    try:
        values = parse(request.body)
    except PayloadError:
        return _bad_request()
    whatsapp_receive(values)
    return HttpResponse("OK", content_type=TEXT)
