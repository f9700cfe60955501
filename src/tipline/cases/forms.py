"""Case forms. They parse; the services decide (scope, team, the transition table)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django import forms
from django.db import models

from tipline.cases.choices import (
    CaseStatus,
    CourtOutcome,
    CustodyAction,
    EvidenceKind,
    IdentifierKind,
    LegalRequestKind,
    LegalRequestStatus,
    OutcomeKind,
    PersonRole,
    ReferralDirection,
    ServiceKind,
    SuspectRole,
)
from tipline.cases.htcds import (
    ExploitationType,
    ForcedLabourIndustry,
    Gender,
    MethodOfControl,
    MovementStage,
    RecruitmentMethod,
    ReferralReason,
    RelationshipToTrafficker,
    SexExploitationType,
    StatusDecidedBy,
    TraffickingStatus,
    Vulnerability,
    WebsiteOrApp,
)
from tipline.people.person import PersonFields


def split_words(text: str) -> list[str]:
    """References or usernames typed with commas, spaces or new lines between them."""
    return [w for w in re.split(r"[\s,;]+", text.strip()) if w]


class CaseOpenForm(forms.Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    command = forms.CharField(max_length=16, help_text="The command's code, e.g. LAG.")
    lead = forms.CharField(max_length=150, required=False, help_text="Username; you if empty.")
    members = forms.CharField(required=False, help_text="Usernames of the rest of the team.")
    reports = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Report references (TL-…), one or more; or leave empty.",
    )
    cluster = forms.IntegerField(required=False, min_value=1, help_text="A whole cluster.")


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=CaseStatus.choices)
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(required=False, choices=[("", "—"), *CourtOutcome.choices])


class NoteForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)


class ReferenceForm(forms.Form):
    reference = forms.CharField(max_length=20)


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150)


class TaskForm(forms.Form):
    title = forms.CharField(max_length=500)
    assignee = forms.CharField(max_length=150)
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class PersonForm(forms.Form):
    role = forms.ChoiceField(choices=PersonRole.choices)
    suspect_roles = forms.MultipleChoiceField(
        required=False, choices=SuspectRole.choices, widget=forms.CheckboxSelectMultiple
    )
    given_names = forms.CharField(required=False, max_length=200)
    family_name = forms.CharField(required=False, max_length=200)
    other_names = forms.CharField(required=False, max_length=500, help_text="Nicknames, aliases.")
    sex = forms.ChoiceField(required=False, choices=[("", "—"), ("f", "Female"), ("m", "Male")])
    date_of_birth = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    age = forms.IntegerField(required=False, min_value=0, max_value=120, help_text="A guess.")
    phones = forms.CharField(required=False, max_length=500)
    emails = forms.CharField(required=False, max_length=500)
    usernames = forms.CharField(required=False, max_length=500, help_text="platform:handle")
    documents = forms.CharField(required=False, max_length=500, help_text="kind:number")
    nationality = forms.CharField(required=False, max_length=2, help_text="ISO code, e.g. NG.")

    def person(self, today: date) -> PersonFields:
        """The cleaned form as matcher fields (the age is taken as given today)."""
        data = self.cleaned_data
        return PersonFields(
            given_names=data["given_names"],
            family_name=data["family_name"],
            other_names=tuple(n.strip() for n in data["other_names"].split(",") if n.strip()),
            sex=data["sex"],
            date_of_birth=data["date_of_birth"],
            age=data["age"],
            age_given_on=today if data["age"] is not None else None,
            phones=tuple(split_words(data["phones"])),
            emails=tuple(split_words(data["emails"])),
            usernames=tuple(split_words(data["usernames"])),
            documents=tuple(split_words(data["documents"])),
            nationality=data["nationality"].upper(),
        )


class FromReportForm(forms.Form):
    report_person = forms.IntegerField(min_value=1)
    role = forms.ChoiceField(choices=PersonRole.choices)


class DecideForm(forms.Form):
    other = forms.IntegerField(required=False, min_value=1)
    decision = forms.ChoiceField(
        choices=[("merge", "Same person"), ("apart", "Different people"), ("unmerge", "Undo")]
    )


class EvidenceUploadForm(forms.Form):
    file = forms.FileField()
    description = forms.CharField(required=False, max_length=2000)
    legal_request = forms.IntegerField(required=False, min_value=1)  # the answer to LR<n>


class PhysicalEvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k, EvidenceKind(k).label) for k in ("device", "document", "statement")]
    )
    description = forms.CharField(max_length=2000)
    holder = forms.CharField(max_length=200, help_text="Who holds it now.")


class ReportFileForm(forms.Form):
    file_id = forms.CharField(max_length=64)


class CustodyForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(a, CustodyAction(a).label) for a in CustodyAction.values if a != "intake"]
    )
    from_party = forms.CharField(required=False, max_length=200)
    to_party = forms.CharField(required=False, max_length=200)
    purpose = forms.CharField(required=False, max_length=2000)


class CaseFilterForm(forms.Form):
    command = forms.CharField(required=False, max_length=16, help_text="Code, e.g. LAG.")
    status = forms.ChoiceField(required=False, choices=[("", "any"), *CaseStatus.choices])
    lead = forms.CharField(required=False, max_length=150, help_text="Username.")
    overdue = forms.BooleanField(required=False, label="With overdue tasks")

    def clean_command(self) -> str:
        return str(self.cleaned_data["command"]).strip().upper()


PERIODS = [
    ("all", "All time"),
    ("30", "Last 30 days"),
    ("90", "Last 90 days"),
    ("365", "Last 365 days"),
]


class DashboardPeriodForm(forms.Form):
    """The case dashboard's period: the last 30, 90 or 365 days (WAT, today included) or all
    time, the default."""

    period = forms.ChoiceField(required=False, choices=PERIODS)

    def since(self, today: date) -> date | None:
        """The first day counted, or None for all time."""
        period = self.cleaned_data.get("period") or "all"
        return None if period == "all" else today - timedelta(days=int(period) - 1)


def _multi(choices: type[models.TextChoices], label: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        required=False, label=label, choices=choices.choices, widget=forms.CheckboxSelectMultiple
    )


def _single(choices: type[models.TextChoices], label: str) -> forms.ChoiceField:
    return forms.ChoiceField(required=False, label=label, choices=[("", "—"), *choices.choices])


class VictimContextForm(forms.Form):
    """HTCDS 2.0 victim context; labels name the standard's fields."""

    trafficking_status = _single(TraffickingStatus, "Trafficking status (vic_TraffickingStatus)")
    status_decided_by = _single(StatusDecidedBy, "Status decided by")
    relationship_to_trafficker = _single(RelationshipToTrafficker, "Relationship to trafficker")
    age_when_trafficked = forms.IntegerField(required=False, min_value=0, max_value=120)
    recruitment_methods = _multi(RecruitmentMethod, "Methods of recruitment")
    recruitment_platforms = _multi(WebsiteOrApp, "Recruitment websites and apps")
    methods_of_control = _multi(MethodOfControl, "Methods of control")
    exploitation_types = _multi(ExploitationType, "Types of exploitation")
    forced_labour_industry = _single(ForcedLabourIndustry, "Forced labour industry (ISIC)")
    sex_exploitation_types = _multi(SexExploitationType, "Types of sexual exploitation")
    exploitation_platforms = _multi(WebsiteOrApp, "Exploitation websites and apps")
    vulnerabilities = _multi(Vulnerability, "Vulnerabilities")
    vulnerability_details = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MovementForm(forms.Form):
    stage = forms.ChoiceField(choices=MovementStage.choices)
    country = forms.CharField(max_length=2, initial="NG", help_text="ISO code; NG for Nigeria.")
    state_code = forms.CharField(required=False, max_length=2, help_text="State code, e.g. LA.")
    lga = forms.CharField(required=False, max_length=80, label="LGA")
    place = forms.CharField(required=False, max_length=500, help_text="Town, venue (encrypted).")
    arrived_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    left_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class PersonDetailsForm(forms.Form):
    """HTCDS person fields the matcher does not use (all encrypted)."""

    salutation = forms.CharField(required=False, max_length=40)
    job_title = forms.CharField(required=False, max_length=200, label="Title (position)")
    gender = _single(Gender, "Gender (prs_Gender)")
    citizenship = forms.CharField(required=False, max_length=100, help_text="Codes, e.g. NG GH.")
    home_phone = forms.CharField(required=False, max_length=40)
    street = forms.CharField(required=False, max_length=300, label="Mailing street")
    city = forms.CharField(required=False, max_length=100, label="Mailing city")
    state = forms.CharField(required=False, max_length=100, label="Mailing state")
    postal_code = forms.CharField(required=False, max_length=20, label="Mailing postal code")
    country = forms.CharField(required=False, max_length=2, label="Mailing country (ISO)")


class ReferralForm(forms.Form):
    """HTCDS referral fields; the organisation is the referred one (outgoing) or the referring
    one (incoming)."""

    person = forms.IntegerField(min_value=1, help_text="The victim.")
    direction = forms.ChoiceField(choices=ReferralDirection.choices)
    service = forms.ChoiceField(choices=ServiceKind.choices)
    organisation = forms.IntegerField(min_value=1)
    reason = forms.ChoiceField(choices=ReferralReason.choices)
    referred_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    case_worker = forms.CharField(required=False, max_length=200, label="Primary case worker")
    details = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    consent = forms.BooleanField(
        required=False, label="The victim (or guardian) consents (con_Consent)"
    )
    consent_note = forms.CharField(required=False, max_length=1000, label="How consent was given")


class OutcomeForm(forms.Form):
    person = forms.IntegerField(min_value=1, help_text="The victim or suspect.")
    kind = forms.ChoiceField(choices=OutcomeKind.choices)
    occurred_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    offences = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For a charge: one offence a line, e.g. TIPPEA 2015 s.13.",
    )
    sentence = forms.CharField(required=False, max_length=300)
    court = forms.CharField(required=False, max_length=200)
    details = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class LegalRequestForm(forms.Form):
    """Draft a request: an identifier found in the case (`known`) or one typed in."""

    kind = forms.ChoiceField(choices=LegalRequestKind.choices, label="Request")
    known = forms.ChoiceField(required=False, label="An identifier of the case")
    identifier_kind = forms.ChoiceField(
        required=False, choices=[("", "—"), *IdentifierKind.choices], label="Or: kind"
    )
    value = forms.CharField(
        required=False,
        max_length=300,
        label="and value",
        help_text="For an IP: 'IP PORT TIME', e.g. 102.89.1.2 40122 2026-01-31T10:00Z. "
        "For a NUBAN: 'BANKCODE:ACCOUNT'.",
    )
    holder = forms.CharField(
        required=False, max_length=200, help_text="Leave empty to use the holder found."
    )

    def __init__(
        self, *args: Any, known: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        labelled = [(f"{k}|{v}", f"{IdentifierKind(k).label}: {v}") for k, v in known or []]
        choices = [("", "—"), *labelled]
        self.fields["known"].choices = choices  # type: ignore[attr-defined]  # a ChoiceField

    def identifier(self) -> tuple[str, str]:
        """The chosen identifier as (kind, value); a typed one wins over a chosen one."""
        data = self.cleaned_data
        if data["identifier_kind"] and data["value"].strip():
            return data["identifier_kind"], data["value"].strip()
        if data["known"]:
            kind, _, value = data["known"].partition("|")
            return kind, value
        raise forms.ValidationError("Choose an identifier of the case, or type one in.")


class LegalMoveForm(forms.Form):
    to = forms.ChoiceField(choices=LegalRequestStatus.choices)
    on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(required=False, max_length=2000)
