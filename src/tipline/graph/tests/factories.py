"""Reports for graph tests, built through the real intake and pipeline. People are invented."""

from __future__ import annotations

from tipline.conftest import draft
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import PersonRole
from tipline.reports.drafts import EmailAddress, IncidentDraft, PersonDraft, Phone
from tipline.reports.models import Report
from tipline.reports.services import report_submit

SUSPECT_PHONE = "0803 555 0101"
SUSPECT_PHONE_DISPLAY = "+2348035550101"


def linked_report(
    phone: str = SUSPECT_PHONE, *, state: str = "LA", emails: tuple[str, ...] = ()
) -> Report:
    """A processed report whose reported person has `phone` (and `emails`), with a victim of 14.

    Reports given the same phone or email land in one cluster; `state` decides the command.
    """
    suspect = PersonDraft(
        role=PersonRole.REPORTED_PERSON,
        first_name="Obinna",
        last_name="Madeup",
        phones=[Phone(number=phone)],
        emails=[EmailAddress(address=e) for e in emails],
    )
    victim = PersonDraft(role=PersonRole.VICTIM, first_name="Adaeze", last_name="Invented", age=14)
    incident = IncidentDraft(type="online_enticement", description="Invented.", state_code=state)
    made = report_submit(draft=draft(incident=incident, people=[suspect, victim])).report
    pipeline_run(report_id=made.pk)
    return Report.objects.get(pk=made.pk)
