from django.urls import path

from tipline.intake.channels import views

app_name = "channels"
urlpatterns = [
    path("ussd/africastalking/", views.ussd_africastalking, name="ussd_africastalking"),
    path("sms/africastalking/", views.sms_africastalking, name="sms_africastalking"),
    path(
        "sms/africastalking/delivery/",
        views.sms_africastalking_delivery,
        name="sms_africastalking_delivery",
    ),
    path("sms/twilio/", views.sms_twilio, name="sms_twilio"),
    path("sms/twilio/status/", views.sms_twilio_status, name="sms_twilio_status"),
    path("whatsapp/", views.whatsapp_webhook, name="whatsapp"),
]
