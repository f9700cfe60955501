"""The NCMEC import pages, mounted by config/urls.py at /console/ncmec/."""

from django.urls import path

from tipline.intake.ncmec import views

app_name = "ncmec"
urlpatterns = [
    path("", views.imports, name="imports"),
    path("upload/", views.upload, name="upload"),
]
