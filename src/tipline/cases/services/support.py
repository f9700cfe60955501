"""Writes of referrals (outgoing and incoming, with consent), outcomes (rescue to conviction), and
the organisations administrators keep. Each audited; referrals and outcomes on the timeline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tipline.accounts.models import User
from tipline.audit.services import audit_record
from tipline.cases.choices import (
    OUTCOME_ROLE,
    CaseEventKind,
    OutcomeKind,
    PersonRole,
    ReferralDirection,
    ServiceKind,
)
from tipline.cases.htcds import OrganisationType, ReferralReason
from tipline.cases.models import CaseInvolvement, CaseOutcome, Organisation, Referral
from tipline.cases.selectors import today_wat
from tipline.cases.services import _audit, _event, _touch
from tipline.common.time import utcnow


def organisation_save(
    *, organisation: Organisation, actor: User, ip: str | None = None
) -> Organisation:
    """Create or change an organisation (from the admin), audited with its fields."""
    if organisation.kind not in OrganisationType.values:
        raise ValidationError({"kind": "Unknown organisation type."})
    unknown = set(organisation.services) - set(ServiceKind.values)
    if unknown:
        raise ValidationError({"services": f"Unknown services {sorted(unknown)}."})
    created = organisation.pk is None
    with transaction.atomic():
        organisation.save()
        audit_record(
            actor=actor,
            action="organisation.created" if created else "organisation.changed",
            object_type="organisation",
            object_id=organisation.pk,
            after={"name": organisation.name, "kind": organisation.kind},
            ip=ip,
        )
    return organisation


@dataclass(frozen=True)
class ReferralInput:
    """A referral as a form gives it (HTCDS fields named on the model)."""

    direction: str
    service: str
    organisation: Organisation
    reason: str
    referred_on: date
    consent: bool
    case_worker: str = ""
    details: str = ""
    consent_note: str = ""


def _check_referral(involvement: CaseInvolvement, data: ReferralInput) -> None:
    if involvement.role != PersonRole.VICTIM:
        raise ValidationError("Only a victim is referred.")
    if data.direction not in ReferralDirection.values:
        raise ValidationError({"direction": "Outgoing or incoming."})
    if data.service not in ServiceKind.values:
        raise ValidationError({"service": "Unknown service."})
    if data.reason not in ReferralReason.values:
        raise ValidationError({"reason": "Unknown reason for the referral."})
    if data.referred_on > today_wat():
        raise ValidationError({"referred_on": "A referral is dated today or earlier."})
    if data.direction == ReferralDirection.OUTGOING and not data.consent:
        raise ValidationError(
            {"consent": "Record the victim's (or their guardian's) consent before referring."}
        )
    if not data.organisation.is_active:
        raise ValidationError({"organisation": f"{data.organisation.name} is no longer in use."})


def referral_record(
    *, involvement: CaseInvolvement, data: ReferralInput, actor: User, ip: str | None = None
) -> Referral:
    """Record a victim's referral to or from an organisation. An outgoing one needs the
    victim's consent; the case worker, details and the note on consent are encrypted."""
    _check_referral(involvement, data)
    case = involvement.case
    with transaction.atomic():
        referral = Referral.objects.create(
            case=case,
            involvement=involvement,
            direction=data.direction,
            service=data.service,
            organisation=data.organisation,
            reason=data.reason,
            referred_on=data.referred_on,
            case_worker=data.case_worker.strip(),
            details=data.details.strip(),
            consent=data.consent,
            consent_note=data.consent_note.strip(),
            recorded_by=actor,
            recorded_at=utcnow(),
        )
        facts: dict[str, Any] = {
            "person": involvement.person_id,
            "direction": data.direction,
            "service": data.service,
            "organisation": data.organisation.name,
            "on": data.referred_on.isoformat(),
            "consent": data.consent,
        }
        _audit(case, "referral", actor, ip, referral=referral.pk, **facts)
        _event(case, CaseEventKind.REFERRAL, actor, **facts)
        _touch(case)
    return referral


@dataclass(frozen=True)
class OutcomeInput:
    """An outcome as a form gives it."""

    kind: str
    occurred_on: date
    offences: Iterable[str] = ()
    sentence: str = ""
    court: str = ""
    details: str = ""


def _check_outcome(involvement: CaseInvolvement, data: OutcomeInput, offences: list[str]) -> None:
    if data.kind not in OutcomeKind.values:
        raise ValidationError({"kind": "Unknown outcome."})
    role = OUTCOME_ROLE[data.kind]
    if involvement.role != role:
        raise ValidationError({"person": f"A {data.kind} is recorded for a {role}."})
    if data.occurred_on > today_wat():
        raise ValidationError({"occurred_on": "An outcome is dated today or earlier."})
    if data.kind == OutcomeKind.CHARGE and not offences:
        raise ValidationError({"offences": "Name the offences charged."})
    if data.kind == OutcomeKind.CONVICTION and not data.sentence.strip():
        raise ValidationError({"sentence": "A conviction records its sentence."})
    if data.kind in {OutcomeKind.CONVICTION, OutcomeKind.ACQUITTAL} and not data.court.strip():
        raise ValidationError({"court": "Name the court."})


def outcome_record(
    *, involvement: CaseInvolvement, data: OutcomeInput, actor: User, ip: str | None = None
) -> CaseOutcome:
    """Record a dated outcome for a victim or a suspect of the case, on its timeline."""
    offences = [o.strip() for o in data.offences if o.strip()]
    _check_outcome(involvement, data, offences)
    case = involvement.case
    with transaction.atomic():
        outcome = CaseOutcome.objects.create(
            case=case,
            kind=data.kind,
            occurred_on=data.occurred_on,
            involvement=involvement,
            offences=offences,
            sentence=data.sentence.strip(),
            court=data.court.strip(),
            details=data.details.strip(),
            recorded_by=actor,
            recorded_at=utcnow(),
        )
        facts: dict[str, Any] = {
            "person": involvement.person_id,
            "outcome": data.kind,
            "on": data.occurred_on.isoformat(),
            "offences": offences,
        }
        _audit(case, "outcome", actor, ip, outcome_id=outcome.pk, **facts)
        _event(case, CaseEventKind.OUTCOME, actor, outcome.sentence, **facts)
        _touch(case)
    return outcome


def htcds_export_record(
    *, actor: User, rows: int, identities: bool, scope: str, ip: str | None = None
) -> None:
    """Audit an HTCDS export: who, how many rows, whether with identities, of which cases."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="cases.htcds_exported",
            object_type="htcds_export",
            object_id=scope,
            after={"rows": rows, "identities": identities},
            ip=ip,
        )


def case_dashboard_export_record(
    *, actor: User, table: str, period: str = "all", ip: str | None = None
) -> None:
    """Audit a download of a case dashboard table, with its period."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="cases.dashboard_exported",
            object_type="case_dashboard",
            object_id=table,
            after={"period": period},
            ip=ip,
        )
