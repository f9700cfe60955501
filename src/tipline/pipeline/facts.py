"""What the pipeline's decision steps look at, gathered from a stored report."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tipline.common.time import utcnow
from tipline.identifiers.models import IpObservation, ReportIdentifier
from tipline.media.models import FileMatch
from tipline.reports.choices import PersonRole
from tipline.reports.models import Report
from tipline.screening.models import ReportScreening
from tipline.travellers.match import likely_notices_for_report, likely_notices_for_reports
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


def location_inputs(
    report: Report, *, ips: list[str] | None = None, phones: list[str] | None = None
) -> dict[str, Any]:
    """The arguments of `geo.locate.best_location` for this report. A batch passes the `ips`
    and `phones` it read for all its reports at once (see `BatchFacts`)."""
    given = report.state.code if report.state and report.location_source == "reporter" else None
    if ips is None:
        ips = list(
            IpObservation.objects.filter(report=report, private=False)
            .order_by("pk")
            .values_list("ip", flat=True)
        )
    if phones is None:
        phones = [
            link.identifier.display
            for link in ReportIdentifier.objects.filter(report=report, identifier__kind="phone")
            .select_related("identifier")
            .order_by("pk")
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


def _kinds(report: Report) -> frozenset[str]:
    links = ReportIdentifier.objects.filter(report=report)
    return frozenset(links.values_list("identifier__kind", flat=True))


def _match_fact(match: FileMatch) -> HashMatchFact:
    return HashMatchFact(
        list_name=match.hash_list.name,
        unidentified_victim=match.hash_list.unidentified_victim,
        category=match.entry.category or None,
        distance=match.distance,
        kind=match.kind,
    )


def _hash_matches(report: Report) -> tuple[HashMatchFact, ...]:
    matches = FileMatch.objects.filter(file__report=report).order_by("pk")
    matches = matches.select_related("hash_list", "entry")
    return tuple(_match_fact(m) for m in matches)


Screened = tuple[str, tuple[str, ...]]


def _screening(report: Report) -> Screened:
    stored = ReportScreening.objects.filter(report=report).values_list("level", "findings").first()
    if stored is None:
        return ("none", ())
    return stored[0], tuple(finding["indicator"] for finding in stored[1])


class BatchFacts:
    """What the decision steps read from other tables, for a batch of reports in one query each
    instead of one per report: IPs, phones and identifier kinds after the extract step, hash
    matches after the media step, cluster sizes as the link step found them."""

    def __init__(self, reports: list[Report]) -> None:
        self.ids = [report.pk for report in reports]
        self._ips: dict[int, list[str]] = defaultdict(list)
        self._phones: dict[int, list[str]] = defaultdict(list)
        self._kinds: dict[int, set[str]] = defaultdict(set)
        self._matches: dict[int, list[HashMatchFact]] = defaultdict(list)
        self._sizes: dict[int, int] = {}
        self._screening: dict[int, Screened] = {}
        self._notices: dict[int, list[str]] = {}

    def read_identifiers(self) -> None:
        """IPs, phones and identifier kinds of every report (once the extract step ran)."""
        public = IpObservation.objects.filter(report_id__in=self.ids, private=False)
        for report_id, ip in public.order_by("pk").values_list("report_id", "ip"):
            self._ips[report_id].append(ip)
        links = ReportIdentifier.objects.filter(report_id__in=self.ids).order_by("pk")
        links = links.select_related("identifier")
        for link in links:
            self._kinds[link.report_id].add(link.identifier.kind)
            if link.identifier.kind == "phone":
                self._phones[link.report_id].append(link.identifier.display)

    def read_matches(self) -> None:
        """Hash matches of every report (once the media step ran) and the travel notices its
        people likely are (once the travel step ran)."""
        matches = FileMatch.objects.filter(file__report_id__in=self.ids).order_by("pk")
        for match in matches.select_related("hash_list", "entry", "file"):
            self._matches[match.file.report_id].append(_match_fact(match))
        self._notices = likely_notices_for_reports(self.ids)  # the travel step ran before

    def keep_cluster_sizes(self, sizes: dict[int, int]) -> None:
        """The size of each report's cluster just after it joined (from the link step)."""
        self._sizes = sizes

    def keep_screening(self, screened: dict[int, Screened]) -> None:
        """Each report's screening level and indicators (from the screening step)."""
        self._screening = screened

    def screening_of(self, report: Report) -> Screened:
        """The report's screening level and indicators: none before the step ran."""
        return self._screening.get(report.pk, ("none", ()))

    def location_inputs(self, report: Report) -> dict[str, Any]:
        """`location_inputs` of the report, from what was read for the batch."""
        return location_inputs(report, ips=self._ips[report.pk], phones=self._phones[report.pk])

    def kinds_of(self, report: Report) -> frozenset[str]:
        """The kinds of identifier found in the report."""
        return frozenset(self._kinds[report.pk])

    def matches_of(self, report: Report) -> tuple[HashMatchFact, ...]:
        """The report's hash matches."""
        return tuple(self._matches[report.pk])

    def notices_of(self, report: Report) -> tuple[str, ...]:
        """References of the travel notices the report's people likely are."""
        return tuple(self._notices.get(report.pk, ()))

    def size_of(self, report: Report) -> int:
        """How many reports its cluster had when it joined: 1 if it joined none."""
        return self._sizes.get(report.pk, 1)


def priority_facts(report: Report, batch: BatchFacts | None = None) -> ReportFacts:
    """The facts the priority rules judge (read for many reports at once by a `batch`)."""
    ages = _victim_ages(report)
    if batch is not None:
        kinds, matches, size = (
            batch.kinds_of(report),
            batch.matches_of(report),
            batch.size_of(report),
        )
        notices = batch.notices_of(report)
    else:
        kinds, matches, size = _kinds(report), _hash_matches(report), _cluster_size(report)
        notices = tuple(likely_notices_for_report(report))
    level, indicators = batch.screening_of(report) if batch is not None else _screening(report)
    # An exact time if one was given, else the one read from the reporter's words.
    when = report.incident_time or report.incident_time_read
    age_hours = (utcnow() - when).total_seconds() / 3600 if when else None
    return ReportFacts(
        incident_type=report.incident_type,
        annotations=frozenset(report.annotations),
        texts=tuple(report_texts(report)),
        victim_ages=ages,
        has_minor_victim=any(a < MINOR_AGE for a in ages) if ages else None,
        hash_matches=matches,
        escalation_requested=bool(report.escalation_note),
        incident_age_hours=age_hours,
        cluster_size=size,
        channel=report.channel,
        identifier_kinds=kinds,
        cross_border="cross_border" in report.annotations,
        travel_notices=notices,
        screening_level=level,
        screening_indicators=indicators,
    )
