"""The menus of the phone channels, one data file per language (`menus/<code>.yaml`).

The wording is data so that a native speaker can review and correct it without touching code;
`menu_for` checks on first use that a file has every entry the flow needs.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tipline.reports.choices import IncidentType

LANGUAGES = ("en", "ha", "yo", "ig", "pcm")
MENU_DIR = Path(__file__).resolve().parent / "menus"
# The language picker shows each language in its own name, so it is the same in every file.
PICKER = "Language / Harshe / Ede / Asusu:"
TEXTS = [
    "footer",
    "invalid",
    "incident",
    "at_risk",
    "age",
    "state",
    "more",
    "lga",
    "type_place",
    "place",
    "when",
    "description",
    "callback",
    "yes",
    "no",
    "confirm",
    "send",
    "done",
    "resume",
    "timeout",
    "limited",
]
LISTS = {"at_risk_options": 3, "age_options": 4, "when_options": 5, "resume_options": 2}
SMS_TEXTS = [
    "stopped",
    "status",
    "status_unknown",
    "free_text",
    "help",
    "file_saved",
    "location_saved",
    "follow_up",
    "answer_saved",
]
KEYWORDS = ("report", "status", "stop", "yes")
STATUSES = ("received", "reviewing", "handled", "closed")


class MenuError(Exception):
    """A menu file lacks an entry or has one of the wrong shape."""


def _require(menu: dict[str, Any], code: str) -> None:
    missing = [
        key
        for key in (*TEXTS, *LISTS, "incidents", "keywords", "sms", "statuses")
        if key not in menu
    ]
    if missing:
        raise MenuError(f"menus/{code}.yaml lacks {', '.join(missing)}")
    for key, size in LISTS.items():
        if len(menu[key]) != size:
            raise MenuError(f"menus/{code}.yaml: {key} needs {size} entries")
    unknown = set(menu["incidents"]) - set(IncidentType.values)
    if unknown:
        raise MenuError(f"menus/{code}.yaml: unknown incident types {sorted(unknown)}")
    for group, keys in (("sms", SMS_TEXTS), ("keywords", KEYWORDS), ("statuses", STATUSES)):
        if lacking := [k for k in keys if k not in menu[group]]:
            raise MenuError(f"menus/{code}.yaml: {group} lacks {', '.join(lacking)}")


@cache
def menu_for(code: str) -> dict[str, Any]:
    """The checked menu of one language (English for a code we do not have)."""
    code = code if code in LANGUAGES else "en"
    menu: dict[str, Any] = yaml.safe_load((MENU_DIR / f"{code}.yaml").read_text("utf-8"))
    menu = {str(key): value for key, value in menu.items()}  # YAML reads a bare no as False
    _require(menu, code)
    return menu


def language_names() -> list[str]:
    """Each language in its own name, in picker order."""
    return [menu_for(code)["name"] for code in LANGUAGES]
