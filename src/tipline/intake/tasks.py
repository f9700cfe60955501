"""Background work of the intake channels, run by `tipline worker` (settings.PERIODIC_JOBS)."""

from __future__ import annotations

from tipline.intake.ispws.services import ispws_expire_abandoned


def ispws_expire() -> int:
    """Discard abandoned /ispws reports. Idempotent; run on a timer by every `tipline worker`."""
    return ispws_expire_abandoned()
