"""Background work of the intake channels, run by `tipline worker` (settings.PERIODIC_JOBS)."""

from __future__ import annotations

from tipline.intake.channels.outbox import outbox_send_due
from tipline.intake.channels.services import conversations_sweep
from tipline.intake.channels.whatsapp import media_fetch_due
from tipline.intake.ispws.services import ispws_expire_abandoned


def ispws_expire() -> int:
    """Discard abandoned /ispws reports. Idempotent; run on a timer by every `tipline worker`."""
    return ispws_expire_abandoned()


def channel_send_due() -> int:
    """Send queued replies to reporters through their channel's gateway (at least once)."""
    return outbox_send_due()


def channel_fetch_media() -> int:
    """Fetch the files of WhatsApp media messages the webhook recorded, and hand the messages
    (and the sender's messages queued behind them, in order) to their conversations (leased, so
    at most one worker fetches each; counted once)."""
    return media_fetch_due()


def channel_sweep() -> int:
    """Forget ended phone conversations' answers and receipt codes. Idempotent."""
    return conversations_sweep()
