"""The guardian's pages, mounted under the language prefix at /<lang>/missing/."""

from django.urls import path

from tipline.missing import public, public_alerts

app_name = "missing_public"
urlpatterns = [
    path("", public.guardian_form, name="register"),
    path("received/", public.receipt, name="receipt"),
    path("follow-up/", public.follow_up_lookup, name="follow_up_lookup"),
    path("follow-up/<str:reference>/", public.follow_up, name="follow_up"),
    path("alerts/<str:public_id>/", public_alerts.alert_page, name="alert"),
    path("alerts/<str:public_id>/seen/", public_alerts.sighting, name="sighting"),
    path("seen/received/", public_alerts.sighting_received, name="sighting_received"),
]
