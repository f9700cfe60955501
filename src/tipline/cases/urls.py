"""The case pages, mounted by config/urls.py at /console/cases/."""

from django.urls import path

from tipline.cases import views
from tipline.cases.views import casework

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("open/", views.case_open, name="open"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("export/htcds.csv", casework.htcds_export, name="htcds_export"),
    path("dashboard/", casework.case_dashboard, name="dashboard"),
    path("<str:case_reference>/", views.case_detail, name="detail"),
    path("<str:case_reference>/status/", views.case_status, name="status"),
    path("<str:case_reference>/notes/", views.case_note, name="note"),
    path("<str:case_reference>/reports/add/", views.case_report_add, name="report_add"),
    path("<str:case_reference>/reports/remove/", views.case_report_remove, name="report_remove"),
    path("<str:case_reference>/team/add/", views.case_member_add, name="member_add"),
    path("<str:case_reference>/team/remove/", views.case_member_remove, name="member_remove"),
    path("<str:case_reference>/tasks/", views.case_task_add, name="task_add"),
    path("<str:case_reference>/tasks/<int:task_id>/done/", views.case_task_done, name="task_done"),
]
urlpatterns += [
    path("<str:case_reference>/people/add/", views.case_person_add, name="person_add"),
    path(
        "<str:case_reference>/people/from-report/",
        views.case_person_from_report,
        name="person_from_report",
    ),
    path("<str:case_reference>/people/<int:involvement_id>/", views.case_person, name="person"),
    path(
        "<str:case_reference>/people/<int:involvement_id>/reveal/",
        views.case_person_reveal,
        name="person_reveal",
    ),
    path(
        "<str:case_reference>/people/<int:involvement_id>/decide/",
        views.case_person_decide,
        name="person_decide",
    ),
]
urlpatterns += [
    path("<str:case_reference>/evidence/upload/", views.evidence_upload, name="evidence_upload"),
    path(
        "<str:case_reference>/evidence/physical/",
        views.evidence_physical,
        name="evidence_physical",
    ),
    path(
        "<str:case_reference>/evidence/report-file/",
        views.evidence_report_file,
        name="evidence_report_file",
    ),
    path(
        "<str:case_reference>/evidence/<int:number>/custody/",
        views.evidence_custody,
        name="evidence_custody",
    ),
    path("<str:case_reference>/bundle/", views.evidence_bundle, name="bundle"),
]
urlpatterns += [
    path(
        "<str:case_reference>/people/<int:involvement_id>/victim/",
        casework.victim_context,
        name="victim_context",
    ),
    path(
        "<str:case_reference>/people/<int:involvement_id>/movements/",
        casework.victim_movement_add,
        name="movement_add",
    ),
    path(
        "<str:case_reference>/people/<int:involvement_id>/movements/<int:movement_id>/remove/",
        casework.victim_movement_remove,
        name="movement_remove",
    ),
    path(
        "<str:case_reference>/people/<int:involvement_id>/details/",
        casework.case_person_details,
        name="person_details",
    ),
]
urlpatterns += [
    path("<str:case_reference>/referrals/", casework.case_referral_add, name="referral_add"),
    path("<str:case_reference>/outcomes/", casework.case_outcome_add, name="outcome_add"),
]
urlpatterns += [
    path("<str:case_reference>/requests/new/", casework.legal_request_new, name="legal_new"),
    path(
        "<str:case_reference>/requests/<int:number>/",
        casework.legal_request_detail,
        name="legal_request",
    ),
    path(
        "<str:case_reference>/requests/<int:number>/pdf/",
        casework.legal_request_download,
        name="legal_pdf",
    ),
    path(
        "<str:case_reference>/requests/<int:number>/status/",
        casework.legal_request_status,
        name="legal_status",
    ),
]
