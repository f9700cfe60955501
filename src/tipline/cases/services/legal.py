"""Writes of legal process: drafting a preservation request or production order to the holder of
an identifier, its moves (`legal_request_transition` over `LEGAL_TRANSITIONS`), the holder's
answer taken into evidence, and the templates administrators edit. Each audited, on the
timeline; the identifier itself never goes into the audit row."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from tipline.accounts.models import User
from tipline.audit.services import audit_record
from tipline.cases.choices import (
    LEGAL_TRANSITIONS,
    CaseEventKind,
    HolderKind,
    LegalRequestKind,
    LegalRequestStatus,
)
from tipline.cases.holders import holder_for
from tipline.cases.models import Case, EvidenceItem, LegalRequest, LegalTemplate
from tipline.cases.selectors import today_wat
from tipline.cases.services import _audit, _event, _touch, evidence_add_upload
from tipline.common.time import utcnow
from tipline.media.storage import StoredBlob

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLACEHOLDERS = frozenset(
    {
        "holder",
        "identifier",
        "identifier_kind",
        "case",
        "command",
        "officer",
        "date",
        "due_date",
        "legal_basis",
    }
)


def legal_template_save(
    *, template: LegalTemplate, actor: User, ip: str | None = None
) -> LegalTemplate:
    """Create or change a template (from the admin); an unknown {placeholder} is refused."""
    unknown = set(_PLACEHOLDER.findall(template.body)) - PLACEHOLDERS
    if unknown:
        raise ValidationError({"body": f"Unknown placeholders {sorted(unknown)}."})
    created = template.pk is None
    with transaction.atomic():
        template.save()
        audit_record(
            actor=actor,
            action="legal_template.created" if created else "legal_template.changed",
            object_type="legal_template",
            object_id=template.pk,
            after={"name": template.name, "kind": template.kind},
            ip=ip,
        )
    return template


def render_template(text: str, values: dict[str, str]) -> str:
    """`{name}` replaced by its value; anything else left as written (no attribute access)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def template_for(*, kind: str, holder_kind: str) -> LegalTemplate:
    """The active template for this kind and holder, else the one for any holder."""
    candidates = LegalTemplate.objects.filter(
        kind=kind, holder_kind__in=[holder_kind, HolderKind.ANY], is_active=True
    ).order_by("pk")
    found = sorted(candidates, key=lambda t: t.holder_kind != holder_kind)
    if not found:
        raise ValidationError("No template for this request: an administrator adds one.")
    return found[0]


def _values(case: Case, req: LegalRequest, template: LegalTemplate, actor: User) -> dict[str, str]:
    due = today_wat() + timedelta(days=template.days_to_respond)
    return {
        "holder": req.holder,
        "identifier": req.identifier,
        "identifier_kind": req.get_identifier_kind_display(),
        "case": case.reference,
        "command": case.command.name,
        "officer": actor.get_full_name() or actor.username,
        "date": today_wat().strftime("%d %B %Y"),
        "due_date": due.strftime("%d %B %Y"),
        "legal_basis": template.legal_basis,
    }


def legal_request_draft(
    *,
    case: Case,
    kind: str,
    identifier_kind: str,
    value: str,
    actor: User,
    holder: str = "",
    ip: str | None = None,
) -> LegalRequest:
    """Draft a request for the data behind an identifier of the case, to its holder (found
    from the identifier: telecom by network, bank by NUBAN code, platform, provider, network of
    an IP; or named by the investigator, which wins), worded by the matching template."""
    if kind not in LegalRequestKind.values:
        raise ValidationError({"kind": "A preservation request or a production order."})
    found = holder_for(identifier_kind, value)
    name = holder.strip() or found.name
    if not name:
        raise ValidationError({"holder": f"Name the holder. {found.note}".strip()})
    template = template_for(kind=kind, holder_kind=found.kind)
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()  # numbers without races
        last = case.legal_requests.order_by("-number").values_list("number", flat=True).first()
        req = LegalRequest(
            case=case,
            number=(last or 0) + 1,
            kind=kind,
            identifier_kind=identifier_kind,
            identifier=found.identifier,
            holder=name,
            holder_kind=found.kind,
            template=template,
            title=template.title,
            note=found.note,
            drafted_by=actor,
            drafted_at=utcnow(),
        )
        req.body = render_template(template.body, _values(case, req, template, actor))
        req.save()
        facts = {"request": req.label, "request_kind": kind, "holder": name}
        _audit(case, "legal_request_drafted", actor, ip, **facts)
        _event(case, CaseEventKind.LEGAL_REQUEST, actor, status="draft", **facts)
        _touch(case)
    return req


def _apply_move(req: LegalRequest, to: str, on: date, due_on: date | None, note: str) -> list[str]:
    req.status = to
    fields = ["status"]
    if to == LegalRequestStatus.SENT:
        req.sent_on = on
        req.due_on = due_on or on + timedelta(days=req.template.days_to_respond)
        fields += ["sent_on", "due_on"]
    if to == LegalRequestStatus.RESPONDED:
        req.responded_on = on
        fields.append("responded_on")
    if note.strip():
        req.note = "\n".join(n for n in (req.note, note.strip()) if n)
        fields.append("note")
    return fields


def legal_request_transition(
    *,
    request: LegalRequest,
    to: str,
    actor: User,
    on: date | None = None,
    due_on: date | None = None,
    note: str = "",
    ip: str | None = None,
) -> LegalRequest:
    """The one place a request's status changes, over `LEGAL_TRANSITIONS`. Sending records
    the date sent and the date due (the template's days to respond unless given)."""
    day = on or today_wat()
    if day > today_wat():
        raise ValidationError({"on": "Dated today or earlier."})
    with transaction.atomic():
        req = (
            LegalRequest.objects.select_for_update()
            .select_related("template", "case")
            .get(pk=request.pk)
        )
        before = req.status
        if to not in LEGAL_TRANSITIONS.get(before, frozenset()):
            raise ValidationError(f"A request cannot go from {before} to {to}.")
        if due_on and due_on < day:
            raise ValidationError({"due_on": "Due on or after the day it is sent."})
        req.save(update_fields=_apply_move(req, to, day, due_on, note))
        facts = {"request": req.label, "before": before, "status": to}
        _audit(req.case, "legal_request_moved", actor, ip, on=day.isoformat(), **facts)
        _event(req.case, CaseEventKind.LEGAL_REQUEST, actor, holder=req.holder, **facts)
        _touch(req.case)
    return req


def legal_request_add_response(
    *,
    request: LegalRequest,
    blob: StoredBlob,
    name: str,
    description: str,
    actor: User,
    ip: str | None = None,
) -> EvidenceItem:
    """A file the holder returned, taken into evidence (encrypted, hashed, custody from
    intake) and linked to the request; the first answer to a sent request moves it to
    `responded`."""
    if request.status not in {LegalRequestStatus.SENT, LegalRequestStatus.RESPONDED}:
        raise ValidationError("Only a request that was sent has an answer.")
    with transaction.atomic():
        item = evidence_add_upload(
            case=request.case,
            blob=blob,
            name=name,
            description=description or f"Returned by {request.holder} ({request.label})",
            actor=actor,
            ip=ip,
        )
        item.legal_request = request
        item.save(update_fields=["legal_request"])
        if request.status == LegalRequestStatus.SENT:
            legal_request_transition(
                request=request, to=LegalRequestStatus.RESPONDED, actor=actor, ip=ip
            )
    request.refresh_from_db()
    return item
