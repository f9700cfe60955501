"""Routing: which queue a located report goes to.

A Nigerian state goes to its command through the editable state-to-command mapping; a foreign
country to a partner queue (NCMEC for the US, INTERPOL otherwise); anything else, or a mapping that
names no command, to the national desk. An NCMEC referral is never sent back to NCMEC's queue:
NCMEC made it available to us, so a referral placed abroad goes to the national desk, which
decides. The pipeline's route step only calls this.
"""

from __future__ import annotations

from collections.abc import Callable

from tipline.geo.models import RegionalCommand
from tipline.reports.choices import Channel
from tipline.reports.models import Report
from tipline.reports.services import report_set_routing

NATIONAL_DESK = "NAT"
PARTNER_FOR_US, PARTNER_ELSEWHERE = "NCMEC", "INTERPOL"
CommandOf = Callable[[str], RegionalCommand | None]


def command_for(report: Report, command_of: CommandOf) -> RegionalCommand | None:
    """The command whose queue `report` belongs in; `command_of` finds a command by its code."""
    command = report.state.command if report.state_id and report.state else None
    abroad = bool(report.country) and report.country != "NG"
    if command is None and abroad and report.channel != Channel.NCMEC_REFERRAL:
        command = command_of(PARTNER_FOR_US if report.country == "US" else PARTNER_ELSEWHERE)
    return command or command_of(NATIONAL_DESK)


def report_route(*, report: Report) -> None:
    """Route one report and store the change (with its audit row) if the command changed."""
    _route(report, lambda code: RegionalCommand.objects.filter(code=code).first(), save=True)


def reports_route(*, reports: list[Report]) -> None:
    """Route a batch, reading the fallback commands once. The decisions stay on the instances
    (and their audit rows are written): the caller stores the reports in its own transaction."""
    codes = [NATIONAL_DESK, PARTNER_FOR_US, PARTNER_ELSEWHERE]
    commands = {c.code: c for c in RegionalCommand.objects.filter(code__in=codes)}
    for report in reports:
        _route(report, commands.get, save=False)


def _route(report: Report, command_of: CommandOf, save: bool) -> None:
    command = command_for(report, command_of)
    if command is not None and report.routed_command_id != command.pk:
        report_set_routing(report=report, command=command, save=save)
