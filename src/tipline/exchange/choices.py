"""Vocabularies of the exchange: partner kinds, sharing levels in order, profile sections."""

from __future__ import annotations

from django.db import models

from tipline.reports.choices import SharingLevel


class PartnerKind(models.TextChoices):
    NCMEC = "ncmec", "NCMEC"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    INTERPOL_NCB = "interpol_ncb", "INTERPOL NCB"
    NGO = "ngo", "NGO or shelter"
    PLATFORM = "platform", "Platform"


# TLP 2.0 from the widest audience to the narrowest. TLP:RED never leaves the agency, so it is
# not a level a partner can be given.
TLP_ORDER: tuple[str, ...] = (
    SharingLevel.CLEAR,
    SharingLevel.GREEN,
    SharingLevel.AMBER,
    SharingLevel.AMBER_STRICT,
    SharingLevel.RED,
)
PARTNER_LEVELS = [(level, level) for level in TLP_ORDER if level != SharingLevel.RED]


def tlp_rank(level: str) -> int:
    """Where a TLP level stands, widest first; an unknown level ranks as TLP:RED."""
    return TLP_ORDER.index(level) if level in TLP_ORDER else len(TLP_ORDER) - 1


class Section(models.TextChoices):
    """The parts of a report a redaction profile can let through. The reporter is no section:
    their identity leaves only with their recorded consent (see `packages.reporter_consented`)."""

    INCIDENT = "incident", "Incident: type, annotations, time, state and country"
    NARRATIVE = "narrative", "Narrative: description, place in words, coordinates, escalation"
    VICTIM_FIRST_NAME = "victim_first_name", "Victims' first names"
    VICTIM_AGE = "victim_age", "Victims' ages"
    VICTIM_NEEDS = "victim_needs", "Victims' needs (the notes about them)"
    VICTIM_DETAILS = "victim_details", "Victims in full: names, birth date, contacts, accounts"
    SUSPECT_IDENTIFIERS = "suspect_identifiers", "Reported persons' phones, emails, accounts, IPs"
    SUSPECTS = "suspects", "Reported persons in full: names, age, addresses, notes"
    WITNESSES = "witnesses", "Witnesses and intended recipients"
    INTERNET_DETAILS = "internet_details", "Internet details: URLs, chats, addresses"
    FILE_HASHES = "file_hashes", "Files' hashes and classifications (never content or names)"
    PRIORITY = "priority", "Priority and its reasons"


# Starting profiles by kind, which an administrator narrows or widens per partner.
DEFAULT_SECTIONS: dict[str, tuple[str, ...]] = {
    PartnerKind.NGO: (Section.VICTIM_FIRST_NAME, Section.VICTIM_AGE, Section.VICTIM_NEEDS),
    PartnerKind.NCMEC: (
        Section.INCIDENT,
        Section.SUSPECT_IDENTIFIERS,
        Section.INTERNET_DETAILS,
        Section.FILE_HASHES,
    ),
    PartnerKind.LAW_ENFORCEMENT: tuple(Section.values),
    PartnerKind.INTERPOL_NCB: tuple(Section.values),
    PartnerKind.PLATFORM: (Section.SUSPECT_IDENTIFIERS, Section.FILE_HASHES),
}


# The triage form's partner queues (geo commands of kind partner) and the partners that answer
# them: a referral asked for in triage is sent from the exchange to a partner of that kind.
QUEUE_KINDS: dict[str, str] = {
    "NCMEC": PartnerKind.NCMEC,
    "INTERPOL": PartnerKind.INTERPOL_NCB,
}


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Waiting to be delivered"
    DELIVERED = "delivered", "Delivered"
    DEAD = "dead", "Dead letter (retries used up)"


class EventType(models.TextChoices):
    REFERRAL_CREATED = "referral.created", "referral.created"
    REPORT_UPDATED = "report.updated", "report.updated"
    CASE_SHARED = "case.shared", "case.shared"
    CASE_OUTCOME = "case.outcome", "case.outcome"
    NCMEC_FORWARDED = "ncmec.forwarded", "ncmec.forwarded"
    MISSING_CHILD_ALERT = "missing_child.alert", "missing_child.alert"
    NOTICE_OUTCOME = "notice.outcome", "notice.outcome"
