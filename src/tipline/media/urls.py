from django.urls import path

from tipline.media import views

app_name = "media"
urlpatterns = [
    path("files/<str:file_id>/preview.jpg", views.preview, name="preview"),
    path("files/<str:file_id>/reveal", views.reveal, name="reveal"),
    path("files/<str:file_id>/full.jpg", views.full, name="full"),
    path("files/<str:file_id>/open", views.open_held_back, name="open_held_back"),
    path("preferences/media", views.preference, name="preference"),
]
