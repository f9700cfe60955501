from django.urls import path

from tipline.triage import views

app_name = "triage"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("overdue/", views.overdue, name="overdue"),
    path("actions/", views.bulk, name="bulk"),
]
