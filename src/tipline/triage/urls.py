from django.urls import path

from tipline.triage import views

app_name = "triage"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("overdue/", views.overdue, name="overdue"),
    path("actions/", views.bulk, name="bulk"),
    path("reports/<str:reference>/note/", views.add_note, name="note"),
    path("reports/<str:reference>/refer/", views.refer, name="refer"),
    path("reports/<str:reference>/escalate/", views.escalate, name="escalate"),
    path("escalations/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
]
