"""Partners, what each may see, what was shared with them, and the webhooks that carry it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from tipline.common.fields import EncryptedJSONField, EncryptedTextField
from tipline.exchange.choices import PARTNER_LEVELS, DeliveryState, PartnerKind
from tipline.reports.choices import SharingLevel


class Partner(models.Model):
    """An agency the platform shares with: its kind, the highest TLP level it may receive and
    its redaction profile (the report sections it may receive). Edited by administrators through
    `partner_create` / `partner_update` only."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=PartnerKind.choices)
    jurisdictions: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    # Names, emails and phones of people at the partner: personal data, so encrypted.
    contacts = EncryptedJSONField(null=True, blank=True)
    api_client = models.OneToOneField(
        "accounts.ApiClient",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partner",
    )
    max_level = models.CharField(max_length=20, choices=PARTNER_LEVELS, default=SharingLevel.GREEN)
    sections: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    webhook_url = models.URLField(max_length=500, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(max_level=SharingLevel.RED),
                name="partner_never_receives_red",
                violation_error_message="TLP:RED never leaves the agency.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WebhookSecret(models.Model):
    """A partner's signing secret (`whsec_…`). After a rotation the old one keeps signing until
    `retires_at`, so a partner can switch over without dropping a delivery."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="secrets")
    secret = EncryptedTextField()
    created_at = models.DateTimeField()
    retires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["partner_id", "-created_at"]

    def __str__(self) -> str:
        return f"secret {self.pk} of {self.partner_id}"


def _one_of(*subjects: str) -> models.Q:
    """Exactly one of the `subjects` foreign keys is set."""
    condition = models.Q()
    for subject in subjects:
        alone = models.Q(**{f"{other}__isnull": other != subject for other in subjects})
        condition |= alone
    return condition


class Share(models.Model):
    """One package sent to a partner, of a report, a case, a missing child's public alert or a
    travel notice's outcome (the sender's feedback): exactly which fields went, at what level,
    and why. A notice's outcome is sent once per outcome recorded (`notice_event`, unique per
    partner), so a retried or replayed hook sends nothing twice."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="shares")
    report = models.ForeignKey(
        "reports.Report",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchange_shares",
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchange_shares",
    )
    alert = models.ForeignKey(
        "missing.AlertMessage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchange_shares",
    )
    notice = models.ForeignKey(
        "travellers.Notice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchange_shares",
    )
    # The outcome entry of the notice's timeline this share carries (notice outcomes only).
    notice_event = models.ForeignKey(
        "travellers.NoticeEvent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    event_type = models.CharField(max_length=40)
    tlp = models.CharField(max_length=20)
    fields: models.JSONField[Any, Any] = models.JSONField(default=list)
    reason = models.TextField(blank=True)
    # The event exactly as it left (the webhook's body, and the pull feed's item): personal data,
    # so encrypted like the report it came from. Empty on shares made before the feed existed.
    body = EncryptedTextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        # The pull feed pages a partner's shares by id.
        indexes = [models.Index(fields=["partner", "id"], name="share_partner_feed")]
        constraints = [
            models.CheckConstraint(
                condition=_one_of("report", "case", "alert", "notice"),
                name="share_of_one_subject",
                violation_error_message="A share is of one report, case, alert or notice.",
            ),
            models.CheckConstraint(
                condition=models.Q(notice_event__isnull=True) | models.Q(notice__isnull=False),
                name="share_notice_event_of_a_notice",
                violation_error_message="A notice's outcome is shared as the notice's.",
            ),
            models.UniqueConstraint(
                fields=["partner", "notice_event"],
                condition=models.Q(notice_event__isnull=False),
                name="share_notice_outcome_once",
                violation_error_message="This outcome was already sent to the partner.",
            ),
        ]

    def __str__(self) -> str:
        subject = self.report_id or self.case_id or self.alert_id or self.notice_id
        return f"share of {subject} with {self.partner_id}"


class WebhookDelivery(models.Model):
    """One event to deliver to a partner's endpoint, at least once, in event-id order per
    partner. This table is the queue: the worker leases due rows from it (SKIP LOCKED)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="deliveries")
    share = models.OneToOneField(
        Share, null=True, blank=True, on_delete=models.PROTECT, related_name="delivery"
    )
    event_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=40)
    # The package as sent: personal data, so encrypted like the report it came from.
    body = EncryptedTextField()
    state = models.CharField(
        max_length=12, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["partner", "id"],
                condition=models.Q(state="pending"),
                name="webhook_delivery_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.event_id


class InboundReferral(models.Model):
    """A referral a partner sent by the API: the report it became, under the partner's own id
    for it (the idempotency key: the same id again stores nothing), with the body's digest so
    the same id with a different body is refused rather than silently dropped."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals_in")
    external_id = models.CharField(max_length=200)
    body_sha256 = models.CharField(max_length=64)
    report = models.OneToOneField(
        "reports.Report", on_delete=models.PROTECT, related_name="inbound_referral"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_id"], name="inbound_referral_once_per_partner_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.external_id}"


class Announcement(models.Model):
    """An update the platform owes its partners (an outbox row): `report.updated`,
    `case.outcome`, `missing_child.alert` or `notice.outcome`, with the ids it is about.

    Written in the transaction of the change that calls for it, so a process that dies between
    that commit and the send loses nothing: the send is tried at once after the commit, and
    otherwise by the worker's periodic job (`exchange.tasks.announcements_send_due`). The row
    is deleted in the transaction that makes the shares, so each update is sent once; a failed
    try is counted and tried again later, never dropped. Holds ids only, nothing personal.
    """

    event_type = models.CharField(max_length=40)
    arguments: models.JSONField[Any, Any] = models.JSONField()
    created_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["next_attempt_at"], name="exchange_announcement_due")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.arguments}"
