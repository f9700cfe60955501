"""The providers' request signatures, computed exactly as they compute them."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs, urlsplit, urlunsplit

DEFAULT_PORTS = {"https": 443, "http": 80}


def twilio_signature(*, auth_token: str, url: str, params: Mapping[str, Sequence[str]]) -> str:
    """Base64 HMAC-SHA1 of the URL followed by each POST parameter's name and value, sorted by
    name (and a repeated name's values sorted), under the account's auth token."""
    payload = url
    for name in sorted(params):
        for value in sorted(set(params[name])):
            payload += name + value
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _with_port(url: str) -> str:
    parts = urlsplit(url)
    if parts.port is not None or parts.scheme not in DEFAULT_PORTS:
        return url
    host = f"{parts.hostname}:{DEFAULT_PORTS[parts.scheme]}"
    netloc = f"{parts.username}@{host}" if parts.username else host
    return urlunsplit(parts._replace(netloc=netloc))


def _without_port(url: str) -> str:
    parts = urlsplit(url)
    if parts.port is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    return urlunsplit(parts._replace(netloc=netloc))


def twilio_valid(
    *,
    auth_token: str,
    url: str,
    params: Mapping[str, Sequence[str]],
    body: bytes,
    signature: str,
) -> bool:
    """Whether `signature` is Twilio's for this request. Like Twilio's own validators it accepts
    the URL with or without its default port, and for a JSON body (a `bodySHA256` query
    parameter) checks the body's hash and signs no parameters."""
    if not auth_token or not signature:
        return False
    body_hash = parse_qs(urlsplit(url).query).get("bodySHA256")
    if body_hash:
        if not hmac.compare_digest(hashlib.sha256(body).hexdigest(), body_hash[0]):
            return False
        params = {}
    return any(
        hmac.compare_digest(
            twilio_signature(auth_token=auth_token, url=candidate, params=params), signature
        )
        for candidate in (_without_port(url), _with_port(url))
    )


def hub_signature_256(*, secret: str, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of the raw body (Meta's `X-Hub-Signature-256`)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def hub_signature_valid(*, secret: str, body: bytes, header: str) -> bool:
    """Whether the header is the body's signature under the app secret (constant time)."""
    if not secret or not header:
        return False
    return hmac.compare_digest(hub_signature_256(secret=secret, body=body), header.strip())
