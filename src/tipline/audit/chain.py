"""The hash chain's arithmetic, shared by writing (`audit_record`) and checking (`audit verify`).

There is one payload function on purpose: were writing and checking to build the hashed bytes
separately, a field added to one and not the other would make `audit verify` fail on good data.
"""

from __future__ import annotations

import hashlib
import json

from tipline.audit.models import AuditEvent

GENESIS = "0" * 64


def canonical_payload(event: AuditEvent) -> bytes:
    """The exact bytes an event's hash covers."""
    body = {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "ip": event.ip,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over the previous event's hash and this event's payload."""
    return hashlib.sha256(event.prev_hash.encode("ascii") + canonical_payload(event)).hexdigest()
