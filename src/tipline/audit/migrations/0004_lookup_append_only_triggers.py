"""Make the look-up table append-only in the database itself, as 0002 does for audit events.

PostgreSQL refuses UPDATE and DELETE; SQLite refuses UPDATE (a DELETE trigger there would block
Django's test flush). In production, also REVOKE TRUNCATE on the table from the application's role.
"""

from django.db import migrations

from tipline.common.vendor_sql import run_sql_per_vendor

SQLITE = [
    "CREATE TRIGGER audit_lookup_no_update BEFORE UPDATE ON audit_lookupevent "
    "BEGIN SELECT RAISE(ABORT, 'look-up events are append-only'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER audit_lookup_no_update;"]

POSTGRES = [
    "CREATE FUNCTION audit_lookup_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'look-up events are append-only'; END; $$;",
    "CREATE TRIGGER audit_lookup_no_change BEFORE UPDATE OR DELETE ON audit_lookupevent "
    "FOR EACH ROW EXECUTE FUNCTION audit_lookup_refuse();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER audit_lookup_no_change ON audit_lookupevent;",
    "DROP FUNCTION audit_lookup_refuse();",
]


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_lookupevent")]

    operations = [
        run_sql_per_vendor(
            forward={"sqlite": SQLITE, "postgresql": POSTGRES},
            reverse={"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE},
        )
    ]
