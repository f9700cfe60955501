"""The registry's console pages, mounted by config/urls.py at /console/missing/."""

from django.urls import path

from tipline.missing import views

app_name = "missing"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("new/", views.record_new, name="new"),
    path("review/", views.review, name="review"),
    path("<str:record_reference>/", views.record_detail, name="detail"),
    path("<str:record_reference>/status/", views.record_status, name="status"),
    path("<str:record_reference>/alert/", views.record_alert, name="alert"),
    path("<str:record_reference>/information/", views.record_information, name="information"),
    path("<str:record_reference>/photos/", views.photo_upload, name="photo_upload"),
    path("<str:record_reference>/photos/<int:photo_id>/", views.photo_view, name="photo"),
    path(
        "<str:record_reference>/candidates/<int:candidate_id>/decide/",
        views.candidate_decide,
        name="decide",
    ),
]
