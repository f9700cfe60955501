"""What the pipeline's decision steps look at, gathered from a stored report."""

from __future__ import annotations

from typing import Any

from tipline.common.time import utcnow
from tipline.identifiers.models import IpObservation, ReportIdentifier
from tipline.media.models import FileMatch
from tipline.reports.choices import PersonRole
from tipline.reports.models import Report
from tipline.triage.priority import HashMatchFact, ReportFacts

MINOR_AGE = 18


def report_texts(report: Report) -> list[str]:
    """Every free text of the report: description, location, notes, chat content, addenda."""
    texts = [report.description, report.location_text, report.escalation_note]
    for person in report.people.all():
        texts.append((person.details or {}).get("notes") or "")
    for detail in report.internet_details.all():
        data = detail.data or {}
        texts += [data.get("content") or "", data.get("additional_info") or ""]
    texts += [a.body for a in report.addenda.all()]
    return [t for t in texts if t]


def location_inputs(report: Report) -> dict[str, Any]:
    """The arguments of `geo.locate.best_location` for this report."""
    given = report.state.code if report.state and report.location_source == "reporter" else None
    ips = list(
        IpObservation.objects.filter(report=report, private=False).values_list("ip", flat=True)
    )
    phones = [
        link.identifier.display
        for link in ReportIdentifier.objects.filter(
            report=report, identifier__kind="phone"
        ).select_related("identifier")
    ]
    coordinates = (
        (report.latitude, report.longitude)
        if report.latitude is not None and report.longitude is not None
        else None
    )
    return {
        "reporter_state": given,
        "texts": [report.location_text, *report_texts(report)],
        "ips": ips,
        "phones": phones,
        "coordinates": coordinates,
    }


def _victim_ages(report: Report) -> tuple[int, ...]:
    return tuple(
        p.age for p in report.people.all() if p.role == PersonRole.VICTIM and p.age is not None
    )


def _cluster_size(report: Report) -> int:
    if report.cluster_id is None:
        return 1
    return Report.objects.filter(cluster_id=report.cluster_id).count()


def _hash_matches(report: Report) -> tuple[HashMatchFact, ...]:
    matches = FileMatch.objects.filter(file__report=report).select_related("hash_list", "entry")
    return tuple(
        HashMatchFact(
            list_name=m.hash_list.name,
            unidentified_victim=m.hash_list.unidentified_victim,
            category=m.entry.category or None,
            distance=m.distance,
            kind=m.kind,
        )
        for m in matches
    )


def priority_facts(report: Report) -> ReportFacts:
    """The facts the priority rules judge."""
    ages = _victim_ages(report)
    kinds = frozenset(
        ReportIdentifier.objects.filter(report=report).values_list("identifier__kind", flat=True)
    )
    age_hours = (
        (utcnow() - report.incident_time).total_seconds() / 3600 if report.incident_time else None
    )
    return ReportFacts(
        incident_type=report.incident_type,
        annotations=frozenset(report.annotations),
        texts=tuple(report_texts(report)),
        victim_ages=ages,
        has_minor_victim=any(a < MINOR_AGE for a in ages) if ages else None,
        hash_matches=_hash_matches(report),
        escalation_requested=bool(report.escalation_note),
        incident_age_hours=age_hours,
        cluster_size=_cluster_size(report),
        channel=report.channel,
        identifier_kinds=kinds,
        cross_border="cross_border" in report.annotations,
    )
