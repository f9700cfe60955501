from django.apps import AppConfig
from django.db.backends.signals import connection_created

from tipline.dashboards.aggregates import register_sqlite_percentile


class DashboardsConfig(AppConfig):
    name = "tipline.dashboards"

    def ready(self) -> None:
        # SQLite has no percentile function; each new connection gets ours (see aggregates.py).
        connection_created.connect(register_sqlite_percentile, dispatch_uid="tipline-percentile")
