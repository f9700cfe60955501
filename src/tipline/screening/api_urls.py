"""The screening endpoint, mounted beside the reporting API at /api/v1/."""

from django.urls import path

from tipline.screening import api

app_name = "screening_api"
urlpatterns = [path("screen", api.screen, name="screen")]
