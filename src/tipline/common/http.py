"""Request helpers."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only for the configured number of proxies."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return str(chain[-hops])
    remote = request.META.get("REMOTE_ADDR")
    return str(remote) if remote else None


def safe_next(request: HttpRequest, target: str | None, default: str) -> str:
    """`target` when it is a path on this site, else `default`: the one check for every `next`.

    Without it, `next=https://evil.example/` or `//evil.example/` turns a trusted page into an
    open redirect, a favourite of phishing mails aimed at staff.
    """
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
