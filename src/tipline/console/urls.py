from django.urls import include, path

from tipline.console import views

app_name = "console"
urlpatterns = [
    path("", views.report_list, name="reports"),
    path("reports/", include("tipline.reports.urls")),  # the report's own pages, framed here
]
