"""The HTCDS 2.0 export: one row per victim and case, with the standard's column names and its
picklist value names, for `tipline cases export-htcds` and the supervisors' console button.

Multi-select values are joined with ";" (as Salesforce, the standard's home, writes them); so
are a victim's several referrals, in date order, column by column. Identifying columns (names,
birth date, contacts, street) are left empty unless identities are asked for: the standard's
statistics need none of them, and the export is audited either way.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO

from django.db.models import Prefetch, QuerySet

from tipline.cases.choices import HTCDS_STATUS, PersonRole, ReferralDirection
from tipline.cases.htcds import MovementStage
from tipline.cases.models import Case, CaseInvolvement, Referral, VictimContext, VictimMovement

# Our own columns, before the standard's: which case and which person the row is.
KEY_COLUMNS = ["cas_CaseNumber", "prs_PersonId"]

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Row:
    """What one export row is built from."""

    involvement: CaseInvolvement
    context: VictimContext | None
    movements: list[VictimMovement]
    referrals: list[Referral]


Getter = Callable[[Row], str]


def _join(values: Iterable[object]) -> str:
    return ";".join(str(v) for v in values if v not in (None, ""))


def _person(field: str) -> Getter:
    return lambda row: str(getattr(row.involvement.person, field) or "")


def _address(key: str) -> Getter:
    return lambda row: str((row.involvement.person.mailing_address or {}).get(key, ""))


def _first_identifier(key: str) -> Getter:
    return lambda row: next(iter((row.involvement.person.identifiers or {}).get(key, [])), "")


def _context(field: str) -> Getter:
    def get(row: Row) -> str:
        value = getattr(row.context, field, "") if row.context else ""
        return _join(value) if isinstance(value, list) else str(value if value is not None else "")

    return get


def _place(movement: VictimMovement) -> str:
    where = [movement.lga, movement.state.name if movement.state else "", movement.country]
    return ", ".join(w for w in where if w)


def _places(stage: str) -> Getter:
    return lambda row: _join(_place(m) for m in row.movements if m.stage == stage)


def _movement(get: Callable[[VictimMovement], str]) -> Getter:
    return lambda row: ";".join(get(m) for m in row.movements) if row.movements else ""


def _referrals(direction: str, field: str) -> Getter:
    def get(row: Row) -> str:
        chosen = [r for r in row.referrals if r.direction == direction]
        return _join(_referral_value(r, field) for r in chosen)

    return get


def _referral_value(referral: Referral, field: str) -> str:
    if field == "organisation":
        return referral.organisation.name
    value = getattr(referral, field)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _consent(row: Row) -> str:
    """con_Consent as last recorded with a referral of this victim (empty if never asked)."""
    if not row.referrals:
        return ""
    return "true" if row.referrals[-1].consent else "false"


def _case(get: Callable[[CaseInvolvement], str]) -> Getter:
    return lambda row: get(row.involvement)


IDENTIFYING = {
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Email",
    "prs_HomePhone",
    "prs_MobilePhone",
    "prs_MailingStreet",
    "prs_MailingPostalCode",
    "cas_ReferringPrimaryCaseWorker",
    "cas_ReferredPrimaryCaseWorker",
    "vic_DetailsOfVulnerabilities",
    "cas_IncomingReferralDetails",
    "cas_OutgoingReferralDetails",
    "cas_ReasonForCaseClosure",
}
_OUT, _IN = ReferralDirection.OUTGOING, ReferralDirection.INCOMING

# The standard's columns, in its order of sections, each with how it is read.
COLUMNS: dict[str, Getter] = {
    "prs_Salutation": _person("salutation"),
    "prs_FirstName": _person("given_names"),
    "prs_SecondName": _person("family_name"),
    "prs_Birthdate": _person("date_of_birth"),
    "prs_Gender": _person("gender"),
    "prs_Citizenship": lambda row: _join(row.involvement.person.citizenship or []),
    "prs_Title": _person("job_title"),
    "prs_Email": _first_identifier("emails"),
    "prs_HomePhone": _person("home_phone"),
    "prs_MobilePhone": _first_identifier("phones"),
    "prs_MailingCity": _address("city"),
    "prs_MailingCountry": _address("country"),
    "prs_MailingState": _address("state"),
    "prs_MailingStreet": _address("street"),
    "prs_MailingPostalCode": _address("postal_code"),
    "vic_TraffickingStatus": _context("trafficking_status"),
    "vic_TraffickingStatusDecisionMakingOrg": _context("status_decided_by"),
    "vic_RelationshipToTrafficker": _context("relationship_to_trafficker"),
    "vic_AgeWhenTrafficked": _context("age_when_trafficked"),
    "vic_RecruitmentWebsitesAndApps": _context("recruitment_platforms"),
    "vic_MethodOfRecruitment": _context("recruitment_methods"),
    "vic_LocationOfRecruitment": _places(MovementStage.RECRUITMENT),
    "vic_MethodsOfControl": _context("methods_of_control"),
    "vic_TypeOfExploitation": _context("exploitation_types"),
    "vic_ForcedLabourIndustry": _context("forced_labour_industry"),
    "vic_TypeOfSexExploitation": _context("sex_exploitation_types"),
    "vic_LocationOfExploitation": _places(MovementStage.EXPLOITATION),
    "vic_ExploitationWebsitesAndApps": _context("exploitation_platforms"),
    "vic_Vulnerabilities": _context("vulnerabilities"),
    "vic_DetailsOfVulnerabilities": _context("vulnerability_details"),
    # The victim's movement, one value a place in the order reached (recruitment, transit and
    # exploitation alike), aligned across the four columns.
    "hte_Type": _movement(lambda m: m.stage),
    "hte_Country": _movement(lambda m: m.country),
    "hte_State": _movement(lambda m: m.state.name if m.state else ""),
    "hte_Date": _movement(lambda m: m.arrived_on.isoformat() if m.arrived_on else ""),
    "cas_Status": _case(lambda inv: HTCDS_STATUS[inv.case.status]),
    "cas_ReasonForCaseClosure": _case(lambda inv: inv.case.closure_reason),
    "cas_CaseOwner": _case(lambda inv: inv.case.lead.username),
    "cas_ReferringOrganisation": _referrals(_IN, "organisation"),
    "cas_IncomingReferralDate": _referrals(_IN, "referred_on"),
    "cas_ReferringPrimaryCaseWorker": _referrals(_IN, "case_worker"),
    "cas_ReasonForIncomingReferral": _referrals(_IN, "reason"),
    "cas_IncomingReferralDetails": _referrals(_IN, "details"),
    "cas_ReferredOrganisation": _referrals(_OUT, "organisation"),
    "cas_ReferredPrimaryCaseWorker": _referrals(_OUT, "case_worker"),
    "cas_ReasonForOutgoingReferral": _referrals(_OUT, "reason"),
    "cas_OutgoingReferralDate": _referrals(_OUT, "referred_on"),
    "cas_OutgoingReferralDetails": _referrals(_OUT, "details"),
    "con_Consent": _consent,
}


def export_columns() -> list[str]:
    """The header row."""
    return [*KEY_COLUMNS, *COLUMNS]


def _victims(cases: QuerySet[Case]) -> QuerySet[CaseInvolvement]:
    referrals = Prefetch(
        "referrals",
        Referral.objects.select_related("organisation").order_by("referred_on", "pk"),
    )
    return (
        CaseInvolvement.objects.filter(case__in=cases, role=PersonRole.VICTIM)
        .select_related("case__lead", "person", "victim_context")
        .prefetch_related(
            referrals, Prefetch("movements", VictimMovement.objects.select_related("state"))
        )
        .order_by("case__reference", "pk")
    )


def _rows(cases: QuerySet[Case]) -> Iterator[Row]:
    for inv in _victims(cases).iterator(chunk_size=500):
        context = getattr(inv, "victim_context", None)
        movements = sorted(inv.movements.all(), key=lambda m: (m.arrived_on or date.max, m.pk))
        yield Row(inv, context, movements, list(inv.referrals.all()))


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def export_row(row: Row, *, identities: bool) -> list[str]:
    """One victim-and-case row, identifying cells empty unless `identities`."""
    cells = [row.involvement.case.reference, str(row.involvement.person_id)]
    for name, get in COLUMNS.items():
        cells.append(get(row) if identities or name not in IDENTIFYING else "")
    return [_safe(c) for c in cells]


def htcds_export_write(*, cases: QuerySet[Case], target: IO[str], identities: bool) -> int:
    """Write the export of `cases` (already scoped by the caller) as CSV; the number of rows."""
    writer = csv.writer(target)
    writer.writerow(export_columns())
    count = 0
    for row in _rows(cases):
        writer.writerow(export_row(row, identities=identities))
        count += 1
    return count
