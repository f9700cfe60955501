"""The pipeline's steps, in order. Each replaces its own output, so each is idempotent."""

from __future__ import annotations

from collections.abc import Callable

from tipline.geo.models import RegionalCommand, State
from tipline.identifiers.services import report_link, report_record_identifiers
from tipline.media.services import file_compute_pdq, file_match
from tipline.pipeline.choices import Step
from tipline.pipeline.facts import location_inputs, priority_facts
from tipline.reports.choices import ReportStatus
from tipline.reports.models import Report
from tipline.reports.services import (
    report_set_location,
    report_set_priority,
    report_set_routing,
    report_transition,
)
from tipline.search.services import index_step

NATIONAL_DESK = "NAT"
StepFn = Callable[[Report], None]


def intake_step(report: Report) -> None:
    """Move a fresh report into processing."""
    if report.status == ReportStatus.RECEIVED:
        moved = report_transition(report=report, to_status=ReportStatus.PROCESSING, actor=None)
        report.status = moved.status


def extract_step(report: Report) -> None:
    """Pull identifiers out of every field and free text, normalised and indexed."""
    report_record_identifiers(report=report)


def media_step(report: Report) -> None:
    """Hash what is stored (PDQ for images) and match every file against the hash lists."""
    for file in report.files.all():
        if file.storage_key and not file.pdq:
            file_compute_pdq(file=file)
        file_match(file=file)


def locate_step(report: Report) -> None:
    """A Nigerian state, or a foreign country, with its source and confidence."""
    from tipline.geo.locate import best_location  # noqa: PLC0415  # loads the GeoIP data lazily

    found = best_location(**location_inputs(report))
    if found is not None:
        states = State.objects.select_related("command")  # the route step reads its command
        state = states.filter(code=found.state_code).first() if found.state_code else None
        report_set_location(
            report=report,
            state=state,
            country=found.country or "",
            source=found.source,
            confidence=found.confidence,
            detail=found.detail,
            lga=found.lga or "",
        )


def link_step(report: Report) -> None:
    """Join the cluster of reports that share a strong identifier."""
    report_link(report=report)


def prioritise_step(report: Report) -> None:
    """P1 to P4 with the reasons written out."""
    from tipline.triage.priority import prioritise  # noqa: PLC0415  # rules load once, lazily

    result = prioritise(priority_facts(report))
    report_set_priority(report=report, priority=result.priority, reasons=list(result.reasons))


def route_step(report: Report) -> None:
    """A state goes to its command through the editable mapping; a foreign country to a partner
    queue (NCMEC for the US, INTERPOL otherwise); anything else to the national desk."""
    command = report.state.command if report.state_id and report.state else None
    if command is None and report.country and report.country != "NG":
        code = "NCMEC" if report.country == "US" else "INTERPOL"
        command = RegionalCommand.objects.filter(code=code).first()
    command = command or RegionalCommand.objects.filter(code=NATIONAL_DESK).first()
    if command is not None and report.routed_command_id != command.pk:
        report_set_routing(report=report, command=command)


STEPS: list[tuple[str, StepFn]] = [
    (Step.INTAKE, intake_step),
    (Step.EXTRACT, extract_step),
    (Step.MEDIA, media_step),
    (Step.LOCATE, locate_step),
    (Step.LINK, link_step),
    (Step.INDEX, index_step),
    (Step.PRIORITISE, prioritise_step),
    (Step.ROUTE, route_step),
]
