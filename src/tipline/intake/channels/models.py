"""What the phone channels keep: senders, conversations (USSD sessions included), messages in and
out, and media waiting to join a report. Imported by `tipline.intake.models`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from tipline.common.fields import EncryptedJSONField, EncryptedTextField
from tipline.intake.channels.choices import (
    ConversationMode,
    ConversationState,
    DeliveryStatus,
    PhoneChannel,
)


class ChannelSender(models.Model):
    """A phone number that wrote to us: its language, and whether it said STOP."""

    phone_index = models.CharField(max_length=64, unique=True)
    phone = EncryptedTextField()
    language = models.CharField(max_length=8, default="en")
    opted_out_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"sender {self.pk}"


class Conversation(models.Model):
    """One guided report over a phone channel: the answers so far and the report it became.

    A USSD session is one conversation keyed by the network's sessionId; an SMS or WhatsApp
    conversation gets an id of ours, and a sender has at most one open per channel.
    """

    channel = models.CharField(max_length=16, choices=PhoneChannel.choices)
    session_id = models.CharField(max_length=100)
    sender = models.ForeignKey(ChannelSender, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=32, blank=True)
    network_code = models.CharField(max_length=16, blank=True)
    mode = models.CharField(
        max_length=16, choices=ConversationMode.choices, default=ConversationMode.GUIDED
    )
    language = models.CharField(max_length=8, blank=True)
    state = models.CharField(
        max_length=16, choices=ConversationState.choices, default=ConversationState.OPEN
    )
    # The answers, in order (each may be free text): encrypted like the report they become.
    inputs = EncryptedJSONField(default=list)
    # A dropped USSD session this one may resume: its answers are carried when the reporter
    # chooses to continue.
    resumes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    carried = EncryptedJSONField(default=list)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    report = models.OneToOneField(
        "reports.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Shown again to a replayed final callback; wiped by the sweep once resuming is over.
    receipt_code = EncryptedTextField(blank=True, default="")
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "session_id"],
                name="one_conversation_per_session",
                violation_error_message="This session already has a conversation.",
            ),
            models.UniqueConstraint(
                fields=["channel", "sender"],
                condition=models.Q(state="open") & ~models.Q(channel="ussd"),
                name="one_open_message_conversation_per_sender",
                violation_error_message="This sender already has an open conversation.",
            ),
        ]
        indexes = [models.Index(fields=["sender", "channel", "state", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.session_id} ({self.state})"


class InboundMessage(models.Model):
    """A provider's message (or delivery) id seen once: a replay finds it and does nothing."""

    provider = models.CharField(max_length=32)
    message_id = models.CharField(max_length=200)
    channel = models.CharField(max_length=16, choices=PhoneChannel.choices)
    kind = models.CharField(max_length=16, default="text")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "message_id"],
                name="one_inbound_per_message_id",
                violation_error_message="This message was already received.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.message_id}"


class OutboundMessage(models.Model):
    """A reply or question to a reporter, sent by the worker through the channel's gateway;
    its delivery reports update `status`."""

    channel = models.CharField(max_length=16, choices=PhoneChannel.choices)
    provider = models.CharField(max_length=32)
    sender = models.ForeignKey(ChannelSender, on_delete=models.CASCADE, related_name="+")
    body = EncryptedTextField()
    options: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    provider_message_id = models.CharField(max_length=200, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    status_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["id"], condition=models.Q(status="queued"), name="outbound_due"),
            # Claims whose worker died: found by age, to be sent again (see outbox).
            models.Index(
                fields=["status_at"], condition=models.Q(status="sending"), name="outbound_sending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.sender_id} ({self.status})"


class MediaFetch(models.Model):
    """A WhatsApp message waiting its turn: a media message waiting for its file, or a later
    message of the same sender queued behind one. The webhook only records it (Meta wants a
    quick answer); the worker fetches the file through the gateway, hands the message to the
    conversation and deletes the row, all at once, each sender's rows in the order they came.
    The message id is unique, so a replayed webhook queues nothing; a worker that dies holding a
    claim lets its lease lapse."""

    message_id = models.CharField(max_length=200, unique=True)
    # The message as Meta sent it (the sender's number, the caption): encrypted.
    message = EncryptedJSONField(default=dict)
    # The sender's `phone_index` (keyed, never the number): while a row of theirs waits, their
    # next messages wait behind it, so "send" typed during a file's fetch is not read before the
    # file (which would then open a conversation of its own).
    phone_digest = models.CharField(max_length=64, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["next_attempt_at"], name="media_fetch_due"),
            models.Index(fields=["phone_digest", "id"], name="media_fetch_sender"),
        ]

    def __str__(self) -> str:
        return f"media fetch {self.message_id}"


class ChannelMedia(models.Model):
    """A file a reporter sent, already streamed into encrypted storage, waiting for its report."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="media")
    message_id = models.CharField(max_length=200)
    storage_key = models.CharField(max_length=200)
    original_name = EncryptedTextField(blank=True, default="")
    size = models.PositiveBigIntegerField()
    md5 = models.CharField(max_length=32)
    sha1 = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["conversation", "id"]

    def __str__(self) -> str:
        return f"media {self.pk} of {self.conversation_id}"


class FollowUp(models.Model):
    """A staff member's question to a reporter who agreed to be called back; the answer becomes
    an addendum of the report."""

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    sender = models.ForeignKey(ChannelSender, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=16, choices=PhoneChannel.choices)
    question = EncryptedTextField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sender", "answered_at"])]

    def __str__(self) -> str:
        return f"follow-up {self.pk} on {self.report_id}"
