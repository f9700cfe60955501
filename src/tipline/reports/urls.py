"""The report's pages. The console includes these under /console/reports/ and within its own
namespace, so every link to a report reads `{% url 'console:report' reference %}` wherever the
page is linked from; hence no `app_name` here."""

from django.urls import path

from tipline.reports import views

urlpatterns = [
    path("<str:reference>/", views.report_detail, name="report"),
]
