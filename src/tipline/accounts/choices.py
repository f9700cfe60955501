"""Roles and API scopes."""

from django.db import models


class Role(models.TextChoices):
    ANALYST = "analyst", "Analyst"
    INVESTIGATOR = "investigator", "Investigator"
    SUPERVISOR = "supervisor", "Supervisor"
    PARTNER_LIAISON = "partner_liaison", "Partner liaison"
    ADMINISTRATOR = "administrator", "Administrator"


class ClientKind(models.TextChoices):
    PLATFORM = "platform", "Platform (electronic service provider)"
    PARTNER = "partner", "Partner agency"


class Scope(models.TextChoices):
    REPORTS_SUBMIT = "reports:submit", "Submit reports (JSON API)"
    REPORTS_READ = "reports:read", "Read own reports' status"
    ISPWS = "ispws", "CyberTipline-compatible /ispws API"
    NOTICES_SUBMIT = "notices:submit", "Submit travel notices of sex offenders"
    NOTICES_CONFIRM = "notices:confirm", "Confirm travellers' arrivals and departures (border)"
    SCREENING = "screening", "Screen recruitment offers for trafficking indicators"
    FEED_READ = "feed:read", "Pull what is shared with the partner (exchange feed)"
    REFERRALS_SUBMIT = "referrals:submit", "Refer reports to the agency as a partner"
    MISSING_SUBMIT = "missing:submit", "Register missing children (JSON API)"


NATIONAL_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
