from django.urls import path

from tipline.graph import views

app_name = "graph"
urlpatterns = [
    path("report/<str:reference>/", views.report_page, name="report"),
    path("report/<str:reference>.json", views.report_json, name="report_json"),
    path("case/<str:case_reference>/", views.case_page, name="case"),
    path("case/<str:case_reference>.json", views.case_json, name="case_json"),
    path("cluster/<int:cluster_id>/", views.cluster_page, name="cluster"),
    path("cluster/<int:cluster_id>.json", views.cluster_json, name="cluster_json"),
    path("expand/report/<str:reference>.json", views.expand_report, name="expand_report"),
    path(
        "expand/identifier/<int:identifier_id>.json",
        views.expand_identifier,
        name="expand_identifier",
    ),
]
