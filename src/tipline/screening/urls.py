"""The public 'check a job offer' page (under the language prefix, beside the report form)."""

from django.urls import path

from tipline.screening import views

app_name = "screening"
urlpatterns = [path("", views.check_offer, name="check")]
