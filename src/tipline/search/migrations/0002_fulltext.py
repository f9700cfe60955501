"""The full-text index itself, which differs by database.

PostgreSQL: a GIN index on `ReportSearchDocument.vector`. SQLite: an FTS5 table `search_fts`
whose rowid is the report id, and a trigger that drops a report's row when its document goes
(a deleted report cascades to its document). Neither can be declared on the model, since a GIN
index is not valid SQL on SQLite and Django has no FTS5 model, so they are created here.
"""

from django.db import migrations

from tipline.common.vendor_sql import run_sql_per_vendor

POSTGRES = [
    "CREATE INDEX search_doc_vector_gin ON search_reportsearchdocument USING gin (vector);",
]
POSTGRES_REVERSE = ["DROP INDEX search_doc_vector_gin;"]

SQLITE = [
    # Text arrives folded already (`tipline.search.terms.fold`); remove_diacritics folds the
    # query the same way should anything reach FTS5 unfolded. A 4-character prefix index
    # speeds up the prefix match that every query word of 4 or more characters makes.
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "body, tokenize = 'unicode61 remove_diacritics 2', prefix = '4');",
    "CREATE TRIGGER search_fts_follow_delete AFTER DELETE ON search_reportsearchdocument "
    "BEGIN DELETE FROM search_fts WHERE rowid = old.report_id; END;",
]
SQLITE_REVERSE = ["DROP TRIGGER search_fts_follow_delete;", "DROP TABLE search_fts;"]


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        run_sql_per_vendor(
            forward={"postgresql": POSTGRES, "sqlite": SQLITE},
            reverse={"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE},
        )
    ]
