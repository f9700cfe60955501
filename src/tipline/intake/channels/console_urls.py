from django.urls import path

from tipline.intake.channels import console_views

app_name = "channels_console"
urlpatterns = [
    path("reports/<str:reference>/ask/", console_views.follow_up, name="follow_up"),
]
