"""The registry's partner API, mounted beside the reporting API at /api/v1/."""

from django.urls import path

from tipline.missing import api

app_name = "missing_api"
urlpatterns = [
    path("missing", api.records_create, name="records"),
    path("missing/<str:reference>", api.record_detail, name="record"),
]
