"""Writes to geo data: seeding the defaults and editing the state-to-command mapping."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from tipline.audit.services import AuditActor, audit_record
from tipline.geo.models import RegionalCommand, State

DEFAULTS = Path(__file__).resolve().parent / "data" / "nigeria.json"


def geo_seed_defaults() -> int:
    """Create the default commands and the 37 states if missing. Returns states created.

    Existing rows are left alone, so an administrator's edits to the mapping survive re-seeding.
    """
    data = json.loads(DEFAULTS.read_text(encoding="utf-8"))
    with transaction.atomic():
        commands = {
            c["code"]: RegionalCommand.objects.get_or_create(
                code=c["code"], defaults={"name": c["name"], "kind": c["kind"]}
            )[0]
            for c in data["commands"]
        }
        created = 0
        for s in data["states"]:
            _, was_created = State.objects.get_or_create(
                code=s["code"],
                defaults={
                    "name": s["name"],
                    "capital": s["capital"],
                    "command": commands[s["command"]],
                },
            )
            created += was_created
        for c in data["commands"]:
            RegionalCommand.objects.filter(code=c["code"], hq_state=None).update(
                hq_state=State.objects.get(code=c["hq_state"])
            )
        if created:
            audit_record(
                actor=None,
                action="geo.seeded",
                object_type="geo",
                object_id="nigeria",
                after={"states_created": created},
            )
    return created


def state_assign_command(
    *, state: State, command: RegionalCommand, actor: AuditActor, ip: str | None = None
) -> State:
    """Route a state's reports to another command: routing reads `State.command` for every
    report it routes from now on (`tipline reprocess --step route` re-routes earlier ones)."""
    with transaction.atomic():
        state = State.objects.select_for_update().select_related("command").get(pk=state.pk)
        before = state.command.code
        state.command = command
        state.save(update_fields=["command"])
        audit_record(
            actor=actor,
            action="geo.state_command_changed",
            object_type="state",
            object_id=state.code,
            before={"command": before},
            after={"command": command.code},
            ip=ip,
        )
    return state
