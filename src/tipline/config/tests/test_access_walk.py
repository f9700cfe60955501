"""A walk over every URL pattern: who may see what, and which answers may be cached.

A new view that forgets its access check, or answers a staff page without `no-store`, fails here
without anyone having to remember to write a test for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tipline.accounts.choices import ClientKind, Role
from tipline.accounts.models import User
from tipline.accounts.services import api_client_create
from tipline.cases.models import Case
from tipline.cases.services import (
    case_add_member,
    case_open,
    case_person_add,
    case_task_add,
    evidence_add_physical,
)
from tipline.cases.services.legal import legal_request_draft
from tipline.cases.services.victims import MovementInput, victim_movement_add
from tipline.common.time import utcnow
from tipline.conftest import login
from tipline.exchange.choices import DeliveryState, PartnerKind
from tipline.exchange.models import WebhookDelivery
from tipline.exchange.services import PartnerInput, partner_create, report_share
from tipline.identifiers.models import ReportIdentifier
from tipline.media.tests.test_console_media import _report_with_image
from tipline.missing.choices import Source
from tipline.missing.drafts import GuardianInput, RecordInput
from tipline.missing.models import MatchCandidate, MissingPhoto, MissingRecord
from tipline.missing.services import missing_record_create
from tipline.people.person import PersonFields
from tipline.reports.models import Report
from tipline.travellers.models import NoticeCandidate, PlaceOfConcern
from tipline.travellers.tests.helpers import walk_notice
from tipline.triage.services import report_escalate

# Pages anyone may open: the public form and its follow-up, the staff login, the API's docs and
# the /ispws schema (public, as NCMEC's is).
PUBLIC_ROUTES = {
    "en/",
    "en/follow-up/",
    "en/safety/",
    "accounts/login/",
    "api/v1/openapi.json",
    "api/v1/docs",
    "api/v1/exchange/openapi.json",
    "ispws/xsd",
}
STAFF_PREFIXES = ("console/", "admin/", "api/", "ispws/")
NEVER = {200, 201, 500}


@dataclass(frozen=True)
class Route:
    """One URL pattern made concrete, with the objects of the Lagos command it points at."""

    pattern: str
    path: str

    @property
    def takes_an_object(self) -> bool:
        return "<" in self.pattern or "(?P<" in self.pattern


def _patterns(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _concrete(pattern: str, values: dict[str, str]) -> str:
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values.get(m.group(1), "1"), pattern)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


@pytest.fixture
def routes(lagos_analyst: User, lagos_report: Report) -> list[Route]:
    """Every URL pattern, pointed at a Lagos report (with a file, identifiers and a cluster)."""
    file = _report_with_image()  # shares a phone with `lagos_report`: the two form a cluster
    report = Report.objects.get(pk=file.report_id)
    assert report.cluster_id is not None
    escalation = report_escalate(report=report, reason="Invented reason.", actor=lagos_analyst)
    identifier = ReportIdentifier.objects.filter(report=report).first()
    assert identifier is not None
    case = case_open(
        command=lagos_analyst.commands.get(), lead=lagos_analyst, title="Walk", actor=lagos_analyst
    )
    task = case_task_add(
        case=case,
        title="Walk",
        assignee=lagos_analyst,
        due_on=case.opened_at.date(),
        actor=lagos_analyst,
    )
    person = PersonFields(given_names="Walk", family_name="Invented", phones=("08035550123",))
    involvement = case_person_add(case=case, role="victim", person=person, actor=lagos_analyst)
    item = evidence_add_physical(
        case=case, kind="device", description="Walk", holder="Walk", actor=lagos_analyst
    )
    movement = victim_movement_add(
        involvement=involvement, data=MovementInput(stage="Transit"), actor=lagos_analyst
    )
    legal_request_draft(  # LR1: "number" is 1 for the evidence item and the request alike
        case=case,
        kind="production",
        identifier_kind="phone",
        value="08031234567",
        actor=lagos_analyst,
    )
    delivery = _dead_letter(report)
    record, candidate, photo = _missing_record(lagos_analyst)
    travel: tuple[NoticeCandidate, PlaceOfConcern] = walk_notice(lagos_analyst)
    values = {
        "notice_reference": travel[0].notice.reference,
        "notice_candidate_id": str(travel[0].pk),
        "place_id": str(travel[1].pk),
        "manifest_id": str(travel[1].manifests.get().pk),
        "record_reference": record.reference,
        "candidate_id": str(candidate.pk),
        "photo_id": str(photo.pk),
        "event_id": delivery.event_id,
        "case_reference": case.reference,
        "number": str(item.number),
        "involvement_id": str(involvement.pk),
        "movement_id": str(movement.pk),
        "task_id": str(task.pk),
        "reference": report.reference,
        "file_id": file.file_id,
        "pk": str(escalation.pk),
        "cluster_id": str(report.cluster_id),
        "identifier_id": str(identifier.identifier_id),
        "app_label": "accounts",
        "url": "accounts/user/",
        "object_id": str(lagos_analyst.pk),
    }
    return [Route(p, _concrete(p, values)) for p in _patterns(get_resolver().url_patterns)]


def _missing_record(analyst: User) -> tuple[MissingRecord, MatchCandidate, MissingPhoto]:
    """A Lagos missing-child record with a candidate (the walk's report names the child) and a
    photo."""
    data = RecordInput(
        given_names="Adaeze",
        family_name="Invented",
        age=12,
        last_seen_at=utcnow(),
        last_seen_state="LA",
        guardians=[GuardianInput(name="Walk", phones=["08031234567"])],
    )
    record = missing_record_create(data=data, source=Source.CONSOLE, actor=analyst).record
    photo = MissingPhoto.objects.create(
        record=record, storage_key="walk", size=1, sha256="0", sniffed_type="image/png",
        added_at=utcnow(),
    )  # fmt: skip
    candidate = record.candidates.order_by("pk").first()
    assert candidate is not None
    return record, candidate, photo


def _dead_letter(report: Report) -> WebhookDelivery:
    """A partner's delivery of `report` that used up its retries (the dead-letter page's row)."""
    admin = User.objects.create(username="walk-admin", role=Role.ADMINISTRATOR)
    data = PartnerInput(
        code="walk",
        name="Walk partner",
        kind=PartnerKind.LAW_ENFORCEMENT,
        max_level="TLP:AMBER",
        sections=["incident"],
        jurisdictions=[],
        contacts=[],
        webhook_url="https://partner.invalid/hook",
    )
    partner = partner_create(data=data, actor=admin)
    share = report_share(report=report, partner=partner, actor=admin, event_type="report.updated")
    WebhookDelivery.objects.filter(share=share).update(state=DeliveryState.DEAD)
    return WebhookDelivery.objects.get(share=share)


def _answers(client: Client, path: str, **headers: Any) -> list[int]:
    return [client.get(path, **headers).status_code, client.post(path, **headers).status_code]


def test_walk_covers_the_whole_url_conf(routes: list[Route]) -> None:
    assert len(routes) > 40
    assert {"console/", "api/v1/reports", "ispws/submit", "admin/"} <= {r.pattern for r in routes}


def test_anonymous_visitor_gets_no_staff_or_api_page(routes: list[Route]) -> None:
    leaks = {
        route.path: answers
        for route in routes
        if route.pattern not in PUBLIC_ROUTES and route.pattern.startswith(STAFF_PREFIXES)
        for answers in [_answers(Client(), route.path)]
        if NEVER & set(answers)
    }
    assert leaks == {}


def test_no_page_answers_an_anonymous_visitor_with_a_server_error(routes: list[Route]) -> None:
    errors = {r.path for r in routes if 500 in _answers(Client(), r.path)}
    assert errors == set()


def test_outsider_of_another_command_gets_none_of_the_lagos_objects(
    routes: list[Route], kano_analyst: User
) -> None:
    outsider = login(kano_analyst)
    leaks = {
        route.path: answers
        for route in routes
        if route.takes_an_object and route.pattern.startswith(STAFF_PREFIXES)
        for answers in [_answers(outsider, route.path)]
        if NEVER & set(answers)
    }
    assert leaks == {}


def test_outsider_lists_do_not_show_the_lagos_report(
    routes: list[Route], kano_analyst: User
) -> None:
    outsider = login(kano_analyst)
    shown = [
        route.path
        for route in routes
        if not route.takes_an_object and route.pattern.startswith("console/")
        if "TL-2026-" in outsider.get(route.path).content.decode(errors="replace")
    ]
    assert shown == []


def test_api_client_without_the_scope_gets_nothing(routes: list[Route]) -> None:
    key = api_client_create(name="Scopeless", kind=ClientKind.PLATFORM, scopes=[]).api_key
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    leaks = {
        route.path: answers
        for route in routes
        if route.pattern.startswith("api/") and route.pattern not in PUBLIC_ROUTES
        for answers in [_answers(Client(), route.path, **bearer)]
        if NEVER & set(answers)
    }
    assert leaks == {}


def test_every_staff_and_api_answer_forbids_caching(
    routes: list[Route], make_user: Any, lagos_analyst: User
) -> None:
    clients = [login(lagos_analyst), login(make_user(Role.SUPERVISOR, (), national=True))]
    cacheable = {
        f"{route.path} ({response.status_code})"
        for route in routes
        if route.pattern.startswith((*STAFF_PREFIXES, "accounts/"))
        for client in clients
        for response in [client.get(route.path)]
        if "no-store" not in response.get("Cache-Control", "")
    }
    assert cacheable == set()


def test_every_answer_carries_the_security_policies(routes: list[Route]) -> None:
    for path in ("/en/", "/console/", "/api/v1/openapi.json", "/ispws/status"):
        response = Client().get(path)
        assert "script-src 'self'" in response["Content-Security-Policy"], path
        assert "unsafe-inline" not in response["Content-Security-Policy"], path
        assert "camera=()" in response["Permissions-Policy"], path


def test_insider_opens_the_object_pages_the_outsider_cannot(
    routes: list[Route], lagos_analyst: User
) -> None:
    insider = login(lagos_analyst)
    opened = {
        route.pattern
        for route in routes
        if route.takes_an_object and route.pattern.startswith("console/")
        if insider.get(route.path).status_code == 200
    }
    assert len(opened) >= 8, opened  # the walk's objects are real: only the outsider is refused


def test_partner_liaison_opens_every_exchange_page(routes: list[Route], make_user: Any) -> None:
    officer = make_user(Role.PARTNER_LIAISON, ("LAG",))
    case = Case.objects.get()  # a case's exchange page needs the case's team, as its own does
    case_add_member(case=case, user=officer, actor=case.lead)
    liaison = login(officer)
    pages = [r.path for r in routes if r.pattern.startswith("console/exchange/")]
    opened = [path for path in pages if liaison.get(path).status_code == 200]
    posts = ("/replay/", "/send/", "/resend/", "/forward/")
    assert sorted(opened) == sorted(p for p in pages if not p.endswith(posts))
    assert len(opened) == 3, pages
