"""Writing audit events. Call inside the transaction of the change being audited."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.db import transaction

from tipline.audit.models import AuditChainHead, AuditEvent
from tipline.common.time import utcnow

GENESIS = "0" * 64


def canonical_payload(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    ip: str | None,
) -> bytes:
    """The exact bytes an event's hash covers."""
    body = {
        "seq": seq,
        "at": at.isoformat(),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
        "ip": ip,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def chain_hash(prev_hash: str, payload: bytes) -> str:
    """SHA-256 over the previous hash and this event's payload."""
    return hashlib.sha256(prev_hash.encode("ascii") + payload).hexdigest()


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str)) if value is not None else None


def audit_record(
    *,
    actor: Any | None,
    action: str,
    object_type: str,
    object_id: str | int,
    before: Any = None,
    after: Any = None,
    ip: str | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the audited change's transaction.")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    actor_id = getattr(actor, "pk", None)
    label = actor_label or (getattr(actor, "username", None) or "system")
    before, after = _json_safe(before), _json_safe(after)
    seq, at = head.last_seq + 1, utcnow()
    payload = canonical_payload(
        seq=seq,
        at=at,
        actor_id=actor_id,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        ip=ip,
    )
    digest = chain_hash(head.last_hash, payload)
    event = AuditEvent.objects.create(
        seq=seq,
        at=at,
        actor_id=actor_id,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        ip=ip,
        prev_hash=head.last_hash,
        hash=digest,
    )
    head.last_seq, head.last_hash = seq, digest
    head.save(update_fields=["last_seq", "last_hash"])
    return event
