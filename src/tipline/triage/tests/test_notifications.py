"""Notifications: who gets them, reading them, and that nobody sees another's."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.geo.models import RegionalCommand
from tipline.reports.models import Report
from tipline.triage.choices import NotificationKind
from tipline.triage.models import Notification
from tipline.triage.selectors import notifications_for_user, unread_notification_count
from tipline.triage.services import (
    CommandNotice,
    notification_create,
    notifications_create,
    notifications_mark_read,
    report_assign,
    report_escalate,
)


def test_notifying_a_command_reaches_each_active_member_once(
    lagos_report: Report, make_user: Callable[..., User], geo: dict[str, RegionalCommand]
) -> None:
    one, two = make_user(Role.ANALYST, ("LAG",)), make_user(Role.ANALYST, ("LAG",))
    outsider = make_user(Role.ANALYST, ("KAN",))
    made = notification_create(
        user=one, command=geo["LAG"], report=lagos_report, kind="updated", text="More added"
    )
    assert sorted(n.recipient_id for n in made) == sorted([one.pk, two.pk])
    assert unread_notification_count(user=outsider) == 0
    assert AuditEvent.objects.filter(action="notification.created").count() == 1


def test_notification_needs_a_known_kind_and_a_recipient(lagos_report: Report) -> None:
    with pytest.raises(ValidationError):
        notification_create(report=lagos_report, kind="updated", text="x")
    with pytest.raises(ValidationError):
        notification_create(user=None, report=lagos_report, kind="gossip", text="x")


def test_assigning_to_someone_else_notifies_them_not_the_actor(
    lagos_report: Report, make_user: Callable[..., User]
) -> None:
    boss, analyst = make_user(Role.SUPERVISOR, ("LAG",)), make_user(Role.ANALYST, ("LAG",))
    report = report_assign(report=lagos_report, assignee=analyst, actor=boss)
    [note] = notifications_for_user(user=analyst)
    assert note.kind == NotificationKind.ASSIGNED and lagos_report.reference in note.text
    assert notifications_for_user(user=boss) == []
    report_assign(report=report, assignee=boss, actor=boss)
    assert notifications_for_user(user=boss) == []


def test_escalating_notifies_the_commands_supervisors(
    lagos_report: Report, make_user: Callable[..., User]
) -> None:
    analyst = make_user(Role.ANALYST, ("LAG",))
    lagos_boss, kano_boss = (
        make_user(Role.SUPERVISOR, ("LAG",)),
        make_user(Role.SUPERVISOR, ("KAN",)),
    )
    national = make_user(Role.SUPERVISOR, (), national=True)
    report_escalate(report=lagos_report, reason="Child may be in danger", actor=analyst)
    assert unread_notification_count(user=lagos_boss) == 1
    assert unread_notification_count(user=national) == 1
    assert unread_notification_count(user=kano_boss) == 0
    assert unread_notification_count(user=analyst) == 0


def test_marking_read_touches_only_the_users_own(
    lagos_report: Report, make_user: Callable[..., User]
) -> None:
    one, two = make_user(Role.ANALYST, ("LAG",)), make_user(Role.ANALYST, ("LAG",))
    for user in (one, two):
        notification_create(user=user, report=lagos_report, kind="linked", text="Linked")
    theirs = Notification.objects.get(recipient=two)
    assert notifications_mark_read(user=one, ids=[theirs.pk]) == 0
    assert notifications_mark_read(user=one) == 1
    assert unread_notification_count(user=one) == 0
    assert unread_notification_count(user=two) == 1


def test_many_command_notifications_at_once_reach_whom_one_at_a_time_would(
    lagos_report: Report, make_user: Callable[..., User], geo: dict[str, RegionalCommand]
) -> None:
    lagos = [make_user(Role.ANALYST, ("LAG",)), make_user(Role.ANALYST, ("LAG", "KAN"))]
    kano = [lagos[1], make_user(Role.ANALYST, ("KAN",))]
    retired = make_user(Role.ANALYST, ("LAG",))
    User.objects.filter(pk=retired.pk).update(is_active=False)
    made = notifications_create(
        notices=[
            CommandNotice(geo["LAG"].pk, lagos_report, "linked", "First, invented."),
            CommandNotice(geo["KAN"].pk, lagos_report, "linked", "Second, invented."),
        ]
    )
    got = sorted((n.recipient_id, n.text) for n in made)
    assert got == sorted(
        [(u.pk, "First, invented.") for u in lagos] + [(u.pk, "Second, invented.") for u in kano]
    )
    assert not Notification.objects.filter(recipient=retired).exists()
    audits = AuditEvent.objects.filter(action="notification.created").order_by("seq")
    assert [sorted(a.after["recipients"]) for a in audits] == [
        sorted(u.pk for u in lagos),
        sorted(u.pk for u in kano),
    ]
    with pytest.raises(ValidationError):
        notifications_create(notices=[CommandNotice(geo["LAG"].pk, lagos_report, "gossip", "x")])
