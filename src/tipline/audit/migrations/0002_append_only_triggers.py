"""Make the audit table append-only in the database itself.

PostgreSQL refuses UPDATE and DELETE on audit rows. SQLite (the zero-setup demo database) refuses
UPDATE; a DELETE trigger there would also block Django's test flush, so on SQLite deletions are
caught by the hash chain (`tipline audit verify`) instead. In production, also REVOKE TRUNCATE on
the table from the application's role.
"""

from django.db import migrations

from tipline.common.vendor_sql import run_sql_per_vendor

SQLITE = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER audit_event_no_update;"]

POSTGRES = [
    "CREATE FUNCTION audit_event_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$;",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER audit_event_no_change ON audit_auditevent;",
    "DROP FUNCTION audit_event_refuse();",
]


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        run_sql_per_vendor(
            forward={"sqlite": SQLITE, "postgresql": POSTGRES},
            reverse={"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE},
        )
    ]
