"""A report's history in sentences ("Priority set to P3 by the pipeline: default for online
enticement") rather than the audit rows' program data. The audit rows stay the record; this is
only how the report page reads them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tipline.reports.choices import ReportStatus

SYSTEM_LABELS = frozenset({"system", "pipeline", ""})


def _who(event: Any) -> str:
    label = event.actor_label or ""
    if label in SYSTEM_LABELS:
        return "the pipeline"
    if label.startswith("public:"):
        return f"a member of the public ({label.partition(':')[2]})"
    if label.startswith("reporter:"):
        return f"the reporter ({label.partition(':')[2]})"
    if label.startswith("cli:"):
        return f"the command line ({label.partition(':')[2]})"
    return label


def _status(value: Any) -> str:
    return str(dict(ReportStatus.choices).get(value, value or "none")).lower()


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _submitted(e: Any) -> str:
    a = _d(e.after)
    parts = f"{a.get('people', 0)} people, {a.get('files', 0)} files"
    return f"Received by {a.get('channel', 'an unknown channel')} ({parts}) from {_who(e)}"


def _status_changed(e: Any) -> str:
    a, b = _d(e.after), _d(e.before)
    text = f"Status changed from {_status(b.get('status'))} to {_status(a.get('status'))}"
    text += f" by {_who(e)}"
    reason = " ".join(str(a.get(k) or "") for k in ("reason", "note")).strip()
    return f"{text}: {reason}" if reason else text


def _prioritised(e: Any) -> str:
    a = _d(e.after)
    reasons = a.get("reasons") or []
    why = str(a.get("note") or (reasons[0] if reasons else "")).strip()
    text = f"Priority set to {a.get('priority')} by {_who(e)}"
    return f"{text}: {why}" if why else text


def _routed(e: Any) -> str:
    return f"Routed to command {_d(e.after).get('command')} by {_who(e)}"


def _located(e: Any) -> str:
    a = _d(e.after)
    where = ", ".join(str(a[k]) for k in ("lga", "state", "country") if a.get(k))
    return f"Located in {where or 'an unknown place'} by {_who(e)} ({a.get('source', '?')})"


def _shared(e: Any) -> str:
    """A share with a partner names exactly the fields that went (exchange's audit row)."""
    a = _d(e.after)
    fields = ", ".join(str(f) for f in a.get("fields") or []) or "none"
    return f"Shared with {a.get('partner')} ({a.get('tlp')}) by {_who(e)}; fields: {fields}"


SENTENCES: dict[str, Callable[[Any], str]] = {
    "report.submitted": _submitted,
    "report.status_changed": _status_changed,
    "report.prioritised": _prioritised,
    "report.routed": _routed,
    "report.located": _located,
    "report.assigned": lambda e: f"Assigned to {_d(e.after).get('assigned_to')} by {_who(e)}",
    "report.note_added": lambda e: f"Note added by {_who(e)}",
    "report.addendum_added": lambda e: f"Information added by {_who(e)}",
    "report.files_added": lambda e: f"Files added by {_who(e)}: {len(_d(e.after)['files'])}",
    "report.referred": lambda e: f"Referred to {_d(e.after).get('partner')} by {_who(e)}",
    "report.escalated": lambda e: f"Escalated by {_who(e)}: {_d(e.after).get('reason', '')}",
    "report.escalation_acknowledged": lambda e: f"Escalation acknowledged by {_who(e)}",
    "report.exported_ncmec": lambda e: f"Exported as CyberTipline XML by {_who(e)}",
    "report.shared": _shared,
}


def history_sentence(event: Any) -> str:
    """One audit event on a report as a sentence; an unknown action is named plainly."""
    make = SENTENCES.get(event.action)
    if make is None:
        return (
            f"{event.action.replace('report.', '').replace('_', ' ').capitalize()} by {_who(event)}"
        )
    return make(event)
