"""The partners' API, mounted beside the reporting API at /api/v1/."""

from django.urls import path

from tipline.exchange import api

app_name = "exchange_api"
urlpatterns = [
    path("feed", api.feed, name="feed"),
    path("referrals", api.referrals_create, name="referrals"),
    path("exchange/openapi.json", api.openapi_json, name="openapi"),
]
