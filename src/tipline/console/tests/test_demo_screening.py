"""The demo shows screening findings on reports, the licensed list, and a published release."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tipline.accounts.models import User
from tipline.conftest import login
from tipline.console.demo import demo_seed
from tipline.publicstats.models import StatsRelease
from tipline.screening.models import LicensedAgency, ReportScreening

pytestmark = pytest.mark.slow  # seeds its own demo (a few seconds)


def test_the_demo_shows_findings_the_licensed_list_and_an_approved_release(db: Any) -> None:
    demo_seed(reports=120)
    high = ReportScreening.objects.filter(level="high").select_related("report")
    assert high.exists()
    assert LicensedAgency.objects.count() == 3
    release = StatsRelease.objects.get()
    assert release.status == "approved"
    page = Client().get("/pcm/statistics/").content.decode()
    assert f"Release {release.pk}" in page
    report = high.filter(report__routed_command__isnull=False).first()
    assert report is not None
    shown = login(User.objects.get(username="supervisor")).get(
        f"/console/reports/{report.report.reference}/"
    )
    assert "Trafficking indicators" in shown.content.decode()
