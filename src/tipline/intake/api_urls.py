from django.urls import path

from tipline.intake import api

app_name = "api"
urlpatterns = [
    path("reports", api.reports_create, name="reports"),
    path("reports/batch", api.reports_batch, name="reports_batch"),
    path("reports/<str:reference>", api.report_detail, name="report_detail"),
    path("openapi.json", api.openapi_json, name="openapi"),
    path("docs", api.docs, name="docs"),
]
