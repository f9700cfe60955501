"""Reads of public alerts: the active ones, one by its public id, and its messages."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.http import Http404

from tipline.missing.choices import MessageType
from tipline.missing.models import AlertMessage


def alert_newest(*, public_id: str) -> AlertMessage:
    """The newest message of a public alert (perhaps its Cancel); 404 when there is none."""
    found = AlertMessage.objects.filter(public_id=public_id).order_by("-sent", "-pk").first()
    if found is None:
        raise Http404("No such alert.")
    return found


def alert_message(*, identifier: str) -> AlertMessage:
    """One CAP message by its identifier; 404 when there is none."""
    found = AlertMessage.objects.filter(identifier=identifier).first()
    if found is None:
        raise Http404("No such alert message.")
    return found


def alerts_active() -> list[AlertMessage]:
    """The newest message of every alert that is not cancelled, newest first."""
    newest = (
        AlertMessage.objects.filter(public_id=OuterRef("public_id"))
        .order_by("-sent", "-pk")
        .values("pk")[:1]
    )
    latest = AlertMessage.objects.filter(pk=Subquery(newest))
    return list(latest.exclude(msg_type=MessageType.CANCEL).order_by("-sent", "-pk"))
