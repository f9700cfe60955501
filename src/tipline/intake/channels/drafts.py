"""From a phone conversation's answers to a `ReportDraft`: the one mapping all three channels
share, so a report by USSD, SMS or WhatsApp reads the same in the console."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tipline.intake.channels import places
from tipline.reports.choices import IncidentType, PersonRole
from tipline.reports.drafts import FileDraft, IncidentDraft, PersonDraft, Phone, ReportDraft

WHEN_WORDS = {
    "ongoing": "now, still going on",
    "today": "today",
    "this_week": "this week",
    "this_month": "this month",
    "earlier": "earlier than this month",
}
AGE_WORDS = {"under_6": "under 6", "6_12": "6 to 12", "13_17": "13 to 17", "unknown": "not known"}
# A free-text report has no incident type chosen: the most common public type, for triage to fix.
FREE_TEXT_TYPE = IncidentType.ONLINE_ENTICEMENT


@dataclass
class PhoneReport:
    """What a conversation gathered, channel-neutral."""

    channel: str
    language: str
    phone: str
    answers: dict[str, str]
    provider: str = ""
    network_code: str = ""
    files: list[FileDraft] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None


def _incident_type(answers: dict[str, str]) -> str:
    chosen = answers.get("incident") or FREE_TEXT_TYPE
    if chosen == IncidentType.CHILD_SEX_TRAFFICKING and answers.get("at_risk") == "adult":
        return IncidentType.SEX_TRAFFICKING_ADULT
    return chosen


def _location(answers: dict[str, str]) -> str:
    lga = f"{answers['lga']} LGA" if answers.get("lga") else ""
    parts = [answers.get("place", ""), lga, places.state_name(answers.get("state", ""))]
    return ", ".join(p for p in parts if p)


def _people(report: PhoneReport) -> list[PersonDraft]:
    answers = report.answers
    people: list[PersonDraft] = []
    if answers.get("at_risk") == "child":
        age = AGE_WORDS.get(answers.get("age", ""), "not known")
        people.append(PersonDraft(role=PersonRole.VICTIM, notes=f"A child, age {age}."))
    consent = answers.get("callback") == "y"
    # The number is always kept (it links reports); staff see it only with the reporter's consent
    # (reporter_anonymous), and partners never receive the reporter.
    note = "Agreed to be called back." if consent else "Did not agree to be called back."
    people.append(
        PersonDraft(
            role=PersonRole.REPORTER,
            phones=[Phone(number=report.phone)],
            notes=f"Reported by {report.channel}. {note}",
        )
    )
    return people


def phone_draft(report: PhoneReport) -> ReportDraft:
    """The draft of a phone report."""
    answers = report.answers
    incident = IncidentDraft(
        type=_incident_type(answers),
        description=answers.get("description", ""),
        occurred_at_text=WHEN_WORDS.get(answers.get("when", "")) or None,
        location_text=_location(answers) or None,
        state_code=answers.get("state") or None,
        latitude=report.latitude,
        longitude=report.longitude,
    )
    raw: dict[str, Any] = {
        "answers": answers,
        "provider": report.provider,
        "network_code": report.network_code,
    }
    return ReportDraft(
        channel=report.channel,
        language=report.language,
        incident=incident,
        people=_people(report),
        files=report.files,
        reporter_anonymous=answers.get("callback") != "y",
        raw_record=json.dumps(raw, ensure_ascii=False, sort_keys=True),
        raw_content_type="application/x-tipline-conversation+json",
        extra={"channel": {"provider": report.provider, "network_code": report.network_code}},
    )
