from django.urls import path

from tipline.intake.channels import views

app_name = "channels"
urlpatterns = [
    path("ussd/africastalking/", views.ussd_africastalking, name="ussd_africastalking"),
]
