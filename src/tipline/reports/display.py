"""A person's details and internet details as labelled fields an analyst reads, not the
program data they are stored as (`[{'display_names': [], 'platform': 'Snapchat'...}]`)."""

from __future__ import annotations

from typing import Any

LABELS = {
    "phones": "Phone",
    "emails": "Email",
    "addresses": "Address",
    "accounts": "Account",
    "ip_events": "IP address",
    "devices": "Device",
    "notes": "Notes",
    "other": "Other",
    "urls": "URL",
    "email_addresses": "Email",
    "screen_name": "screen name",
    "display_names": "display names",
    "profile_url": "profile",
    "platform_id": "platform id",
    "event_name": "event",
    "date_time": "time",
}


def _label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " "))


def _text(value: Any) -> str:
    """One stored value as a line: a dict's non-empty parts as "label: value", joined."""
    if isinstance(value, dict):
        filled = {k: _text(v) for k, v in value.items() if _text(v)}
        if len(filled) == 1:
            return next(iter(filled.values()))  # a phone's number needs no "number:" label
        return "; ".join(f"{_label(k)}: {v}" for k, v in filled.items())
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value if v not in (None, "", [], {}))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def labelled_fields(data: Any) -> list[tuple[str, str]]:
    """(label, line) pairs for every non-empty value; a list gives one pair per item."""
    if not isinstance(data, dict):
        return [("Value", _text(data))] if data else []
    rows: list[tuple[str, str]] = []
    for key, value in data.items():
        if value in (None, "", [], {}) or key == "kind":
            continue
        if isinstance(value, list):
            rows += [(_label(key), _text(item)) for item in value if _text(item)]
        elif isinstance(value, dict) and key == "other":
            rows += [(_label(k), _text(v)) for k, v in value.items() if _text(v)]
        else:
            rows.append((_label(key).capitalize(), _text(value)))
    return [(label[:1].upper() + label[1:], line) for label, line in rows]


def has_contact(details: Any) -> bool:
    """Whether a person's details hold a way to reach them (phone, email or address)."""
    data = details if isinstance(details, dict) else {}
    return any(data.get(key) for key in ("phones", "emails", "addresses"))
