"""The demo's travel notices: thirty invented travellers through the real services, some arriving
today, and a hotel's report that is a likely match for one of them."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tipline.accounts.choices import Role
from tipline.accounts.services import user_create
from tipline.common.time import utcnow
from tipline.console.demo_travellers import HOTEL_REPORTS, NOTICES, demo_travellers
from tipline.travellers.matching import LIKELY
from tipline.travellers.models import Confirmation, Manifest, Notice, NoticeCandidate

pytestmark = pytest.mark.django_db


def test_demo_notices_places_and_a_likely_report(geo: Any) -> None:
    desk = geo["NAT"]
    user_create(username="liaison", password="x" * 16, role=Role.PARTNER_LIAISON,
                commands=[desk], email="liaison@example.org")  # fmt: skip
    made = demo_travellers(rng=random.Random(1))
    assert made.notices == Notice.objects.count() == NOTICES and made.places >= 5
    assert made.reports == HOTEL_REPORTS
    now = utcnow()
    assert sum(n.arrives_within(now) for n in Notice.objects.all()) >= 3
    assert Notice.objects.filter(status="monitoring").exists()
    likely = NoticeCandidate.objects.filter(report__isnull=False, probability__gte=LIKELY)
    assert likely.exists()
    assert likely.first().report.priority == "P1"  # type: ignore[union-attr]  # filtered above
    assert Manifest.objects.count() == 1
    assert NoticeCandidate.objects.filter(manifest_row__isnull=False, probability__gte=LIKELY)
    assert Confirmation.objects.filter(notice__isnull=True).count() == 1
    assert demo_travellers(rng=random.Random(1)).notices == 0  # once
