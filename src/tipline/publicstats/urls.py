"""The public statistics page and its downloads (under the language prefix)."""

from django.urls import path

from tipline.publicstats import views

app_name = "publicstats"
urlpatterns = [
    path("", views.statistics_page, name="page"),
    path("data.csv", views.statistics_csv, name="csv"),
    path("data.json", views.statistics_json, name="json"),
]
