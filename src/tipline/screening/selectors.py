"""Reads of the screening: the licensed list, a report's texts, and its findings for a viewer."""

from __future__ import annotations

from dataclasses import dataclass

from tipline.accounts.types import Viewer
from tipline.reports.models import Report
from tipline.reports.selectors import reports_visible_to
from tipline.screening.indicators import load_indicators
from tipline.screening.models import LicensedAgency, ReportScreening


def licensed_keys() -> frozenset[str]:
    """The comparison keys of the agencies on the licensed list (one query)."""
    return frozenset(LicensedAgency.objects.filter(active=True).values_list("key", flat=True))


def report_screening_texts(report: Report) -> list[str]:
    """Every free text of a report the screening reads: the description, where and when, the
    people's notes, the chat content and the reporter's additions (prefetched by the pipeline)."""
    texts = [report.description, report.location_text, report.incident_time_text]
    texts += [(person.details or {}).get("notes") or "" for person in report.people.all()]
    for detail in report.internet_details.all():
        data = detail.data or {}
        texts += [str(data.get("content") or ""), str(data.get("additional_info") or "")]
    texts += [addendum.body for addendum in report.addenda.all()]
    return [text for text in texts if text]


@dataclass(frozen=True)
class FindingRow:
    """One finding as an analyst reads it: named, explained, with its triggering words and the
    linked reports the viewer may open (and how many others they may not)."""

    indicator: str
    name: str
    explanation: str
    weight: int
    sources: tuple[str, ...]
    triggers: tuple[str, ...]
    linked: tuple[str, ...]
    hidden: int


@dataclass(frozen=True)
class ReportScreeningView:
    """A report's screening for one viewer."""

    level: str
    score: int
    rows: tuple[FindingRow, ...]


def screening_for_report(*, report: Report, user: Viewer) -> ReportScreeningView | None:
    """The report's findings for `user`, None if it has not been screened (at most two queries:
    linked reports outside the viewer's scope are counted, never named)."""
    stored = ReportScreening.objects.filter(report=report).first()
    if stored is None:
        return None
    linked_ids = {pk for f in stored.findings for pk in f.get("linked_reports", [])}
    visible = (
        dict(reports_visible_to(user).filter(pk__in=linked_ids).values_list("pk", "reference"))
        if linked_ids
        else {}
    )
    rows = tuple(_row(finding, visible) for finding in stored.findings)
    return ReportScreeningView(level=stored.level, score=stored.score, rows=rows)


def _row(finding: dict[str, list[int] | list[str] | str], visible: dict[int, str]) -> FindingRow:
    indicator = load_indicators().by_id(str(finding["indicator"]))
    linked = [int(pk) for pk in finding.get("linked_reports", [])]
    return FindingRow(
        indicator=indicator.id,
        name=indicator.name("en"),
        explanation=indicator.explanation("en"),
        weight=indicator.weight,
        sources=indicator.sources,
        triggers=tuple(str(t) for t in finding.get("triggers", [])),
        linked=tuple(sorted(visible[pk] for pk in linked if pk in visible)),
        hidden=sum(1 for pk in linked if pk not in visible),
    )


def screening_level_of(report_id: int) -> str | None:
    """The stored level of one report, None before it is screened."""
    return (
        ReportScreening.objects.filter(report_id=report_id).values_list("level", flat=True).first()
    )
