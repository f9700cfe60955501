"""Places of concern and hotels' foreign-guest manifests: writes and the loose matching of place
names in reports and notices.

A place is named loosely ("the Eko" for "Eko Hotels and Suites"): a text names a place when it
holds every distinctive word of its name or of one of its aliases (people/travel.py decides what
is distinctive). A manifest's rows are matched against the notices active at each guest's
arrival; the rows are kept until the retention setting says, then only the matched ones.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from tipline.accounts.types import Actor
from tipline.audit.services import audit_record
from tipline.common.time import WAT, utcnow
from tipline.geo.models import State
from tipline.people.choices import OwnerKind
from tipline.people.names import tokens
from tipline.people.selectors import people_candidates, people_score
from tipline.people.travel import distinctive
from tipline.reports.models import Report
from tipline.travellers import matching
from tipline.travellers.choices import FoundBy, PlaceKind
from tipline.travellers.match import REPORT_YEARS_DAYS, active_at, profile
from tipline.travellers.models import (
    Manifest,
    ManifestRow,
    Notice,
    NoticeCandidate,
    PlaceLink,
    PlaceOfConcern,
)

MANIFEST_MAX_ROWS = 2000
MANIFEST_MAX_BYTES = 2 * 1024 * 1024
_COLUMNS = {
    "guest_name": ("guest name", "guest_name", "name", "guest"),
    "nationality": ("nationality", "country"),
    "passport_number": ("passport number", "passport_number", "passport", "passport no"),
    "arrival": ("arrival", "arrived", "check in", "check-in"),
    "departure": ("departure", "check out", "check-out"),
    "room": ("room", "room number"),
    "phone": ("phone", "telephone", "phone number"),
}


def place_create(
    *,
    name: str,
    kind: PlaceKind,
    state: State,
    actor: Actor,
    aliases: list[str] | None = None,
    lga: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    notes: str = "",
) -> PlaceOfConcern:
    """Register a place of concern; audited. Links the reports and notices that name it."""
    if not distinctive(name):
        raise ValidationError({"name": "Give the place's own name, not only its kind."})
    if PlaceOfConcern.objects.filter(state=state, name__iexact=name.strip()).exists():
        raise ValidationError({"name": "This state already has a place of that name."})
    with transaction.atomic():
        place = PlaceOfConcern.objects.create(
            name=name.strip(),
            aliases=[a.strip() for a in aliases or [] if a.strip()],
            kind=kind,
            state=state,
            lga=lga,
            latitude=latitude,
            longitude=longitude,
            notes=notes,
            created_by=actor,
            created_at=utcnow(),
        )
        audit_record(
            actor=actor,
            action="travellers.place_created",
            object_type="travellers.place",
            object_id=place.pk,
            after={"name": place.name, "state": state.code},
        )
        place_link_existing(place=place)
    return place


def _named_words(place: PlaceOfConcern) -> Q:
    """Texts that may name the place: those holding the first distinctive word of a name."""
    found = Q(pk__in=[])
    for name in [place.name, *map(str, place.aliases)]:
        words = distinctive(name)
        if words:
            word = words[0]
            found |= Q(description__icontains=word) | Q(location_text__icontains=word)
            found |= Q(location_detail__icontains=word)
    return found


def place_link_existing(*, place: PlaceOfConcern) -> int:
    """Link a new place to the reports of its state of the past years (their texts are plain:
    narrowed in the database, confirmed word by word here) and the notices bound for its state
    that are not purged (their addresses are decrypted: one state's notices). Idempotent."""
    since = utcnow() - timedelta(days=REPORT_YEARS_DAYS)
    reports = Report.objects.filter(_named_words(place), state=place.state, received_at__gte=since)
    made = 0
    for report in reports.only("pk", "description", "location_text", "location_detail"):
        text = " ".join([report.location_text, report.location_detail, report.description])
        name = _named(place, set(tokens(text)))
        if name:
            made += _link(place, name, report=report)
    notices = Notice.objects.filter(destination_state=place.state, purged_at__isnull=True)
    for notice in notices.only("pk", "first_night_address", "other_addresses"):
        text = " ".join([notice.first_night_address, *map(str, notice.other_addresses or [])])
        name = _named(place, set(tokens(text)))
        if name:
            made += _link(place, name, notice=notice)
    return made


def _link(place: PlaceOfConcern, name: str, **side: Any) -> int:
    _, created = PlaceLink.objects.get_or_create(
        place=place, **side, defaults={"named_as": name, "created_at": utcnow()}
    )
    return int(created)


def _named(place: PlaceOfConcern, words: set[str]) -> str | None:
    for name in [place.name, *map(str, place.aliases)]:
        wanted = distinctive(name)
        if wanted and all(w in words for w in wanted):
            return name
    return None


def places_named_in(text: str, *, state_code: str = "") -> list[tuple[PlaceOfConcern, str]]:
    """The places a text names (in `state_code` when given), with the name it used."""
    if not tokens(text):
        return []
    qs = PlaceOfConcern.objects.select_related("state")
    if state_code:
        qs = qs.filter(state__code=state_code)
    return _named_among(list(qs), text, state_code)


def _named_among(
    places: list[PlaceOfConcern], text: str, state_code: str
) -> list[tuple[PlaceOfConcern, str]]:
    words = set(tokens(text))
    found = [(p, _named(p, words)) for p in places if not state_code or p.state.code == state_code]
    return [(p, name) for p, name in found if name]


def places_link_report(*, report: Report) -> int:
    """Link the report to the places its place fields or words name (idempotent)."""
    return places_link_reports(reports=[report])


def places_link_reports(*, reports: list[Report]) -> int:
    """`places_link_report` for a batch of reports (the pipeline's): the places read once."""
    places = list(PlaceOfConcern.objects.select_related("state"))
    made = 0
    for report in reports if places else []:
        text = " ".join([report.location_text, report.location_detail, report.description])
        state = report.state.code if report.state else ""
        for place, name in _named_among(places, text, state):
            _, created = PlaceLink.objects.get_or_create(
                place=place, report=report, defaults={"named_as": name, "created_at": utcnow()}
            )
            made += created
    return made


def places_link_notice(*, notice: Notice) -> int:
    """Link the notice to the places its addresses name (idempotent)."""
    text = " ".join([notice.first_night_address, *map(str, notice.other_addresses or [])])
    state = notice.destination_state.code if notice.destination_state else ""
    made = 0
    for place, name in places_named_in(text, state_code=state):
        _, created = PlaceLink.objects.get_or_create(
            place=place, notice=notice, defaults={"named_as": name, "created_at": utcnow()}
        )
        made += created
    return made


# Manifests -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuestMatch:
    """A guest of a manifest and the notices they may be, best first."""

    row: ManifestRow
    candidates: list[NoticeCandidate]


def _column_map(header: list[str]) -> dict[str, int]:
    folded = [h.strip().lower().replace("_", " ") for h in header]
    found: dict[str, int] = {}
    for key, names in _COLUMNS.items():
        for index, value in enumerate(folded):
            if value in {n.replace("_", " ") for n in names}:
                found[key] = index
                break
    if "guest_name" not in found:
        raise ValidationError({"file": "The manifest needs a 'guest name' column."})
    return found


def _when(value: str, line: int, column: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(
            {"file": f"Line {line}: {column} {value!r} is not a date (YYYY-MM-DD)."}
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=WAT)


def read_manifest(data: bytes) -> list[dict[str, Any]]:
    """The rows of a manifest CSV (UTF-8), or a `ValidationError` naming the line at fault."""
    if len(data) > MANIFEST_MAX_BYTES:
        raise ValidationError({"file": f"A manifest is at most {MANIFEST_MAX_BYTES} bytes."})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": "The manifest is not UTF-8 text (CSV)."}) from None
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        raise ValidationError({"file": "The manifest has no guests."})
    if len(rows) - 1 > MANIFEST_MAX_ROWS:
        raise ValidationError({"file": f"A manifest has at most {MANIFEST_MAX_ROWS} guests."})
    columns = _column_map(rows[0])
    out: list[dict[str, Any]] = []
    for line, row in enumerate(rows[1:], start=2):
        cell: dict[str, Any] = {
            k: (row[i].strip() if i < len(row) else "") for k, i in columns.items()
        }
        if not cell["guest_name"]:
            continue
        cell["arrival"] = _when(str(cell.get("arrival") or ""), line, "arrival")
        cell["departure"] = _when(str(cell.get("departure") or ""), line, "departure")
        out.append(cell)
    return out


def _guest_candidates(row: ManifestRow, state: str) -> list[NoticeCandidate]:
    fields = row.fields(state)
    when = row.arrival or utcnow()
    found = people_candidates(owner_kind=OwnerKind.TRAVEL_NOTICE, person=fields, limit=100)
    notices = Notice.objects.filter(active_at(when), pk__in=[int(c.owner_id) for c in found])
    scoring = profile()
    rows = []
    for notice in notices.select_related("destination_state", "command"):
        score = people_score(profile=scoring, left=fields, right=notice.fields())
        if score.probability >= matching.CANDIDATE_FLOOR:
            rows.append(
                NoticeCandidate(
                    notice=notice,
                    found_by=FoundBy.MANIFEST,
                    manifest_row=row,
                    probability=score.probability,
                    weight=score.weight,
                    reasons=[
                        {
                            "field": r.field,
                            "level": r.level,
                            "bits": round(r.bits, 2),
                            "text": r.text,
                        }
                        for r in score.reasons
                    ],
                    comparison=score.comparison,
                    created_at=utcnow(),
                )
            )
    rows.sort(key=lambda r: -r.probability)
    return NoticeCandidate.objects.bulk_create(rows[: matching.CANDIDATES_PER_PERSON])


def manifest_check(
    *, place: PlaceOfConcern, data: bytes, actor: Actor, ip: str | None = None
) -> tuple[Manifest, list[GuestMatch]]:
    """Keep a hotel's manifest (rows encrypted) until the retention setting says, and match
    every guest against the notices active at their arrival; all or nothing. Audited."""
    guests = read_manifest(data)
    now = utcnow()
    with transaction.atomic():
        manifest = Manifest.objects.create(
            place=place,
            uploaded_by=actor,
            uploaded_at=now,
            expires_at=now + timedelta(days=settings.TRAVEL_MANIFEST_RETENTION_DAYS),
            rows_count=len(guests),
        )
        rows = ManifestRow.objects.bulk_create(
            ManifestRow(manifest=manifest, position=i, **g) for i, g in enumerate(guests)
        )
        matches = [GuestMatch(r, _guest_candidates(r, place.state.code)) for r in rows]
        audit_record(
            actor=actor,
            action="travellers.manifest_checked",
            object_type="travellers.place",
            object_id=place.pk,
            after={
                "manifest": manifest.pk,
                "rows": len(rows),
                "likely": sum(
                    1 for m in matches for c in m.candidates if c.probability >= matching.LIKELY
                ),
            },
            ip=ip,
        )
    return manifest, matches


def manifests_purge_due() -> int:
    """Expired manifests keep only their matched rows; returns how many manifests were purged."""
    count = 0
    for manifest in Manifest.objects.filter(purged_at__isnull=True, expires_at__lte=utcnow()):
        with transaction.atomic():
            unmatched = manifest.rows.filter(candidates__isnull=True)
            deleted, _ = unmatched.delete()
            manifest.purged_at = utcnow()
            manifest.save(update_fields=["purged_at"])
            audit_record(
                actor=None,
                action="travellers.manifest_purged",
                object_type="travellers.place",
                object_id=manifest.place_id,
                after={"manifest": manifest.pk, "rows_deleted": deleted},
            )
        count += 1
    return count
