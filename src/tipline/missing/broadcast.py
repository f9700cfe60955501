"""Where an issued alert is pushed besides the public site: an SMS broadcast gateway.

The gateway is an interface; the platform ships a logging one (development, demo) and an
in-memory double (tests). No gateway sends anything to a real network: a live SMS provider is
one more implementation of `Broadcaster`, chosen here, when an agreement with one exists.
Pushes happen after the alert's transaction commits, so a refused push never undoes an alert.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)


class Broadcaster(Protocol):
    """Sends one short public text to everyone subscribed to alerts in a state."""

    def send(self, *, state_code: str, text: str) -> None: ...


class LogBroadcaster:
    """Writes the text to the log (development and demo): nothing leaves the machine."""

    def send(self, *, state_code: str, text: str) -> None:
        logger.info("alert broadcast to %s: %s", state_code, text)


class MemoryBroadcaster:
    """Keeps what would be sent, for tests to read."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, *, state_code: str, text: str) -> None:
        self.sent.append((state_code, text))


MEMORY = MemoryBroadcaster()


def broadcaster() -> Broadcaster:
    """The gateway in force: the in-memory double under test, else the log."""
    return MEMORY if settings.TESTING else LogBroadcaster()


def sms_text(public: dict[str, object], url: str) -> str:
    """The SMS: the child, where last seen, the hotline and the page; at most 306 characters
    (two SMS parts), never a guardian's detail."""
    sex = {"f": "girl", "m": "boy"}.get(str(public.get("sex", "")), "child")
    age = f" about {public['age']}" if public.get("age") is not None else ""
    where = public.get("lga") or public.get("state_name") or ""
    text = f"MISSING CHILD: {public.get('name', '')}, {sex}{age}, last seen {where}. "
    text += f"Seen this child? Call 627. {url}"
    return text[:306]
