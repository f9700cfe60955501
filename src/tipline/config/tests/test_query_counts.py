"""Query counts of every list and detail page, pinned in one data file (as NetBox's are).

The counts live in `query_counts.json` beside this file, one table per database vendor, because
PostgreSQL pages make an index look-up or two that SQLite's do not. A page that makes more or
fewer queries than pinned fails with its name and both numbers. After a deliberate change,
rewrite the table of the vendor you ran and commit it with the change:

    TIPLINE_UPDATE_QUERY_COUNTS=1 .venv/bin/pytest src/tipline/config/tests/test_query_counts.py
    TIPLINE_UPDATE_QUERY_COUNTS=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/<you> \
        .venv/bin/pytest src/tipline/config/tests/test_query_counts.py

Every page is measured twice: over a realistic world (reports across commands with people,
phones, e-mails, accounts, files, a cluster, notes, escalations, an assignment, a referral) and
after the same again has been added. The two counts must be equal, so a query per row (N+1)
fails even when the pinned table is rewritten.
"""

from __future__ import annotations

import base64
import io
import json
import os
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tipline.accounts.choices import ClientKind, Role, Scope
from tipline.accounts.models import User
from tipline.accounts.services import api_client_create
from tipline.cases.tests.helpers import query_case_pages, query_world_case
from tipline.common import ratelimit
from tipline.common.time import utcnow
from tipline.conftest import login
from tipline.geo.models import RegionalCommand
from tipline.intake.ncmec.samples import with_pictures, zip_bytes
from tipline.intake.ncmec.services import ncmec_import_source
from tipline.intake.ncmec.sources import ZipSource
from tipline.missing.choices import RecordStatus, Source
from tipline.missing.drafts import GuardianInput, RecordInput
from tipline.missing.models import MissingRecord
from tipline.missing.services import (
    missing_candidate_decide,
    missing_record_create,
    missing_transition,
)
from tipline.people.choices import Decision
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import Channel, PersonRole
from tipline.reports.drafts import (
    Account,
    EmailAddress,
    FileDraft,
    IncidentDraft,
    PersonDraft,
    Phone,
    ReportDraft,
)
from tipline.reports.models import Report
from tipline.reports.services import report_add_addendum, report_submit
from tipline.travellers.models import Manifest, Notice
from tipline.travellers.tests.helpers import query_world_travel
from tipline.triage.services import report_add_note, report_assign, report_escalate, report_refer

COUNTS_FILE = Path(__file__).with_name("query_counts.json")
UPDATE_VARIABLE = "TIPLINE_UPDATE_QUERY_COUNTS"
ISPWS_PASSWORD = "an-invented-esp-password"  # noqa: S105
FOCUS_PHONE = "08035550101"


@dataclass
class World:
    """What the pages are pointed at, and who looks at them."""

    focus: Report
    supervisor: User
    analyst: User
    api_key: str
    api_client: Any
    partner: RegionalCommand
    desk: User | None = None
    round: int = 0


INCIDENT_TYPES = (
    "online_enticement",
    "financial_sextortion",
    "forced_begging",
    "labour_exploitation",
)


def _person(tag: str) -> list[PersonDraft]:
    """A suspect with phones (one shared by every report), an e-mail and an account, and a
    victim."""
    return [
        PersonDraft(
            role=PersonRole.REPORTED_PERSON,
            first_name="Invented",
            last_name=f"Suspect{tag}",
            phones=[
                Phone(number=FOCUS_PHONE),
                Phone(number=f"0803{zlib.crc32(tag.encode()) % 10**7:07d}"),
            ],
            emails=[EmailAddress(address=f"suspect.{tag}@example.com")],
            accounts=[Account(platform="Instagram", screen_name=f"invented_{tag}")],
        ),
        PersonDraft(role=PersonRole.VICTIM, first_name="Chiamaka", last_name="Invented", age=14),
    ]


def _draft(
    world_round: int,
    n: int,
    *,
    state: str,
    days_old: int = 0,
    kind: int = 0,
    parts: int = 1,
    **extra: Any,
) -> ReportDraft:
    """An invented report with `parts` suspects, victims and pairs of files."""
    tag = f"{world_round}x{n}"
    people = [person for part in range(parts) for person in _person(f"{tag}p{part}")]
    files = [
        FileDraft(md5=f"{world_round:02x}{n:02x}{part:02x}".ljust(32, end), original_name=end)
        for part in range(parts)
        for end in ("a", "b")
    ]
    return ReportDraft(
        channel=extra.pop("channel", Channel.WEB),
        received_at=utcnow() - timedelta(days=days_old),
        incident=IncidentDraft(
            type=INCIDENT_TYPES[kind % len(INCIDENT_TYPES)],
            description=f"An invented adult grooms an invented child on a farm, case {tag}.",
            state_code=state,
            platform="Instagram",
        ),
        people=people,
        files=files,
        **extra,
    )


def _submitted(draft: ReportDraft, api_client: Any = None) -> Report:
    report = report_submit(draft=draft, api_client=api_client).report
    pipeline_run(report_id=report.pk)
    return Report.objects.get(pk=report.pk)


def _grow(world: World) -> None:
    """Add one round of data: Lagos reports joining the focus cluster, a Kano report, an API
    report, triage work (notes, an escalation, an assignment, a referral), and one more of
    everything on the world's case, which gathers the assigned report."""
    world.round += 1
    r = world.round
    # Each round brings states, incident types and channels the last did not, so a page that
    # queries once per state, type or channel shows it as well as one that queries per report.
    lagos_states, elsewhere = ("LA", "OG"), ("KN", "KD", "SO")
    lagos = [
        _submitted(_draft(r, n, state=lagos_states[n % 2], days_old=n % 3, kind=r + n))
        for n in range(3)
    ]
    _submitted(_draft(r, 9, state=elsewhere[r % 3], kind=r))
    _submitted(_draft(r, 8, state="LA", channel=Channel.API), api_client=world.api_client)
    for report in lagos:
        report_add_note(report=report, body=f"Invented note {r}.", actor=world.analyst)
    report_escalate(report=lagos[0], reason="Invented reason.", actor=world.analyst)
    report_assign(report=lagos[1], assignee=world.analyst, actor=world.supervisor)
    report_refer(report=lagos[2], partner=world.partner, reason="Invented.", actor=world.analyst)
    _ncmec_referral(r)
    _new_focus(world)
    _missing_round(world)
    query_world_travel(world.round, world.supervisor, FOCUS_PHONE)
    query_world_case(world.round, world.supervisor, lagos[1])


def _ncmec_referral(world_round: int) -> None:
    """An NCMEC referral package imported, as the national desk does (its page lists them)."""
    referral = with_pictures(str(900_000_000 + world_round), count=1)
    source = ZipSource(io.BytesIO(zip_bytes([referral])), "referral.zip")
    assert [o.status for o in ncmec_import_source(source=source)] == ["imported"]


def _missing_round(world: World) -> None:
    """A missing-child record named like the world's victims (so every report is a candidate),
    verified, with one candidate confirmed (a sighting) and the rest open."""
    r = world.round
    data = RecordInput(
        given_names="Chiamaka",
        family_name="Invented",
        age=14,
        last_seen_at=utcnow() - timedelta(days=r),
        last_seen_state="LA",
        guardians=[GuardianInput(name=f"Guardian {r}", phones=[f"0803{r:07d}"])],
    )
    record = missing_record_create(data=data, source=Source.CONSOLE, actor=world.analyst).record
    missing_transition(record=record, to=RecordStatus.VERIFIED, actor=world.supervisor)
    candidate = record.candidates.order_by("pk").first()
    assert candidate is not None
    missing_candidate_decide(
        candidate=candidate, decision=Decision.CONFIRMED, actor=world.supervisor
    )


def _new_focus(world: World) -> None:
    """The report the detail pages show: each round's has more of everything (people, files,
    addenda, notes), so a page that queries once per part shows it."""
    r = world.round
    world.focus = _submitted(_draft(r, 7, state="LA", parts=r))
    for n in range(r):
        report_add_addendum(report=world.focus, body=f"More {n}.", channel=Channel.WEB)
        report_add_note(report=world.focus, body=f"Invented note {n}.", actor=world.analyst)
    report_escalate(report=world.focus, reason="Invented reason.", actor=world.analyst)


def _world(make_user: Callable[..., User], geo: dict[str, RegionalCommand]) -> World:
    created = api_client_create(
        name="Invented Platform",
        kind=ClientKind.PLATFORM,
        scopes=[Scope.REPORTS_SUBMIT, Scope.ISPWS],
        ispws_username="esp",
        ispws_password=ISPWS_PASSWORD,
    )
    partner = next(c for c in geo.values() if c.kind == "partner")
    world = World(
        focus=_submitted(_draft(0, 0, state="LA")),
        supervisor=make_user(Role.SUPERVISOR, ("LAG",)),
        analyst=make_user(Role.ANALYST, ("LAG",)),
        api_key=created.api_key,
        api_client=created.client,
        partner=partner,
        desk=make_user(Role.PARTNER_LIAISON, ("NAT",)),
    )
    _grow(world)
    return world


def _pages(world: World) -> dict[str, tuple[str, str, dict[str, str]]]:
    """page name: (who asks, path, query string)."""
    world.focus.refresh_from_db()  # its cluster formed when later reports shared its phone
    ref = world.focus.reference
    cluster = str(world.focus.cluster_id)
    return {
        "console_reports": ("staff", "/console/", {}),
        "report_page": ("staff", f"/console/reports/{ref}/", {}),
        "queue": ("staff", "/console/queue/", {}),
        "queue_overdue": ("staff", "/console/queue/overdue/", {}),
        "queue_csv": ("staff", "/console/queue/", {"format": "csv"}),
        "audit_lookups": ("staff", "/console/audit/lookups/", {}),
        "audit_lookups_csv": ("staff", "/console/audit/lookups/", {"format": "csv"}),
        "search_words": ("staff", "/console/search/", {"q": "farm"}),
        "search_identifier": ("staff", "/console/search/", {"q": FOCUS_PHONE}),
        "graph_report_page": ("staff", f"/console/graph/report/{ref}/", {}),
        "graph_report_json": ("staff", f"/console/graph/report/{ref}.json", {}),
        "graph_cluster_page": ("staff", f"/console/graph/cluster/{cluster}/", {}),
        "graph_cluster_json": ("staff", f"/console/graph/cluster/{cluster}.json", {}),
        "dashboards": ("staff", "/console/dashboards/", {}),
        "dashboards_csv": (
            "staff",
            "/console/dashboards/",
            {"format": "csv", "table": "reports_by_state"},
        ),
        "api_report_detail": ("api", f"/api/v1/reports/{_api_reference(world)}", {}),
        "ispws_status": ("ispws", "/ispws/status", {}),
        "public_form": ("public", "/en/", {}),
        "ncmec_imports": ("desk", "/console/ncmec/", {}),
        "missing_list": ("staff", "/console/missing/", {}),
        "missing_record": ("staff", f"/console/missing/{_missing_reference()}/", {}),
        "missing_review": ("staff", "/console/missing/review/", {}),
        **_travel_pages(),
        **{name: ("staff", path, {}) for name, path in query_case_pages().items()},
    }


def _travel_pages() -> dict[str, tuple[str, str, dict[str, str]]]:
    notice = Notice.objects.order_by("pk").last()
    manifest = Manifest.objects.order_by("pk").last()
    assert notice is not None and manifest is not None
    place = f"/console/travellers/places/{manifest.place_id}/"
    return {
        "travellers_queue": ("staff", "/console/travellers/", {}),
        "travellers_notice": ("staff", f"/console/travellers/{notice.reference}/", {}),
        "travellers_places": ("staff", "/console/travellers/places/", {}),
        "travellers_place": ("staff", place, {}),
        "travellers_manifest": ("staff", f"{place}manifests/{manifest.pk}/", {}),
    }


def _missing_reference() -> str:
    record = MissingRecord.objects.order_by("pk").last()
    assert record is not None
    return record.reference


def _api_reference(world: World) -> str:
    report = Report.objects.filter(api_client=world.api_client).order_by("pk").last()
    assert report is not None
    return report.reference


def _clients(world: World) -> dict[str, Client]:
    token = base64.b64encode(f"esp:{ISPWS_PASSWORD}".encode()).decode()
    return {
        "staff": login(world.supervisor),
        "api": Client(HTTP_AUTHORIZATION=f"Bearer {world.api_key}"),
        "ispws": Client(HTTP_AUTHORIZATION=f"Basic {token}"),
        "public": Client(),
        "desk": login(world.desk) if world.desk else Client(),
    }


def _measure(world: World) -> dict[str, int]:
    clients = _clients(world)
    counts = {}
    for name, (who, path, query) in _pages(world).items():
        clients[who].get(path, query)  # warm: a first request may create a session
        with CaptureQueriesContext(connection) as captured:
            response = clients[who].get(path, query)
        assert response.status_code == 200, f"{name}: {path} answered {response.status_code}"
        counts[name] = len(captured)
    return counts


ABOUT = (
    "Queries per request of each page, measured by test_query_counts.py (a second visit over "
    "realistic data), one table per database vendor. After a change that deliberately alters a "
    f"count, rerun that test with {UPDATE_VARIABLE}=1 on SQLite and on PostgreSQL "
    "(DATABASE_URL=postgres://...) and review the diff of this file."
)


def _pinned() -> dict[str, Any]:
    if not COUNTS_FILE.exists():
        return {}
    data: dict[str, Any] = json.loads(COUNTS_FILE.read_text())
    return data


def _rewrite(vendor: str, counts: dict[str, int]) -> None:
    data = {**_pinned(), vendor: dict(sorted(counts.items()))}
    data.pop("about", None)
    text = json.dumps({"about": ABOUT, **dict(sorted(data.items()))}, indent=2)
    COUNTS_FILE.write_text(text + "\n")


def _differences(pinned: dict[str, int], counts: dict[str, int]) -> list[str]:
    lines = [
        f"{name}: {counts[name]} queries, {pinned[name]} pinned"
        for name in counts
        if name in pinned and counts[name] != pinned[name]
    ]
    lines += [
        f"{name}: {counts[name]} queries, none pinned" for name in counts if name not in pinned
    ]
    lines += [f"{name}: pinned but no longer measured" for name in pinned if name not in counts]
    return lines


def test_every_page_makes_its_pinned_number_of_queries_whatever_the_data(
    make_user: Callable[..., User],
    geo: dict[str, RegionalCommand],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One rate-limit window throughout: a minute turning between the warm-up request and the
    # measured one would start a new counter, which takes other queries than counting on.
    frozen = time.time()
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: frozen))
    world = _world(make_user, geo)
    small = _measure(world)
    _grow(world)
    large = _measure(world)
    assert Report.objects.count() == 15
    grown = [f"{n}: {small[n]} queries, then {large[n]} with twice the data" for n in small]
    assert [line for n, line in zip(small, grown, strict=True) if small[n] != large[n]] == []
    if os.environ.get(UPDATE_VARIABLE) == "1":
        _rewrite(connection.vendor, large)
    differences = _differences(_pinned().get(connection.vendor, {}), large)
    assert differences == [], (
        f"Query counts on {connection.vendor} differ from {COUNTS_FILE.name} "
        f"(rerun with {UPDATE_VARIABLE}=1 after a deliberate change):\n" + "\n".join(differences)
    )
