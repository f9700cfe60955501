"""The exchange pages, mounted by config/urls.py at /console/exchange/."""

from django.urls import path

from tipline.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("deliveries/<str:event_id>/replay/", views.replay, name="replay"),
    path("reports/<str:reference>/", views.report_refer, name="report"),
    path("reports/<str:reference>/send/", views.report_send, name="send"),
    path("reports/<str:reference>/forward/", views.report_forward, name="forward"),
    path("cases/<str:case_reference>/", views.case_refer, name="case"),
    path("cases/<str:case_reference>/send/", views.case_send, name="case_send"),
    path("notices/<str:notice_reference>/send/", views.notice_send, name="notice_send"),
    path(
        "notices/<str:notice_reference>/deliveries/<str:event_id>/resend/",
        views.notice_resend,
        name="notice_resend",
    ),
]
