"""The guardian's pages, mounted under the language prefix at /<lang>/missing/."""

from django.urls import path

from tipline.missing import public

app_name = "missing_public"
urlpatterns = [
    path("", public.guardian_form, name="register"),
    path("received/", public.receipt, name="receipt"),
]
