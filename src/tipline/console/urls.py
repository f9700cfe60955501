from django.urls import include, path

from tipline.console import views

app_name = "console"
urlpatterns = [
    path("", views.report_list, name="reports"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("reports/", include("tipline.reports.urls")),  # the report's own pages, framed here
    # The NCMEC export lives beside the export code in intake; mounted by name, not imported.
    path("reports/<str:reference>/ncmec/", include("tipline.intake.ispws.console_export")),
]
