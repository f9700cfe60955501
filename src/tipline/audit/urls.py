from django.urls import path

from tipline.audit import views

app_name = "audit"
urlpatterns = [path("lookups/", views.lookups, name="lookups")]
