"""Background tasks of the intake channels."""

from __future__ import annotations

from django_tasks import task

from tipline.intake.ispws.services import ispws_expire_abandoned


@task()
def ispws_expire() -> int:
    """Discard abandoned /ispws reports. Idempotent; scheduled by every `tipline worker`."""
    return ispws_expire_abandoned()
