"""Root URL configuration. Public pages carry a language prefix (/en/, /ha/, /yo/, /ig/, /pcm/)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("tipline.accounts.urls")),
    path("console/", include("tipline.console.urls")),
    path("console/media/", include("tipline.media.urls")),
    path("console/queue/", include("tipline.triage.urls")),
    path("console/search/", include("tipline.search.urls")),
    path("console/graph/", include("tipline.graph.urls")),
    path("console/dashboards/", include("tipline.dashboards.urls")),
    path("api/v1/", include("tipline.intake.api_urls")),
    path("ispws/", include("tipline.intake.ispws.urls")),
    path("admin/", admin.site.urls),
    *i18n_patterns(path("", include("tipline.intake.urls"))),
]
