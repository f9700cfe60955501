"""Partners' updates are written down with the change that calls for them (an outbox), so a
process that dies after the commit, or a send that fails, loses nothing and sends nothing twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction

from tipline.accounts.choices import Role
from tipline.common.time import utcnow
from tipline.exchange import events
from tipline.exchange.choices import EventType
from tipline.exchange.models import Announcement, Share, WebhookDelivery
from tipline.exchange.services import report_share
from tipline.exchange.tasks import announcements_due
from tipline.exchange.tests.test_cases import _partner, _report
from tipline.reports.models import Addendum
from tipline.reports.services import report_add_addendum


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user(Role.ADMINISTRATOR, (), national=True)


@pytest.fixture
def shared(admin: Any, geo: Any) -> Any:
    """A report already shared with a partner, which is then owed `report.updated`."""
    report = _report()
    report_share(report=report, partner=_partner(admin), actor=admin)
    return report


def _updates() -> int:
    return Share.objects.filter(event_type=EventType.REPORT_UPDATED).count()


def _add(report: Any) -> None:
    report_add_addendum(report=report, body="More, invented.", channel="web", actor=None)


def _come_due() -> None:
    Announcement.objects.update(next_attempt_at=utcnow() - timedelta(seconds=1))


def test_sent_after_the_commit_and_struck_off(
    shared: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _add(shared)
    assert _updates() == 1 and not Announcement.objects.exists()
    _come_due()
    assert announcements_due() == 0 and _updates() == 1  # nothing twice


def test_a_process_that_dies_after_the_commit_leaves_it_to_the_worker(
    shared: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # the send after commit never runs
        _add(shared)
    owed = Announcement.objects.get()
    assert (owed.event_type, owed.arguments) == ("report.updated", {"report_id": shared.pk})
    assert _updates() == 0
    assert announcements_due() == 0  # a fresh one is left to the send after its commit
    _come_due()
    assert announcements_due() == 1
    assert _updates() == 1 and not Announcement.objects.exists()
    share = Share.objects.get(event_type=EventType.REPORT_UPDATED)
    assert WebhookDelivery.objects.filter(share=share).count() == 1


def test_a_failed_send_is_counted_and_tried_again_later(
    shared: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(**kwargs: Any) -> int:
        raise RuntimeError("invented failure")

    monkeypatch.setitem(events.ANNOUNCERS, EventType.REPORT_UPDATED, down)
    with django_capture_on_commit_callbacks(execute=True):
        _add(shared)  # the change itself stands
    assert Addendum.objects.filter(report=shared).count() == 1
    owed = Announcement.objects.get()
    assert owed.attempts == 1 and owed.last_error == "RuntimeError: invented failure"
    assert owed.next_attempt_at > utcnow() + timedelta(seconds=50)
    _come_due()
    assert announcements_due() == 0
    again = Announcement.objects.get()
    assert again.attempts == 2 and _updates() == 0
    assert again.next_attempt_at > utcnow() + timedelta(seconds=110)  # waits longer each time
    monkeypatch.undo()
    _come_due()
    assert announcements_due() == 1 and _updates() == 1
    assert not Announcement.objects.exists()


def test_a_change_rolled_back_owes_nothing(shared: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _add(shared)
        assert Announcement.objects.count() == 1
        raise RuntimeError("the change fails after the addendum")
    assert not Announcement.objects.exists() and _updates() == 0


def test_the_worker_runs_the_job() -> None:
    jobs = dict(settings.PERIODIC_JOBS)
    assert 0 < jobs["tipline.exchange.tasks.announcements_due"] <= 60
