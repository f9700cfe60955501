"""Reads of the screening: the licensed list, a report's texts, and its findings for a viewer."""

from __future__ import annotations

from dataclasses import dataclass

from tipline.accounts.types import Viewer
from tipline.media.hashing import is_matchable
from tipline.media.matcher import PDQIndex
from tipline.media.models import HashListEntry
from tipline.media.services import hashes_match
from tipline.reports.models import Report, ReportFile
from tipline.reports.selectors import reports_visible_to
from tipline.screening.images import ImageHashes
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


def known_lists_matched(image: ImageHashes) -> tuple[str, ...]:
    """The names of the active hash lists whose enabled entries the image matches (MD5, or PDQ
    within the matching distance), and nothing of the entries themselves."""
    pdqs = {(image.pdq, image.quality)}
    entry_ids = {entry_id for entry_id, _, _ in hashes_match(md5=image.md5, pdqs=pdqs)}
    if not entry_ids:
        return ()
    names = HashListEntry.objects.filter(
        pk__in=entry_ids, enabled=True, hash_list__active=True
    ).values_list("hash_list__name", flat=True)
    return tuple(sorted(set(names)))


def reports_with_images(images: list[ImageHashes]) -> list[tuple[int, ...]]:
    """For each image, the earlier reports holding the same file (MD5) or a near-identical
    picture (PDQ within the media app's matching distance, both of matchable quality)."""
    if not images:
        return []
    by_md5: dict[str, set[int]] = {}
    rows = ReportFile.objects.filter(md5__in={i.md5 for i in images})
    for md5, report_id in rows.values_list("md5", "report_id"):
        by_md5.setdefault(md5, set()).add(report_id)
    near = _near_pictures([i for i in images if is_matchable(i.quality)])
    return [tuple(sorted(by_md5.get(i.md5, set()) | near.get(i.pdq, set()))) for i in images]


def _near_pictures(images: list[ImageHashes]) -> dict[str, set[int]]:
    """Report ids by image PDQ. The report files' PDQ hashes have no stored index of their own:
    they are indexed for the call (one query, then the media app's PDQ index in memory)."""
    if not images:
        return {}
    stored = list(ReportFile.objects.exclude(pdq="").values_list("report_id", "pdq", "pdq_quality"))
    if not stored:
        return {}
    index = PDQIndex.build(
        [pdq for _, pdq, _ in stored],
        [report_id for report_id, _, _ in stored],
        qualities=[100 if quality is None else quality for _, _, quality in stored],
    )
    found = index.query_many([i.pdq for i in images])
    return {
        image.pdq: {rid for rid, _ in matches} for image, matches in zip(images, found, strict=True)
    }
