from django.urls import path

from tipline.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.report_form, name="report"),
    path("received/", views.receipt, name="receipt"),
    path("follow-up/", views.status_lookup, name="status_lookup"),
    path("follow-up/<str:reference>/", views.report_status, name="status"),
    path("safety/", views.safety, name="safety"),
]
