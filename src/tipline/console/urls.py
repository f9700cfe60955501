from django.urls import path

from tipline.console import views

app_name = "console"
urlpatterns = [
    path("", views.report_list, name="reports"),
    path("reports/<str:reference>/", views.report_detail, name="report"),
]
