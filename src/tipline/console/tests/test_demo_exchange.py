"""The demo shows partners, what went to them (on the timeline, in the feed), dead letters to
replay, and a partner's referral in."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tipline.accounts.models import User
from tipline.conftest import login
from tipline.console.demo import demo_seed
from tipline.console.demo_exchange import DEMO_PARTNER_KEY, demo_exchange
from tipline.exchange.models import InboundReferral, Partner, Share, WebhookDelivery
from tipline.travellers.models import Notice

pytestmark = pytest.mark.slow  # seeds its own demo (a few seconds)


def test_the_demo_shows_partners_shares_dead_letters_and_a_referral_in(db: Any) -> None:
    demo_seed(reports=120)
    assert Partner.objects.count() == 5
    assert Share.objects.filter(report__isnull=False).count() >= 3
    assert Share.objects.filter(case__isnull=False).count() == 1
    assert WebhookDelivery.objects.filter(state="dead").exists()
    assert InboundReferral.objects.get().report.channel == "partner"
    admin = login(User.objects.get(username="admin"))
    overview = admin.get("/console/exchange/").content.decode()
    assert "Demo Haven Shelter" in overview and "Connection refused (demo)" in overview
    feed = Client().get("/api/v1/feed", headers={"Authorization": f"Bearer {DEMO_PARTNER_KEY}"})
    items = feed.json()["items"]
    assert items and all("data" in item for item in items)
    # Travel notices' outcomes went back to Angel Watch: one delivered, one to re-send.
    outcomes = WebhookDelivery.objects.filter(share__notice__isnull=False).order_by("pk")
    assert [d.state for d in outcomes[:2]] == ["delivered", "dead"]
    notice = Notice.objects.get(exchange_shares__delivery=outcomes[0])
    desk = login(User.objects.get(username="liaison"))
    page = desk.get(f"/console/travellers/{notice.reference}/").content.decode()
    assert "Demo Angel Watch Center" in page and "<strong>delivered</strong>" in page
    assert demo_exchange().partners == 0  # a second run adds nothing
