"""Reads of identifiers: a report's identifiers, and the other reports that share each one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from tipline.accounts.types import Viewer
from tipline.identifiers.models import Identifier, ReportIdentifier
from tipline.reports.models import Report
from tipline.reports.selectors import reports_visible_to

SHARED_SHOWN = 20
# What a link to another report shows; never the encrypted parts, which cost a decryption each.
_SHOWN_FIELDS = ("reference", "received_at", "priority", "status", "incident_type")


@dataclass
class IdentifierRow:
    """One identifier of a report, with the other reports (in the viewer's scope) sharing it."""

    identifier: Identifier
    sources: list[str]
    shared_with: list[Report] = field(default_factory=list)
    shared_total: int = 0
    hidden: int = 0  # shared by reports outside the viewer's scope: counted, never named
    # Only the reporter's own contact details, and they did not agree to be contacted (a phone
    # channel keeps the number to link reports): the value is not shown.
    withheld: bool = False


def identifiers_for_report(*, report: Report, user: Viewer) -> list[IdentifierRow]:
    """The report's identifiers, strong first, each with the reports that share it.

    Three queries whatever the number of identifiers. Reports the viewer may not see are only
    counted, so an analyst knows to ask, without learning anything else about them.
    """
    rows: dict[int, IdentifierRow] = {}
    links = ReportIdentifier.objects.filter(report=report).select_related("identifier")
    for link in links.order_by("-identifier__strong", "identifier__kind", "pk"):
        row = rows.setdefault(link.identifier_id, IdentifierRow(link.identifier, []))
        if link.source not in row.sources:
            row.sources.append(link.source)
    if not rows:
        return []
    visible = set(
        reports_visible_to(user)
        .filter(identifier_links__identifier_id__in=rows)
        .exclude(pk=report.pk)
        .values_list("pk", flat=True)
    )
    pairs = (
        ReportIdentifier.objects.filter(identifier_id__in=rows)
        .exclude(report_id=report.pk)
        .order_by("-report__received_at")
        .values_list("identifier_id", "report_id")
    )
    shown: dict[int, list[int]] = defaultdict(list)
    for identifier_id, report_id in dict.fromkeys(pairs):  # one per pair, in order
        row = rows[identifier_id]
        if report_id not in visible:
            row.hidden += 1
            continue
        row.shared_total += 1
        if len(shown[identifier_id]) < SHARED_SHOWN:
            shown[identifier_id].append(report_id)
    wanted = {pk for pks in shown.values() for pk in pks}
    loaded = Report.objects.only(*_SHOWN_FIELDS).in_bulk(wanted) if wanted else {}
    for identifier_id, pks in shown.items():
        rows[identifier_id].shared_with = [loaded[pk] for pk in pks]
    return list(rows.values())


def identifier_value_hash(identifier_id: int) -> str:
    """The keyed hash an identifier is stored under ("" if there is none), for recording a
    look-up of it without its value."""
    hashes = Identifier.objects.filter(pk=identifier_id).values_list("value_hash", flat=True)
    return hashes.first() or ""


def references_holding(value_hashes: frozenset[str]) -> QuerySet[Report, Any]:
    """The references of every report holding an identifier with one of these keyed hashes (a
    subquery; no scope: used to find who looked at them, not to show them)."""
    links = ReportIdentifier.objects.filter(identifier__value_hash__in=value_hashes)
    return Report.objects.filter(pk__in=links.values("report_id")).values("reference")
