"""Information added later goes through extraction, linking, indexing and priority, and whoever
holds the report is told."""

from __future__ import annotations

from django.conf import settings

from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.conftest import draft
from tipline.identifiers.models import ReportIdentifier
from tipline.pipeline.models import StepRun
from tipline.pipeline.services import pipeline_process_due, pipeline_process_reruns, pipeline_run
from tipline.reports.choices import Channel, PersonRole, ReportStatus
from tipline.reports.drafts import PersonDraft, Phone
from tipline.reports.models import Report
from tipline.reports.services import report_add_addendum, report_submit
from tipline.triage.models import Notification
from tipline.triage.services import report_assign, report_change_priority

NEW_PHONE = "0803 987 6543"


def _phones(report: Report) -> set[str]:
    links = ReportIdentifier.objects.filter(report=report, identifier__kind="phone")
    return {link.identifier.display for link in links.select_related("identifier")}


def _other_report_with_the_phone() -> Report:
    suspect = PersonDraft(role=PersonRole.REPORTED_PERSON, phones=[Phone(number=NEW_PHONE)])
    submitted = report_submit(draft=draft(people=[suspect]))
    pipeline_run(report_id=submitted.report.pk)
    return Report.objects.get(pk=submitted.report.pk)


def test_addendum_phone_is_extracted_linked_and_the_assigned_analyst_told(
    lagos_report: Report, lagos_analyst: User, kano_analyst: User
) -> None:
    other = _other_report_with_the_phone()
    report_assign(report=lagos_report, assignee=lagos_analyst, actor=lagos_analyst)
    before = set(Notification.objects.values_list("pk", flat=True))
    report_add_addendum(
        report=lagos_report, body=f"He also calls from {NEW_PHONE}.", channel=Channel.WEB
    )
    assert Report.objects.get(pk=lagos_report.pk).pipeline_rerun_at is not None
    assert pipeline_process_due(size=10) == {}  # past the pipeline: not new work
    pipeline_process_reruns()
    report = Report.objects.get(pk=lagos_report.pk)
    assert any(phone.endswith("987 6543") or "8039876543" in phone for phone in _phones(report))
    assert report.cluster_id is not None
    assert report.cluster_id == Report.objects.get(pk=other.pk).cluster_id
    assert report.status == ReportStatus.ASSIGNED and report.pipeline_rerun_at is None
    assert StepRun.objects.get(report=report, step="extract").attempts == 2
    told = Notification.objects.exclude(pk__in=before)
    assert [(n.recipient_id, n.kind) for n in told] == [(lagos_analyst.pk, "updated")]
    assert report.reference in told.get().text and NEW_PHONE not in told.get().text
    assert not Notification.objects.filter(recipient=kano_analyst).exists()


def test_addendum_to_an_unassigned_report_tells_its_command_queue(
    lagos_report: Report, lagos_analyst: User, kano_analyst: User
) -> None:
    report_add_addendum(report=lagos_report, body="More invented detail.", channel=Channel.SMS)
    pipeline_process_reruns()
    told = Notification.objects.filter(report=lagos_report, kind="updated")
    assert list(told.values_list("recipient_id", flat=True)) == [lagos_analyst.pk]
    assert not Notification.objects.filter(recipient=kano_analyst).exists()


def test_a_rerun_is_claimed_once(lagos_report: Report, lagos_analyst: User) -> None:
    report_add_addendum(report=lagos_report, body="Invented detail.", channel=Channel.WEB)
    first = pipeline_process_reruns()
    assert list(first) == [lagos_report.pk] and first[lagos_report.pk].done
    assert pipeline_process_reruns() == {}
    assert Notification.objects.filter(report=lagos_report, kind="updated").count() == 1


def test_the_worker_takes_reruns_in_on_a_timer() -> None:
    jobs = dict(settings.PERIODIC_JOBS)
    assert 0 < jobs["tipline.pipeline.services.pipeline_process_reruns"] <= 60


def test_a_priority_set_by_hand_survives_a_rerun(lagos_report: Report, lagos_analyst: User) -> None:
    computed = lagos_report.priority
    report_change_priority(
        report=lagos_report,
        priority="P4",
        reason="Invented: known hoax sender.",
        actor=lagos_analyst,
    )
    report_add_addendum(report=lagos_report, body="Invented detail.", channel=Channel.WEB)
    pipeline_process_reruns()
    report = Report.objects.get(pk=lagos_report.pk)
    assert computed < "P4"  # the rules alone would have put it back up
    assert (report.priority, report.priority_set_by) == ("P4", lagos_analyst)
    assert report.priority_by_rules == computed
    assert report.priority_reasons[0].startswith(f"Set to P4 by {lagos_analyst.username}")


def test_a_rerun_raises_a_hand_set_priority_when_the_report_turns_urgent(
    lagos_report: Report, lagos_analyst: User
) -> None:
    report_change_priority(
        report=lagos_report, priority="P4", reason="Invented: nothing new.", actor=lagos_analyst
    )
    report_add_addendum(
        report=lagos_report, body="He is still abusing her every night.", channel=Channel.WEB
    )
    pipeline_process_reruns()
    report = Report.objects.get(pk=lagos_report.pk)
    assert (report.priority, report.priority_set_by) == ("P1", None)
    assert report.priority_reasons[0] == "Raised from P4, set by hand, by the rules below."
    assert any("still happening" in reason for reason in report.priority_reasons[1:])
    events = AuditEvent.objects.filter(object_id=str(report.pk), action="report.prioritised")
    assert [e.after["priority"] for e in events.order_by("seq")][-2:] == ["P4", "P1"]
