"""The states and LGAs the menus page through: the geo app's seed data and naija-data's LGAs.

Read once per process (names do not change at run time), so a USSD screen costs no query.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import tipline.geo


@cache
def states() -> tuple[tuple[str, str], ...]:
    """(code, name) of the 36 states and the FCT, alphabetical by name."""
    path = Path(tipline.geo.__file__).resolve().parent / "data" / "nigeria.json"
    data = json.loads(path.read_text("utf-8"))
    return tuple(sorted(((s["code"], s["name"]) for s in data["states"]), key=lambda s: s[1]))


def state_name(code: str) -> str:
    """A state's name, or '' for a code we do not know."""
    return dict(states()).get(code, "")


@cache
def lgas(state_code: str) -> tuple[str, ...]:
    """The LGAs of a state, alphabetical (INEC's 774, as naija-data carries them)."""
    from naija_data import admin  # noqa: PLC0415  # loaded on first use only

    return tuple(sorted(lga.name for lga in admin.lgas(state_code)))
