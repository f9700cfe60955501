"""The full-text index of reports: one search document per report.

On PostgreSQL the document is a `tsvector` in `vector`, behind a GIN index. On SQLite `vector`
stays empty and the words live in the FTS5 table `search_fts` (rowid = report id). Both are
created by migration 0002 for the database in use, and both are written only by
`tipline.search.services.search_index_reports`.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models

# The PostgreSQL text-search configuration. "simple" lower-cases and does no stemming and no
# stop words: reports come in English, Pidgin, Hausa, Yoruba and Igbo, and an English stemmer
# would mangle the other four ("dey" is no stop word in Pidgin). Accents and tone marks are
# folded in Python before PostgreSQL sees the text (see `terms.fold`), so no unaccent extension.
TS_CONFIG = "simple"
FTS_TABLE = "search_fts"
GIN_INDEX = "search_doc_vector_gin"


class ReportSearchDocument(models.Model):
    """The searchable words of one report, rebuilt whole whenever the report is indexed."""

    report = models.OneToOneField(
        "reports.Report",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_document",
    )
    vector = SearchVectorField(null=True, blank=True)  # PostgreSQL only; NULL on SQLite
    indexed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"search document of {self.report_id}"
