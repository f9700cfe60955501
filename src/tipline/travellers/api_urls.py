"""The notices endpoints, mounted beside the reporting API at /api/v1/."""

from django.urls import path

from tipline.travellers import api

app_name = "travellers_api"
urlpatterns = [
    path("notices", api.notice_submit, name="submit"),
    path("notices/confirmations", api.confirmation_submit, name="confirm"),
]
