"""Public alerts without a language prefix, mounted at /alerts/: the index, the Atom feed, each
CAP message, and a child's photo and poster."""

from django.urls import path

from tipline.missing import public_alerts

app_name = "alerts"
urlpatterns = [
    path("", public_alerts.index, name="index"),
    path("feed.atom", public_alerts.feed, name="feed"),
    path("<str:identifier>.cap.xml", public_alerts.cap, name="cap"),
    path("<str:public_id>/photo.jpg", public_alerts.photo, name="photo"),
    path("<str:public_id>/poster.pdf", public_alerts.poster, name="poster"),
]
