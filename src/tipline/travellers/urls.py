"""Travel notices and places of concern in the console, mounted at /console/travellers/."""

from django.urls import path

from tipline.travellers import views

app_name = "travellers"
urlpatterns = [
    path("", views.notice_queue, name="queue"),
    path("new/", views.notice_new, name="new"),
    path("outcomes.csv", views.outcomes_export, name="outcomes"),
    path("places/", views.place_list, name="places"),
    path("places/<int:place_id>/", views.place_detail, name="place"),
    path("places/<int:place_id>/manifests/", views.manifest_upload, name="manifest_upload"),
    path(
        "places/<int:place_id>/manifests/<int:manifest_id>/",
        views.manifest_detail,
        name="manifest",
    ),
    path("<str:notice_reference>/", views.notice_detail, name="notice"),
    path("<str:notice_reference>/status/", views.notice_status, name="status"),
    path("<str:notice_reference>/outcome/", views.notice_outcome, name="outcome"),
    path("<str:notice_reference>/photo/", views.photo_upload, name="photo_upload"),
    path("<str:notice_reference>/photo.jpg", views.photo_view, name="photo"),
    path(
        "<str:notice_reference>/candidates/<int:notice_candidate_id>/decide/",
        views.candidate_decide,
        name="decide",
    ),
]
