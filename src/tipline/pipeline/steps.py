"""The pipeline's steps, in order. Each replaces its own output, so each is idempotent.

Every step exists twice: for one report (`STEPS`, used by `pipeline_run`) and for a batch of
fresh reports (`BATCH_STEPS`, used by `pipeline_process_due`). Both call the same decisions; the
batch form reads and writes for all its reports in one statement where the single form uses one
per report, and leaves the decisions on the instances for one `reports_save_decisions` at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tipline.geo.models import State
from tipline.identifiers.services import (
    report_link,
    report_record_identifiers,
    reports_link,
    reports_record_identifiers,
)
from tipline.media.services import file_compute_pdq, file_match
from tipline.missing.services import missing_match_report, missing_match_reports
from tipline.pipeline.choices import Step
from tipline.pipeline.facts import BatchFacts, location_inputs, priority_facts
from tipline.pipeline.incident_time import read_incident_time
from tipline.reports.choices import ReportStatus
from tipline.reports.models import Report
from tipline.reports.services import (
    report_set_incident_time_reading,
    report_set_location,
    report_set_priority,
    reports_transition,
)
from tipline.screening.services import report_screen, reports_screen
from tipline.search.services import index_step, search_index_reports
from tipline.travellers.match import report_match, reports_match
from tipline.travellers.places import places_link_report, places_link_reports
from tipline.triage.routing import report_route, reports_route

StepFn = Callable[[Report], None]
BatchStepFn = Callable[[list[Report], BatchFacts], None]


def intake_step(report: Report) -> None:
    """Move a fresh report into processing."""
    _intake([report])


def _intake(reports: list[Report]) -> None:
    fresh = [report for report in reports if report.status == ReportStatus.RECEIVED]
    if fresh:
        moved = reports_transition(reports=fresh, to_status=ReportStatus.PROCESSING, actor=None)
        for report, stored in zip(fresh, moved, strict=True):
            report.status = stored.status


def extract_step(report: Report) -> None:
    """Pull identifiers out of every field and free text, normalised and indexed."""
    report_record_identifiers(report=report)


def media_step(report: Report) -> None:
    """Hash what is stored (PDQ for images) and match every file against the hash lists."""
    for file in report.files.all():
        if file.storage_key and not file.pdq:
            file_compute_pdq(file=file)
        file_match(file=file)


def _locate(
    report: Report, inputs: dict[str, Any], state_of: Callable[[str], State | None], save: bool
) -> None:
    from tipline.geo.locate import best_location  # noqa: PLC0415  # loads the GeoIP data lazily

    found = best_location(**inputs)
    if found is not None:
        report_set_location(
            report=report,
            state=state_of(found.state_code) if found.state_code else None,
            country=found.country or "",
            source=found.source,
            confidence=found.confidence,
            detail=found.detail,
            lga=found.lga or "",
            save=save,
        )


def _state(code: str) -> State | None:
    return State.objects.select_related("command").filter(code=code).first()  # route reads it


def locate_step(report: Report) -> None:
    """A Nigerian state, or a foreign country, with its source and confidence."""
    _locate(report, location_inputs(report), _state, save=True)


def link_step(report: Report) -> None:
    """Join the cluster of reports that share a strong identifier."""
    report_link(report=report)


def screen_step(report: Report) -> None:
    """Trafficking indicators in the report's words, and its phones and accounts in others."""
    report_screen(report=report)


def _read_time(report: Report, save: bool) -> None:
    """Read a time from the reporter's words when no exact time was given, once."""
    if report.incident_time or report.incident_time_reading or not report.incident_time_text:
        return
    reading = read_incident_time(
        text=report.incident_time_text, language=report.language, received_at=report.received_at
    )
    if reading is not None:
        report_set_incident_time_reading(report=report, at=reading.at, note=reading.note, save=save)


def prioritise_step(report: Report, batch: BatchFacts | None = None) -> None:
    """P1 to P4 with the reasons written out. A priority a person set stands on a rerun unless
    the rules now find the report more urgent (`_raised`); then it is raised, and says so."""
    from tipline.triage.priority import prioritise  # noqa: PLC0415  # rules load once, lazily

    _read_time(report, save=batch is None)
    result = prioritise(priority_facts(report, batch))
    reasons = list(result.reasons)
    if report.priority_set_by_id is not None:  # a person set it (a rerun after an addendum)
        if not _raised(report, result.priority):
            return  # their decision stands
        reasons.insert(0, f"Raised from {report.priority}, set by hand, by the rules below.")
    report_set_priority(
        report=report, priority=result.priority, reasons=reasons, save=batch is None
    )


def _raised(report: Report, computed: str) -> bool:
    """Whether the rules now find the report more urgent than both the priority a person set
    and what the rules said before (P1 sorts before P2): new information (an addendum) raises
    a priority set by hand, the same facts never overrule it."""
    before = report.priority_by_rules or report.priority
    return computed < report.priority and computed < before


def travel_step(report: Report) -> None:
    """People who may be a travelling offender against the notices active at the report's time,
    and the places of concern the report names (before prioritising: a likely match raises it)."""
    report_match(report=report)
    places_link_report(report=report)


def route_step(report: Report) -> None:
    """The queue of a command or partner, decided by triage's routing."""
    report_route(report=report)


def missing_step(report: Report) -> None:
    """Score the people who may be a missing child against the open missing-child records."""
    missing_match_report(report=report)


STEPS: list[tuple[str, StepFn]] = [
    (Step.INTAKE, intake_step),
    (Step.EXTRACT, extract_step),
    (Step.MEDIA, media_step),
    (Step.LOCATE, locate_step),
    (Step.LINK, link_step),
    (Step.SCREEN, screen_step),
    (Step.INDEX, index_step),
    (Step.TRAVEL, travel_step),
    (Step.PRIORITISE, prioritise_step),
    (Step.ROUTE, route_step),
    (Step.MISSING, missing_step),
]


def _intake_batch(reports: list[Report], facts: BatchFacts) -> None:
    """Nothing to store: the batch's one transaction moves its reports from received straight
    to awaiting triage at its end (`_run_batch`). A report run on its own passes through
    "processing", which stays visible if one of its steps fails."""


def _extract_batch(reports: list[Report], facts: BatchFacts) -> None:
    reports_record_identifiers(reports=reports)
    facts.read_identifiers()


def _media_batch(reports: list[Report], facts: BatchFacts) -> None:
    for report in reports:
        media_step(report)  # files are prefetched: a report without any costs no statement


def _locate_batch(reports: list[Report], facts: BatchFacts) -> None:
    states = {state.code: state for state in State.objects.select_related("command")}
    for report in reports:
        _locate(report, facts.location_inputs(report), states.get, save=False)


def _link_batch(reports: list[Report], facts: BatchFacts) -> None:
    facts.keep_cluster_sizes(reports_link(reports=reports))


def _screen_batch(reports: list[Report], facts: BatchFacts) -> None:
    screened = reports_screen(reports=reports)
    facts.keep_screening(
        {pk: (s.level, tuple(f.id for f in s.findings)) for pk, s in screened.items()}
    )


def _index_batch(reports: list[Report], facts: BatchFacts) -> None:
    search_index_reports(report_ids=[report.pk for report in reports])


def _travel_batch(reports: list[Report], facts: BatchFacts) -> None:
    reports_match(reports=reports)  # people prefetched; located in memory by now
    places_link_reports(reports=reports)


def _prioritise_batch(reports: list[Report], facts: BatchFacts) -> None:
    facts.read_matches()
    for report in reports:
        prioritise_step(report, facts)


def _route_batch(reports: list[Report], facts: BatchFacts) -> None:
    reports_route(reports=reports)


def _missing_batch(reports: list[Report], facts: BatchFacts) -> None:
    missing_match_reports(reports=reports)  # people and files prefetched; located in memory


BATCH_STEPS: list[tuple[str, BatchStepFn]] = [
    (Step.INTAKE, _intake_batch),
    (Step.EXTRACT, _extract_batch),
    (Step.MEDIA, _media_batch),
    (Step.LOCATE, _locate_batch),
    (Step.LINK, _link_batch),
    (Step.SCREEN, _screen_batch),
    (Step.INDEX, _index_batch),
    (Step.TRAVEL, _travel_batch),
    (Step.PRIORITISE, _prioritise_batch),
    (Step.ROUTE, _route_batch),
    (Step.MISSING, _missing_batch),
]
