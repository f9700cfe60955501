"""Queues, SLA flags, bulk actions, notes, referrals and escalations, each with its outsider."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.conftest import draft, login
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import Annotation, ReportStatus, SharingLevel
from tipline.reports.drafts import IncidentDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit
from tipline.triage.choices import EscalationState, ReferralState
from tipline.triage.models import Escalation, Referral, ReportNote


def _report(description: str = "Invented.", state: str = "LA", **incident: Any) -> Report:
    values = {"type": "online_enticement", "description": description, "state_code": state}
    made = report_submit(draft=draft(incident=IncidentDraft(**{**values, **incident})))
    pipeline_run(report_id=made.report.pk)
    return Report.objects.get(pk=made.report.pk)


def _age(report: Report, hours: float) -> Report:
    Report.objects.filter(pk=report.pk).update(
        received_at=report.received_at - timedelta(hours=hours)
    )
    return Report.objects.get(pk=report.pk)


def _queue_refs(user: User, query: str = "") -> list[str]:
    response = login(user).get(reverse("triage:queue") + query)
    assert response.status_code == 200
    return [r.reference for r, _overdue in response.context["rows"]]


def test_queue_is_priority_then_age(lagos_analyst: User) -> None:
    low_old = _age(_report("Nothing urgent, old."), 48)
    p1_new = _report("Meet tonight.", annotations=[Annotation.MEETING_ARRANGED])
    p1_old = _age(_report("Meet now.", annotations=[Annotation.MEETING_ARRANGED]), 2)
    refs = _queue_refs(lagos_analyst)
    assert refs.index(p1_old.reference) < refs.index(p1_new.reference)
    assert refs.index(p1_new.reference) < refs.index(low_old.reference)


def test_queue_is_scoped_to_the_users_commands(lagos_analyst: User, kano_analyst: User) -> None:
    lagos = _report(state="LA")
    kano = _report(state="KN")
    assert _queue_refs(lagos_analyst) == [lagos.reference]
    assert _queue_refs(kano_analyst) == [kano.reference]


def test_queue_filters(lagos_analyst: User) -> None:
    p1 = _report("Meet tonight.", annotations=[Annotation.MEETING_ARRANGED])
    other = _report("Invented, nothing urgent.", type="forced_begging")
    assert _queue_refs(lagos_analyst, "?priority=P1") == [p1.reference]
    assert _queue_refs(lagos_analyst, "?incident_type=forced_begging") == [other.reference]
    assert _queue_refs(lagos_analyst, "?state=KN") == []
    assert _queue_refs(lagos_analyst, "?mine=on") == []
    assert sorted(_queue_refs(lagos_analyst, "?channel=web")) == sorted(
        [p1.reference, other.reference]
    )


def test_bad_filters_are_refused_out_loud_not_ignored_nor_a_500(lagos_analyst: User) -> None:
    _report()
    response = login(lagos_analyst).get(
        reverse("triage:queue") + "?priority=P9&status=%00&incident_type=x"
    )
    assert response.status_code == 400
    assert response.context["rows"] == []
    page = response.content.decode()
    assert "These filters were not applied" in page and "Priority:" in page


def test_overdue_p1_is_highlighted_and_listed(make_user: Callable[..., User]) -> None:
    analyst = make_user(Role.ANALYST, ("LAG",))
    late = _age(_report("Meet now.", annotations=[Annotation.MEETING_ARRANGED]), 1.5)
    fresh = _report("Meet later.", annotations=[Annotation.MEETING_ARRANGED])
    rows = dict(login(analyst).get(reverse("triage:queue")).context["rows"])
    flags = {r.reference: overdue for r, overdue in rows.items()}
    assert flags == {late.reference: True, fresh.reference: False}
    supervisor = make_user(Role.SUPERVISOR, (), national=True)
    kano_late = _age(_report("Meet now.", state="KN", annotations=[Annotation.MEETING_ARRANGED]), 2)
    page = login(supervisor).get(reverse("triage:overdue"))
    listed = {r.reference for r in page.context["reports"]}
    assert listed == {late.reference, kano_late.reference}
    assert {
        r.reference for r in login(analyst).get(reverse("triage:overdue")).context["reports"]
    } == {late.reference}


def test_p2_becomes_overdue_after_a_day(lagos_analyst: User) -> None:
    report = _report("Invented.")
    Report.objects.filter(pk=report.pk).update(priority="P2")
    report = _age(report, 23)
    assert not login(lagos_analyst).get(reverse("triage:overdue")).context["reports"]
    _age(report, 2)
    assert len(login(lagos_analyst).get(reverse("triage:overdue")).context["reports"]) == 1


def _bulk(user: User, refs: list[str], **data: str) -> Any:
    return login(user).post(reverse("triage:bulk"), {"references": refs, **data}, follow=True)


def test_claim_and_bulk_assign(make_user: Callable[..., User]) -> None:
    analyst, colleague = make_user(Role.ANALYST, ("LAG",)), make_user(Role.ANALYST, ("LAG",))
    a, b = _report(), _report()
    _bulk(analyst, [a.reference], action="assign")
    assert Report.objects.get(pk=a.pk).assigned_to == analyst
    _bulk(analyst, [a.reference, b.reference], action="assign", assignee=colleague.username)
    assert set(Report.objects.filter(assigned_to=colleague).values_list("pk", flat=True)) == {
        a.pk,
        b.pk,
    }
    assert Report.objects.get(pk=b.pk).status == ReportStatus.ASSIGNED
    assert AuditEvent.objects.filter(action="report.assigned").count() == 3


def test_cannot_assign_to_someone_who_cannot_see_it(
    lagos_analyst: User, kano_analyst: User
) -> None:
    report = _report()
    page = _bulk(lagos_analyst, [report.reference], action="assign", assignee=kano_analyst.username)
    assert Report.objects.get(pk=report.pk).assigned_to is None
    assert "cannot see" in page.content.decode()


def test_close_as_duplicate_and_with_reason(lagos_analyst: User) -> None:
    original, copy, noise = _report(), _report(), _report()
    _bulk(lagos_analyst, [copy.reference], action="duplicate", duplicate_of=original.reference)
    closed = Report.objects.get(pk=copy.pk)
    assert (closed.status, closed.closed_reason) == (ReportStatus.CLOSED, "duplicate")
    _bulk(lagos_analyst, [noise.reference], action="close", reason="no_offence", note="Invented.")
    assert Report.objects.get(pk=noise.pk).closed_reason == "no_offence"
    assert Report.objects.get(pk=original.pk).status == ReportStatus.AWAITING_TRIAGE


def test_duplicate_of_a_report_outside_scope_is_refused(
    lagos_analyst: User, kano_analyst: User
) -> None:
    mine, theirs = _report(), _report(state="KN")
    _bulk(lagos_analyst, [mine.reference], action="duplicate", duplicate_of=theirs.reference)
    assert Report.objects.get(pk=mine.pk).status == ReportStatus.AWAITING_TRIAGE


def test_change_priority_needs_a_reason(lagos_analyst: User) -> None:
    report = _report()
    _bulk(lagos_analyst, [report.reference], action="priority", priority="P1", note="")
    assert Report.objects.get(pk=report.pk).priority != "P1"
    _bulk(lagos_analyst, [report.reference], action="priority", priority="P1", note="Child named.")
    changed = Report.objects.get(pk=report.pk)
    assert changed.priority == "P1"
    assert changed.priority_reasons[0].endswith("Child named.")


def test_bulk_on_a_report_outside_scope_is_404_and_changes_nothing(
    lagos_analyst: User, kano_analyst: User
) -> None:
    mine = _report()
    response = login(kano_analyst).post(
        reverse("triage:bulk"), {"references": [mine.reference], "action": "assign"}
    )
    assert response.status_code == 404
    assert Report.objects.get(pk=mine.pk).assigned_to is None


def test_next_cannot_redirect_off_site(lagos_analyst: User) -> None:
    report = _report()
    response = login(lagos_analyst).post(
        reverse("triage:bulk"),
        {"references": [report.reference], "action": "assign", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("triage:queue")


def test_note_is_added_encrypted_and_audited(lagos_analyst: User) -> None:
    report = _report()
    url = reverse("triage:note", args=[report.reference])
    login(lagos_analyst).post(url, {"body": "Called the invented school."})
    note = ReportNote.objects.get()
    assert note.body == "Called the invented school." and note.author == lagos_analyst
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM triage_reportnote")
        stored = cursor.fetchone()[0]
    assert "invented school" not in stored
    event = AuditEvent.objects.get(action="report.note_added")
    assert "invented school" not in str(event.after)
    page = login(lagos_analyst).get(reverse("console:report", args=[report.reference]))
    assert "Called the invented school." in page.content.decode()


def test_empty_note_is_refused(lagos_analyst: User) -> None:
    report = _report()
    login(lagos_analyst).post(reverse("triage:note", args=[report.reference]), {"body": "  "})
    assert not ReportNote.objects.exists()


def test_refer_to_a_partner_is_recorded_pending(lagos_analyst: User) -> None:
    report = _report()
    url = reverse("triage:refer", args=[report.reference])
    login(lagos_analyst).post(url, {"partner": "NCMEC", "reason": "US platform account."})
    referral = Referral.objects.get()
    assert (referral.partner.code, referral.state) == ("NCMEC", ReferralState.PENDING)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.REFERRED
    login(lagos_analyst).post(url, {"partner": "NCMEC", "reason": "Again."})
    assert Referral.objects.count() == 1  # one pending referral per partner


def test_tlp_red_report_is_never_referred(lagos_analyst: User) -> None:
    made = report_submit(draft=draft(sharing_level=SharingLevel.RED))
    pipeline_run(report_id=made.report.pk)
    url = reverse("triage:refer", args=[made.report.reference])
    page = login(lagos_analyst).post(url, {"partner": "NCMEC", "reason": "x"}, follow=True)
    assert not Referral.objects.exists()
    assert "TLP:RED" in page.content.decode()


def test_refer_to_a_non_partner_command_is_refused(lagos_analyst: User) -> None:
    report = _report()
    login(lagos_analyst).post(
        reverse("triage:refer", args=[report.reference]), {"partner": "KAN", "reason": "x"}
    )
    assert not Referral.objects.exists()


def test_escalation_reaches_supervisors_who_acknowledge_it(
    make_user: Callable[..., User],
) -> None:
    analyst = make_user(Role.ANALYST, ("LAG",))
    supervisor = make_user(Role.SUPERVISOR, ("LAG",))
    report = _report()
    login(analyst).post(
        reverse("triage:escalate", args=[report.reference]), {"reason": "Child at risk tonight."}
    )
    escalation = Escalation.objects.get()
    page = login(supervisor).get(reverse("triage:overdue"))
    assert list(page.context["escalations"]) == [escalation]
    ack = reverse("triage:acknowledge", args=[escalation.pk])
    login(analyst).post(ack)
    assert Escalation.objects.get().state == EscalationState.OPEN  # analysts cannot
    login(supervisor).post(ack)
    assert Escalation.objects.get().state == EscalationState.ACKNOWLEDGED
    assert not login(supervisor).get(reverse("triage:overdue")).context["escalations"]


@pytest.mark.parametrize("name", ["triage:note", "triage:refer", "triage:escalate"])
def test_report_actions_are_404_for_an_outsider(
    name: str, lagos_analyst: User, kano_analyst: User
) -> None:
    report = _report()
    data = {"body": "x", "reason": "x", "partner": "NCMEC"}
    response = login(kano_analyst).post(reverse(name, args=[report.reference]), data)
    assert response.status_code == 404
    missing = login(kano_analyst).post(reverse(name, args=["TL-2026-999999"]), data)
    assert missing.status_code == 404
    assert not (ReportNote.objects.exists() or Referral.objects.exists())
    assert not Escalation.objects.exists()


def test_acknowledge_is_404_for_an_outsider(make_user: Callable[..., User]) -> None:
    analyst = make_user(Role.ANALYST, ("LAG",))
    kano_supervisor = make_user(Role.SUPERVISOR, ("KAN",))
    report = _report()
    login(analyst).post(reverse("triage:escalate", args=[report.reference]), {"reason": "x"})
    escalation = Escalation.objects.get()
    response = login(kano_supervisor).post(reverse("triage:acknowledge", args=[escalation.pk]))
    assert response.status_code == 404
    assert Escalation.objects.get().state == EscalationState.OPEN


@pytest.mark.parametrize("name", ["triage:queue", "triage:overdue"])
def test_queue_pages_need_login(name: str, geo: Any) -> None:
    from django.test import Client

    response = Client().get(reverse(name))
    assert response.status_code == 302 and "login" in response["Location"]


def test_queue_query_count_does_not_grow_with_reports(
    lagos_analyst: User, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        _report()
    client = login(lagos_analyst)
    # Besides the page's rows: the total for the pager, the filters' state and command names,
    # and the notification badge (with its scope).
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("triage:queue"))
    for _ in range(12):
        _report()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("triage:queue"))


def test_report_page_shows_shared_identifiers_and_hides_outsiders(
    make_user: Callable[..., User],
) -> None:
    analyst = make_user(Role.ANALYST, ("LAG",))
    first = _report("Call 0803 555 0199 for the job.")
    second = _report("The number +234 803 555 0199 again.")
    kano = _report("Also 08035550199.", state="KN")
    page = login(analyst).get(reverse("console:report", args=[first.reference]))
    body = page.content.decode()
    assert second.reference in body
    assert kano.reference not in body
    assert "1 report outside your commands shares it" in body


def test_report_page_query_count_is_bounded(
    lagos_analyst: User, django_assert_max_num_queries: Any
) -> None:
    report = _report("Call 0803 555 0199.")
    for _ in range(5):
        _report("Call 0803 555 0199 again.")
    client = login(lagos_analyst)
    # 34: the screening's findings with the linked reports it may name (their scope included),
    # and the travel notices' section, cost up to three queries each.
    with django_assert_max_num_queries(34):
        response = client.get(reverse("console:report", args=[report.reference]))
    assert response.status_code == 200
