"""Vocabularies of triage: referral and escalation states."""

from django.db import models


class ReferralState(models.TextChoices):
    PENDING = "pending", "Pending (recorded, not yet sent)"
    SENT = "sent", "Sent"
    WITHDRAWN = "withdrawn", "Withdrawn"


class EscalationState(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
