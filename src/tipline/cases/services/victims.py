"""Writes of a victim's HTCDS context: the `vic_*` fields, the places of their movement, and the
person fields of the standard that the matcher does not use. Each audited and on the timeline;
the audit row names the fields changed, never their values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date

import naija_data
from django.core.exceptions import ValidationError
from django.db import models, transaction

from tipline.accounts.models import User
from tipline.cases.choices import CaseEventKind, PersonRole
from tipline.cases.htcds import (
    ExploitationType,
    ForcedLabourIndustry,
    Gender,
    MethodOfControl,
    MovementStage,
    RecruitmentMethod,
    RelationshipToTrafficker,
    SexExploitationType,
    StatusDecidedBy,
    TraffickingStatus,
    Vulnerability,
    WebsiteOrApp,
)
from tipline.cases.models import CaseInvolvement, VictimContext, VictimMovement
from tipline.cases.services import _audit, _event, _touch
from tipline.common.time import utcnow
from tipline.geo.models import State


@dataclass(frozen=True)
class VictimContextInput:
    """The `vic_*` fields as a form gives them (value names of `tipline.cases.htcds`)."""

    trafficking_status: str = ""
    status_decided_by: str = ""
    relationship_to_trafficker: str = ""
    age_when_trafficked: int | None = None
    recruitment_methods: list[str] = field(default_factory=list)
    recruitment_platforms: list[str] = field(default_factory=list)
    methods_of_control: list[str] = field(default_factory=list)
    exploitation_types: list[str] = field(default_factory=list)
    forced_labour_industry: str = ""
    sex_exploitation_types: list[str] = field(default_factory=list)
    exploitation_platforms: list[str] = field(default_factory=list)
    vulnerabilities: list[str] = field(default_factory=list)
    vulnerability_details: str = ""


_SINGLE: dict[str, type[models.TextChoices]] = {
    "trafficking_status": TraffickingStatus,
    "status_decided_by": StatusDecidedBy,
    "relationship_to_trafficker": RelationshipToTrafficker,
    "forced_labour_industry": ForcedLabourIndustry,
}
_MULTI: dict[str, type[models.TextChoices]] = {
    "recruitment_methods": RecruitmentMethod,
    "recruitment_platforms": WebsiteOrApp,
    "methods_of_control": MethodOfControl,
    "exploitation_types": ExploitationType,
    "sex_exploitation_types": SexExploitationType,
    "exploitation_platforms": WebsiteOrApp,
    "vulnerabilities": Vulnerability,
}


def _clean_context(data: VictimContextInput) -> dict[str, object]:
    values = asdict(data)
    errors: dict[str, str] = {}
    for name, choices in _SINGLE.items():
        if values[name] and values[name] not in choices.values:
            errors[name] = f"Unknown value {values[name]!r}."
    for name, choices in _MULTI.items():
        unknown = set(values[name]) - set(choices.values)
        if unknown:
            errors[name] = f"Unknown values {sorted(unknown)}."
        values[name] = [v for v in choices.values if v in values[name]]  # the standard's order
    _check_consistency(data, errors)
    if errors:
        raise ValidationError(errors)
    values["vulnerability_details"] = str(values["vulnerability_details"]).strip()
    return values


def _check_consistency(data: VictimContextInput, errors: dict[str, str]) -> None:
    exploitation = set(data.exploitation_types)
    if data.forced_labour_industry and ExploitationType.FORCED_LABOUR not in exploitation:
        errors["forced_labour_industry"] = "An industry is given for forced labour only."
    if data.sex_exploitation_types and ExploitationType.SEXUAL_EXPLOITATION not in exploitation:
        errors["sex_exploitation_types"] = "Types of sexual exploitation need that exploitation."
    if data.status_decided_by and not data.trafficking_status:
        errors["status_decided_by"] = "Say the status that was decided."


def _check_victim(involvement: CaseInvolvement) -> None:
    if involvement.role != PersonRole.VICTIM:
        raise ValidationError("Victim context is recorded for a victim only.")


def victim_context_save(
    *,
    involvement: CaseInvolvement,
    data: VictimContextInput,
    actor: User,
    ip: str | None = None,
) -> VictimContext:
    """Record (or replace) a victim's HTCDS context in the case. Values are checked against
    the standard's picklists; the audit row and the timeline name the fields that changed."""
    _check_victim(involvement)
    values = _clean_context(data)
    with transaction.atomic():
        context = VictimContext.objects.select_for_update().filter(involvement=involvement).first()
        before = {name: getattr(context, name) for name in values} if context else {}
        changed = sorted(name for name, value in values.items() if before.get(name) != value)
        context = context or VictimContext(involvement=involvement)
        for name, value in values.items():
            setattr(context, name, value)
        context.updated_by, context.updated_at = actor, utcnow()
        context.save()
        case = involvement.case
        _audit(case, "victim_context", actor, ip, person=involvement.person_id, fields=changed)
        _event(case, CaseEventKind.VICTIM_CONTEXT, actor, person=involvement.person_id)
        _touch(case)
    return context


@dataclass(frozen=True)
class MovementInput:
    """One place of a victim's movement: a Nigerian state (and LGA) or another country."""

    stage: str
    country: str = "NG"
    state_code: str = ""
    lga: str = ""
    place: str = ""
    arrived_on: date | None = None
    left_on: date | None = None


def _lga_names(state_code: str) -> set[str]:
    return {lga.name.lower() for lga in naija_data.lgas(state_code)}


def _clean_movement(data: MovementInput) -> tuple[State | None, str, str]:
    if data.stage not in MovementStage.values:
        raise ValidationError({"stage": "Recruitment, transit or exploitation."})
    country = data.country.strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise ValidationError({"country": "A two-letter country code (ISO 3166), e.g. NG."})
    if data.arrived_on and data.left_on and data.left_on < data.arrived_on:
        raise ValidationError({"left_on": "Left before arriving?"})
    if not data.state_code:
        if data.lga:
            raise ValidationError({"lga": "An LGA needs its state."})
        return None, country, ""
    state = State.objects.filter(code=data.state_code.strip().upper()).first()
    if state is None or country != "NG":
        raise ValidationError({"state_code": "A Nigerian state's code, e.g. LA (country NG)."})
    lga = data.lga.strip()
    if lga and lga.lower() not in _lga_names(state.code):
        raise ValidationError({"lga": f"{lga} is not an LGA of {state.name}."})
    return state, country, lga


def victim_movement_add(
    *, involvement: CaseInvolvement, data: MovementInput, actor: User, ip: str | None = None
) -> VictimMovement:
    """Add a place of recruitment, transit or exploitation to a victim's movement."""
    _check_victim(involvement)
    state, country, lga = _clean_movement(data)
    with transaction.atomic():
        movement = VictimMovement.objects.create(
            involvement=involvement,
            stage=data.stage,
            country=country,
            state=state,
            lga=lga,
            place=data.place.strip(),
            arrived_on=data.arrived_on,
            left_on=data.left_on,
            added_by=actor,
            added_at=utcnow(),
        )
        case = involvement.case
        where = state.code if state else country
        _audit(case, "movement_added", actor, ip, person=involvement.person_id, stage=data.stage)
        _event(
            case,
            CaseEventKind.MOVEMENT,
            actor,
            person=involvement.person_id,
            stage=data.stage,
            where=where,
        )
        _touch(case)
    return movement


def victim_movement_remove(*, movement: VictimMovement, actor: User, ip: str | None = None) -> None:
    """Take back a place entered in error (the audit trail keeps that it was there)."""
    with transaction.atomic():
        case = movement.involvement.case
        person = movement.involvement.person_id
        _audit(case, "movement_removed", actor, ip, person=person, stage=movement.stage)
        movement.delete()


@dataclass(frozen=True)
class PersonDetailsInput:
    """HTCDS person fields beyond the matcher's: salutation, title, gender, citizenship, home
    phone and mailing address."""

    salutation: str = ""
    job_title: str = ""
    gender: str = ""
    citizenship: Iterable[str] = ()
    home_phone: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


def case_person_details_save(
    *,
    involvement: CaseInvolvement,
    data: PersonDetailsInput,
    actor: User,
    ip: str | None = None,
) -> None:
    """Record a case person's HTCDS person details (all encrypted; audited by field name)."""
    if data.gender and data.gender not in Gender.values:
        raise ValidationError({"gender": f"Unknown gender value {data.gender!r}."})
    codes = sorted({c.strip().upper() for c in data.citizenship if c.strip()})
    if any(len(c) != 2 or not c.isalpha() for c in codes):
        raise ValidationError({"citizenship": "Two-letter country codes (ISO 3166), e.g. NG."})
    address = {
        "street": data.street.strip(),
        "city": data.city.strip(),
        "state": data.state.strip(),
        "postal_code": data.postal_code.strip(),
        "country": data.country.strip().upper()[:2],
    }
    person = involvement.person
    person.salutation, person.job_title = data.salutation.strip(), data.job_title.strip()
    person.gender, person.citizenship = data.gender, codes
    person.home_phone = data.home_phone.strip()
    person.mailing_address = {k: v for k, v in address.items() if v}
    fields = ["salutation", "job_title", "gender", "citizenship", "home_phone", "mailing_address"]
    with transaction.atomic():
        person.save(update_fields=fields)
        case = involvement.case
        _audit(case, "person_details", actor, ip, person=person.pk, fields=fields)
        _event(case, CaseEventKind.PERSON_DETAILS, actor, person=person.pk)
