"""The supervisors' review of statistics releases before publication (under /console/)."""

from django.urls import path

from tipline.publicstats import console_views

app_name = "publicstats_console"
urlpatterns = [
    path("", console_views.release_list, name="list"),
    path("<int:pk>/", console_views.release_review, name="review"),
    path("<int:pk>/approve/", console_views.release_approve, name="approve"),
    path("<int:pk>/reject/", console_views.release_reject, name="reject"),
]
