"""Writes of the search index. It is derived data: rebuilding it changes nothing in any report.

Indexing one report replaces its document whole, so running it twice gives the same index and
the pipeline can retry it freely. Like the other pipeline steps' derived data (identifiers,
clusters), a document written for one report is not audited; a full reindex is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.db import connection, transaction

from tipline.accounts.types import Actor
from tipline.audit.services import audit_record
from tipline.common.time import utcnow
from tipline.reports.models import Report
from tipline.search.models import FTS_TABLE, TS_CONFIG, ReportSearchDocument
from tipline.search.terms import document_text

# The report's own free text. Addenda are left out on purpose: their bodies are encrypted at rest,
# and an index in clear would undo that. Identifiers in addenda are still found by identifier
# search, because the extract step harvests them.
INDEXED_FIELDS = ("description", "location_text", "escalation_note", "platform")
REINDEX_BATCH = 1000
_FTS_DELETE = f"DELETE FROM {FTS_TABLE} WHERE rowid = %s"  # noqa: S608  # a constant table name
_FTS_INSERT = f"INSERT INTO {FTS_TABLE} (rowid, body) VALUES (%s, %s)"  # noqa: S608  # likewise


def report_document_text(report: Report) -> str:
    """What the index holds for a report: the folded words of its indexed fields."""
    return document_text(*(getattr(report, name) or "" for name in INDEXED_FIELDS))


def search_index_reports(*, report_ids: Iterable[int]) -> int:
    """Build (or rebuild) the search documents of these reports; returns how many were indexed.

    Ids of reports that no longer exist are skipped. Idempotent.
    """
    reports = Report.objects.filter(pk__in=list(report_ids)).only(*INDEXED_FIELDS)
    texts = {report.pk: report_document_text(report) for report in reports}
    if texts:
        with transaction.atomic():
            _WRITERS[connection.vendor](texts, utcnow())
    return len(texts)


def search_index_report(*, report_id: int) -> bool:
    """Build (or rebuild) one report's search document. False if there is no such report."""
    return search_index_reports(report_ids=[report_id]) == 1


def index_step(report: Report) -> None:
    """Pipeline step: make the report findable by the words of its description and notes."""
    search_index_report(report_id=report.pk)


def search_reindex(
    *,
    actor: Actor = None,
    batch_size: int = REINDEX_BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Rebuild every report's search document, a batch per transaction; returns the count.

    Reports keep arriving while this runs; each new one is indexed by its own pipeline run.
    """
    done, after = 0, 0
    while True:
        ids = list(
            Report.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        done += search_index_reports(report_ids=ids)
        after = ids[-1]
        if progress is not None:
            progress(done)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="search.reindexed",
            object_type="search_index",
            object_id="reports",
            after={"reports": done},
        )
    return done


def _write_postgres(texts: dict[int, str], now: datetime) -> None:
    """One statement for the batch; PostgreSQL turns the words into the `tsvector`.

    `strip` drops word positions: nothing ranks or matches phrases, and without them the
    table is a third smaller, which is what the look-ups by id in `selectors` read.
    """
    table = connection.ops.quote_name(ReportSearchDocument._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (report_id, vector, indexed_at)"  # noqa: S608  # our table name
            " SELECT t.id, strip(to_tsvector(%s::regconfig, t.body)), %s"
            " FROM unnest(%s::bigint[], %s::text[]) AS t(id, body)"
            " ON CONFLICT (report_id) DO UPDATE"
            " SET vector = EXCLUDED.vector, indexed_at = EXCLUDED.indexed_at",
            [TS_CONFIG, now, list(texts), list(texts.values())],
        )


def _write_sqlite(texts: dict[int, str], now: datetime) -> None:
    """The document row, then the FTS5 row keyed by the report id (replaced, never added)."""
    ReportSearchDocument.objects.bulk_create(
        [ReportSearchDocument(report_id=pk, indexed_at=now) for pk in texts],
        update_conflicts=True,
        unique_fields=["report"],
        update_fields=["indexed_at"],
    )
    with connection.cursor() as cursor:
        cursor.executemany(_FTS_DELETE, [(pk,) for pk in texts])
        cursor.executemany(_FTS_INSERT, list(texts.items()))


_WRITERS: dict[str, Callable[[dict[int, str], datetime], None]] = {
    "postgresql": _write_postgres,
    "sqlite": _write_sqlite,
}
