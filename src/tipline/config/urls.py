"""Root URL configuration. Public pages carry a language prefix (/en/, /ha/, /yo/, /ig/, /pcm/)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from tipline.accounts.views import admin_login_redirect

urlpatterns = [
    path("accounts/", include("tipline.accounts.urls")),
    path("console/", include("tipline.console.urls")),
    path("console/media/", include("tipline.media.urls")),
    path("console/queue/", include("tipline.triage.urls")),
    path("console/search/", include("tipline.search.urls")),
    path("console/graph/", include("tipline.graph.urls")),
    path("console/dashboards/", include("tipline.dashboards.urls")),
    path("console/audit/", include("tipline.audit.urls")),
    path("console/cases/", include("tipline.cases.urls")),
    path("console/missing/", include("tipline.missing.urls")),
    path("console/travellers/", include("tipline.travellers.urls")),
    path("console/exchange/", include("tipline.exchange.urls")),
    path("console/ncmec/", include("tipline.intake.ncmec.urls")),
    path("console/statistics/", include("tipline.publicstats.console_urls")),
    path("api/v1/", include("tipline.intake.api_urls")),
    path("api/v1/", include("tipline.missing.api_urls")),
    path("api/v1/", include("tipline.travellers.api_urls")),
    path("api/v1/", include("tipline.screening.api_urls")),
    path("api/v1/", include("tipline.exchange.api_urls")),
    path("ispws/", include("tipline.intake.ispws.urls")),
    path("alerts/", include("tipline.missing.alert_urls")),
    path("channels/", include("tipline.intake.channels.urls")),
    path("console/channels/", include("tipline.intake.channels.console_urls")),
    # Before the admin's own URLs: its login view would skip the lock-out and second factor.
    path("admin/login/", admin_login_redirect, name="admin_login_redirect"),
    path("admin/", admin.site.urls),
    *i18n_patterns(
        path("", include("tipline.intake.urls")),
        path("check/", include("tipline.screening.urls")),
        path("statistics/", include("tipline.publicstats.urls")),
        path("missing/", include("tipline.missing.public_urls")),
    ),
]
