"""Writes and the screening calls: screen texts (API, public page), screen reports (pipeline),
keep the licensed agencies' list.

Screening a text stores nothing. Screening a report replaces its one `ReportScreening` row, and
writes an audit row when its level changes (as the priority does), so a rerun adds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from tipline.accounts.models import ApiClient
from tipline.accounts.types import Actor
from tipline.audit.services import audit_record
from tipline.common.time import utcnow
from tipline.identifiers.models import ReportIdentifier
from tipline.identifiers.services import identifier_hash
from tipline.reports.models import Report
from tipline.screening.choices import Level
from tipline.screening.engine import FoundIdentifier, Screening, agency_key, screen_text
from tipline.screening.images import ImageHashes
from tipline.screening.models import LicensedAgency, ReportScreening
from tipline.screening.selectors import (
    known_lists_matched,
    licensed_keys,
    report_screening_texts,
    reports_with_images,
)


@dataclass(frozen=True)
class TextInput:
    """One text to screen, with what may come beside it: where it was seen, phones, and the
    hashes of its images (the images themselves are never kept)."""

    text: str
    url: str = ""
    phones: tuple[str, ...] = ()
    images: tuple[ImageHashes, ...] = ()

    def extra(self) -> list[tuple[str, str]]:
        """The (kind, value) pairs given beside the text."""
        return [("phone", p) for p in self.phones] + ([("url", self.url)] if self.url else [])


def _linked_reports(
    identifiers: Iterable[FoundIdentifier],
) -> dict[FoundIdentifier, tuple[int, ...]]:
    """For each strong identifier, the reports it is already linked to (one query)."""
    by_key = {(i.kind, identifier_hash(i.kind, i.normalized)): i for i in identifiers if i.strong}
    if not by_key:
        return {}
    hashes = {value_hash for _, value_hash in by_key}
    rows = ReportIdentifier.objects.filter(identifier__value_hash__in=hashes).values_list(
        "identifier__kind", "identifier__value_hash", "report_id"
    )
    linked: dict[FoundIdentifier, set[int]] = defaultdict(set)
    for kind, value_hash, report_id in rows:
        if (kind, value_hash) in by_key:
            linked[by_key[kind, value_hash]].add(report_id)
    return {ident: tuple(sorted(pks)) for ident, pks in linked.items()}


def screen_texts(*, items: list[TextInput], with_links: bool) -> list[Screening]:
    """Screen texts without storing them. `with_links` looks their phones and accounts up in
    the reports (partners' API); the public page passes False, so it never tells a stranger
    whether a number is known to the agency."""
    licensed = licensed_keys()
    screenings = [
        screen_text(item.text, licensed=licensed, extra_identifiers=item.extra()) for item in items
    ]
    if not with_links:
        return screenings
    linked = _linked_reports({i for s in screenings for i in s.identifiers})
    screenings = [
        s.with_links({i: linked[i] for i in s.identifiers if i in linked}) for s in screenings
    ]
    return _with_images(items, screenings)


def _with_images(items: list[TextInput], screenings: list[Screening]) -> list[Screening]:
    """Each screening with what its images matched: the known hash lists, and earlier reports."""
    images = [image for item in items for image in item.images]
    if not images:
        return screenings
    reported = iter(reports_with_images(images))
    out = []
    for item, screening in zip(items, screenings, strict=True):
        lists = {name for image in item.images for name in known_lists_matched(image)}
        reports = {pk for _ in item.images for pk in next(reported)}
        out.append(screening.with_images(tuple(sorted(lists)), tuple(sorted(reports))))
    return out


@dataclass(frozen=True)
class ApiScreening:
    """What a partner's batch found, and the references of the linked reports it may name."""

    screenings: list[Screening]
    references: dict[int, str]


def api_screen(*, client: ApiClient, items: list[TextInput]) -> ApiScreening:
    """Screen a partner's batch with links to reports. The texts are not kept; the audit row
    names the client, how many texts at which levels, and the references disclosed."""
    screenings = screen_texts(items=items, with_links=True)
    linked = {pk for s in screenings for f in s.findings for pk in f.linked_reports}
    known = sorted(
        {
            t
            for s in screenings
            for f in s.findings
            if f.id == "known_abuse_image"
            for t in f.triggers
        }
    )
    references = dict(Report.objects.filter(pk__in=linked).values_list("pk", "reference"))
    with transaction.atomic():
        audit_record(
            actor=None,
            actor_label=f"api:{client.name}",
            action="screening.api_screened",
            object_type="api_client",
            object_id=client.pk,
            after={
                "texts": len(items),
                "images": sum(len(item.images) for item in items),
                "known_lists": known,
                "levels": [s.level for s in screenings],
                "disclosed": sorted(references.values()),
            },
        )
    return ApiScreening(screenings=screenings, references=references)


def _stored_findings(screening: Screening) -> list[dict[str, object]]:
    return [
        {
            "indicator": f.id,
            "triggers": list(f.triggers),
            "linked_reports": list(f.linked_reports),
        }
        for f in screening.findings
    ]


def _shared_identifiers(reports: list[Report]) -> dict[int, dict[FoundIdentifier, tuple[int, ...]]]:
    """For each report, its strong identifiers that other reports hold too, with those reports
    (two queries for the batch). As linking does, a report does not see the batch-mates after it,
    whose identifiers one report at a time would not have recorded yet: a batch screens as one
    report at a time would."""
    own = ReportIdentifier.objects.filter(report__in=reports, identifier__strong=True)
    mine = list(own.values_list("report_id", "identifier_id", "identifier__kind"))
    holders: dict[int, set[int]] = defaultdict(set)
    shared = ReportIdentifier.objects.filter(identifier_id__in={row[1] for row in mine})
    for identifier_id, report_id in shared.values_list("identifier_id", "report_id"):
        holders[identifier_id].add(report_id)
    out: dict[int, dict[FoundIdentifier, tuple[int, ...]]] = defaultdict(dict)
    batch = {report.pk for report in reports}
    for report_id, identifier_id, kind in mine:
        later = {other for other in holders[identifier_id] if other in batch and other > report_id}
        others = tuple(sorted(holders[identifier_id] - later - {report_id}))
        if others:
            # The value stays encrypted in its table: the finding names it by its kind.
            out[report_id][FoundIdentifier(kind, "", row=identifier_id)] = others
    return out


def reports_screen(*, reports: list[Report]) -> dict[int, Screening]:
    """Screen each report's texts and store the findings (replacing earlier ones); the screening
    of each, by report id. Runs in the caller's transaction (the pipeline's run)."""
    licensed = licensed_keys()
    shared = _shared_identifiers(reports)
    outcomes = {
        report.pk: screen_text(
            "\n".join(report_screening_texts(report)), licensed=licensed, find_identifiers=False
        ).with_links(shared.get(report.pk, {}))
        for report in reports
    }
    _store(reports, outcomes)
    return outcomes


def _store(reports: list[Report], outcomes: dict[int, Screening]) -> None:
    now = utcnow()
    before = dict(
        ReportScreening.objects.filter(report__in=reports).values_list("report_id", "level")
    )
    rows = [
        ReportScreening(
            report=report,
            level=outcomes[report.pk].level,
            score=outcomes[report.pk].score,
            findings=_stored_findings(outcomes[report.pk]),
            screened_at=now,
        )
        for report in reports
    ]
    ReportScreening.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["report"],
        update_fields=["level", "score", "findings", "screened_at"],
    )
    for report in reports:
        # Audited when the level changes; a first screening that finds nothing changes nothing
        # (no level is "none"), and most reports are that: no row saying so for each.
        was = before.get(report.pk)
        if (was or Level.NONE) != outcomes[report.pk].level:
            _audit_level(report, was, outcomes[report.pk])


def _audit_level(report: Report, before: str | None, screening: Screening) -> None:
    audit_record(
        actor=None,
        action="report.screened",
        object_type="report",
        object_id=report.pk,
        before={"level": before},
        after={"level": screening.level, "indicators": [f.id for f in screening.findings]},
    )


def report_screen(*, report: Report) -> Screening:
    """Screen one report and store its findings (the single form of `reports_screen`)."""
    with transaction.atomic():
        return reports_screen(reports=[report])[report.pk]


def licensed_agency_save(*, agency: LicensedAgency, actor: Actor) -> LicensedAgency:
    """Add or change a licensed agency (its comparison key follows its name), audited."""
    with transaction.atomic():
        creating = agency.pk is None
        agency.key = agency_key(agency.name)
        agency.save()
        audit_record(
            actor=actor,
            action="screening.agency_added" if creating else "screening.agency_changed",
            object_type="licensed_agency",
            object_id=agency.pk,
            after={
                "name": agency.name,
                "licence_number": agency.licence_number,
                "active": agency.active,
            },
        )
    return agency


def licensed_agency_delete(*, agency: LicensedAgency, actor: Actor) -> None:
    """Take an agency off the list, audited."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="screening.agency_removed",
            object_type="licensed_agency",
            object_id=agency.pk,
            before={"name": agency.name, "licence_number": agency.licence_number},
        )
        agency.delete()
