"""Choices of the phone channels."""

from django.db import models


class PhoneChannel(models.TextChoices):
    USSD = "ussd", "USSD"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"


class ConversationState(models.TextChoices):
    OPEN = "open", "Open"
    SUBMITTED = "submitted", "Submitted"
    ABANDONED = "abandoned", "Abandoned"  # stopped, restarted, or taken over by a resumed one


class ConversationMode(models.TextChoices):
    GUIDED = "guided", "Guided report"
    FREE_TEXT = "free_text", "Free text awaiting confirmation"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
