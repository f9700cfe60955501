"""The keyword conversation of SMS and WhatsApp, in the five languages.

`REPORT` (or its word in the reporter's language) starts the guided report of `flow`; `STATUS
<receipt code>` answers with the report's public status; `STOP` (in any language, and always
`STOP`) ends any conversation and opts the number out of replies; free text with no conversation
becomes a report, its text the description, once the reporter confirms it. An answer to a staff
member's follow-up question becomes an addendum of the report. Replies are queued for the worker
(see `outbox`); a provider's message id makes each delivery count once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from tipline.common import ids
from tipline.common.ratelimit import rate_limit_hit, strike, strikes
from tipline.common.time import utcnow
from tipline.intake.channels import flow
from tipline.intake.channels.choices import ConversationMode, ConversationState
from tipline.intake.channels.menus import LANGUAGES, menu_for
from tipline.intake.channels.models import ChannelMedia, ChannelSender, Conversation, FollowUp
from tipline.intake.channels.services import (
    conversation_submit,
    inbound_seen,
    reply_queue,
    sender_get_or_create,
    sender_set_language,
    sender_set_opt_out,
)
from tipline.media.sniff import sniff
from tipline.media.storage import StoredBlob
from tipline.reports.models import Report
from tipline.reports.services import report_add_addendum

STATUS_GROUPS = {
    "received": "received",
    "processing": "received",
    "awaiting_triage": "reviewing",
    "assigned": "handled",
    "case_opened": "handled",
    "referred": "handled",
    "closed": "closed",
}
STATUS_STRIKES = 5  # wrong receipt codes before STATUS stops answering for a while
FOLLOW_UP_DAYS = 14


@dataclass(frozen=True)
class Incoming:
    """One message from a reporter, whatever the provider."""

    channel: str
    provider: str
    message_id: str
    phone: str
    text: str = ""
    kind: str = "text"
    latitude: float | None = None
    longitude: float | None = None
    media_type: str = ""  # what the provider said the file is (the bytes are sniffed too)
    file_name: str = ""


@dataclass(frozen=True)
class Keyword:
    kind: str
    language: str
    rest: str


def keyword_of(text: str) -> Keyword | None:
    """The keyword a message starts with, in whichever language has it (English first)."""
    words = text.strip().split(maxsplit=1)
    if not words:
        return None
    first = words[0].upper().strip(".,!?:;")
    rest = words[1].strip() if len(words) > 1 else ""
    for code in LANGUAGES:
        for kind in ("stop", "report", "status"):
            if first in menu_for(code)["keywords"][kind]:
                return Keyword(kind, code, rest)
    return None


def _is_yes(text: str, language: str) -> bool:
    word = text.strip().upper().strip(".,!")
    return word == "1" or any(word in menu_for(c)["keywords"]["yes"] for c in LANGUAGES)


class _Replies:
    """The replies one message earns, queued in its transaction."""

    def __init__(self, message: Incoming, sender: ChannelSender) -> None:
        self.message, self.sender = message, sender

    def say(
        self, body: str, options: tuple[tuple[str, str], ...] = (), force: bool = False
    ) -> None:
        whatsapp = self.message.channel == "whatsapp"  # an SMS's options are in its text
        reply_queue(
            sender=self.sender,
            channel=self.message.channel,
            provider=self.message.provider,
            body=body,
            options=options if whatsapp else (),
            force=force,
        )

    def screen(self, screen: flow.Screen) -> None:
        if self.message.channel == "whatsapp" and screen.options:
            self.say(screen.prompt, screen.options)
        else:
            self.say(screen.text)


def message_receive(message: Incoming, *, blob: StoredBlob | None = None) -> bool:
    """Handle one message once; False for a replay (nothing done, nothing replied).

    `blob` is a media file the caller already streamed into encrypted storage."""
    with transaction.atomic():
        if not inbound_seen(
            provider=message.provider,
            message_id=message.message_id,
            channel=message.channel,
            kind=message.kind,
        ):
            return False
        sender = sender_get_or_create(phone=message.phone)
        replies = _Replies(message, sender)
        if not _within_rate(sender, replies):
            return True
        _dispatch(message, sender, replies, blob)
    return True


def _within_rate(sender: ChannelSender, replies: _Replies) -> bool:
    verdict = rate_limit_hit(
        key=f"messages:{sender.pk}", limit=settings.CHANNEL_RATE_PER_HOUR, window_seconds=3600
    )
    if not verdict.allowed and strikes(key=f"limited-told:{sender.pk}") == 0:
        strike(key=f"limited-told:{sender.pk}", ttl_seconds=verdict.retry_after)
        replies.say(menu_for(sender.language)["limited"])  # said once per window
    return verdict.allowed


def _open_conversation(sender: ChannelSender, channel: str) -> Conversation | None:
    return (
        Conversation.objects.select_for_update()
        .filter(sender=sender, channel=channel, state=ConversationState.OPEN)
        .first()
    )


def _dispatch(
    message: Incoming, sender: ChannelSender, replies: _Replies, blob: StoredBlob | None
) -> None:
    keyword = keyword_of(message.text) if message.kind == "text" else None
    if keyword is not None and keyword.kind == "stop":
        return _stop(message, sender, replies, keyword)
    if keyword is not None and keyword.kind == "report":
        return _start(message, sender, replies, keyword.language)
    if keyword is not None and keyword.kind == "status":
        return _status(sender, replies, keyword)
    if sender.opted_out_at is not None:
        return None  # they said STOP: nothing but a keyword gets an answer
    conversation = _open_conversation(sender, message.channel)
    if (
        conversation is None
        and message.kind == "text"
        and _answer_follow_up(message, sender, replies)
    ):
        return None
    if conversation is None and message.kind == "unsupported":
        replies.say(menu_for(sender.language)["sms"]["help"])
        return None
    if conversation is None:
        conversation = _new(message, sender, sender.language, ConversationMode.FREE_TEXT)
        _attach(conversation, message, blob)
        return _ask_confirmation(message, conversation, replies)
    _attach(conversation, message, blob)
    return _continue(message, conversation, replies)


def _stop(message: Incoming, sender: ChannelSender, replies: _Replies, keyword: Keyword) -> None:
    Conversation.objects.filter(sender=sender, state=ConversationState.OPEN).update(
        state=ConversationState.ABANDONED, updated_at=utcnow()
    )
    language = keyword.language if keyword.language != "en" else sender.language
    if sender.opted_out_at is None:
        replies.say(menu_for(language)["sms"]["stopped"], force=True)  # the last word they get
        sender_set_opt_out(sender=sender, opted_out=True, channel=message.channel)


def _new(message: Incoming, sender: ChannelSender, language: str, mode: str) -> Conversation:
    now = utcnow()
    try:
        with transaction.atomic():
            return Conversation.objects.create(
                channel=message.channel,
                session_id=secrets.token_hex(12),
                sender=sender,
                provider=message.provider,
                mode=mode,
                language=language,
                started_at=now,
                updated_at=now,
            )
    except IntegrityError:  # one open per sender: a concurrent message opened it
        found = _open_conversation(sender, message.channel)
        if found is None:
            raise
        return found


def _start(message: Incoming, sender: ChannelSender, replies: _Replies, language: str) -> None:
    if sender.opted_out_at is not None:
        sender_set_opt_out(sender=sender, opted_out=False, channel=message.channel)
    sender_set_language(sender=sender, language=language)
    Conversation.objects.filter(
        sender=sender, channel=message.channel, state=ConversationState.OPEN
    ).update(state=ConversationState.ABANDONED, updated_at=utcnow())
    _new(message, sender, language, ConversationMode.GUIDED)
    replies.screen(flow.render(flow.walk([], begin=flow.start(language))))


def receipt_report(code: str) -> Report | None:
    """The report a receipt code belongs to (only the code's keyed hash is stored)."""
    if len(ids.normalize_receipt_code(code)) != ids.RECEIPT_GROUPS * ids.RECEIPT_GROUP_LEN:
        return None
    return Report.objects.filter(receipt_hash=ids.receipt_hash(code)).first()


def _status(sender: ChannelSender, replies: _Replies, keyword: Keyword) -> None:
    menu = menu_for(keyword.language if keyword.language != "en" else sender.language)
    key = f"status-code:{sender.pk}"
    if strikes(key=key) >= STATUS_STRIKES:
        replies.say(menu["limited"])
        return
    report = receipt_report(keyword.rest)
    if report is None:
        strike(key=key, ttl_seconds=3600)
        replies.say(menu["sms"]["status_unknown"])
        return
    words = menu["statuses"][STATUS_GROUPS.get(report.status, "reviewing")]
    replies.say(menu["sms"]["status"].format(reference=report.reference, status=words))


def _answer_follow_up(message: Incoming, sender: ChannelSender, replies: _Replies) -> bool:
    since = utcnow() - timedelta(days=FOLLOW_UP_DAYS)
    pending = (
        FollowUp.objects.select_for_update()
        .filter(sender=sender, answered_at__isnull=True, asked_at__gte=since)
        .select_related("report")
        .order_by("-asked_at")
        .first()
    )
    if pending is None or not message.text.strip():
        return False
    report_add_addendum(report=pending.report, body=message.text, channel=message.channel)
    pending.answered_at = utcnow()
    pending.save(update_fields=["answered_at"])
    menu = menu_for(sender.language)
    replies.say(menu["sms"]["answer_saved"].format(reference=pending.report.reference))
    return True


def _attach(conversation: Conversation, message: Incoming, blob: StoredBlob | None) -> None:
    """Keep a media file or a location for the report the conversation becomes."""
    if blob is not None:
        ChannelMedia.objects.create(
            conversation=conversation,
            message_id=message.message_id[:200],
            storage_key=blob.key,
            original_name=message.file_name[:500],
            size=blob.size,
            md5=blob.md5,
            sha1=blob.sha1,
            sha256=blob.sha256,
            content_type=(sniff(blob.head) or message.media_type)[:100],
            created_at=utcnow(),
        )
    if message.latitude is not None and message.longitude is not None:
        conversation.latitude, conversation.longitude = message.latitude, message.longitude
        conversation.save(update_fields=["latitude", "longitude"])


def _ask_confirmation(message: Incoming, conversation: Conversation, replies: _Replies) -> None:
    if message.kind == "text":
        conversation.inputs = [message.text.strip()]
        conversation.save(update_fields=["inputs"])
    menu = menu_for(conversation.language or "en")
    replies.say(menu["sms"]["free_text"], ((menu["keywords"]["yes"][0], menu["yes"]),))


def _continue(message: Incoming, conversation: Conversation, replies: _Replies) -> None:
    menu = menu_for(conversation.language or "en")
    if message.kind == "unsupported":
        replies.say(menu["sms"]["help"])
        return None
    if message.kind != "text":
        saved = "location_saved" if message.kind == "location" else "file_saved"
        replies.say(menu["sms"][saved])
        return None
    if conversation.mode == ConversationMode.FREE_TEXT:
        if _is_yes(message.text, conversation.language):
            text = " ".join(conversation.inputs or [])
            return _submit(conversation, {"description": text}, replies)
        conversation.inputs = [*(conversation.inputs or []), message.text.strip()]
        conversation.updated_at = utcnow()
        conversation.save(update_fields=["inputs", "updated_at"])
        return _ask_confirmation_again(conversation, replies)
    answers = [*(conversation.inputs or []), message.text]
    result = flow.walk(answers, begin=flow.start(conversation.language or "en"))
    conversation.inputs, conversation.updated_at = answers, utcnow()
    conversation.save(update_fields=["inputs", "updated_at"])
    if result.position.step is flow.Step.DONE:
        return _submit(conversation, flow.answers_of(result.position), replies)
    replies.screen(flow.render(result))
    return None


def _ask_confirmation_again(conversation: Conversation, replies: _Replies) -> None:
    menu = menu_for(conversation.language or "en")
    replies.say(menu["sms"]["free_text"], ((menu["keywords"]["yes"][0], menu["yes"]),))


def _submit(conversation: Conversation, answers: dict[str, str], replies: _Replies) -> None:
    result = conversation_submit(conversation=conversation, answers=answers)
    screen = flow.render(
        flow.Walk(flow.Position(step=flow.Step.DONE, language=conversation.language or "en")),
        receipt=(result.report.reference, result.receipt_code),
    )
    replies.say(screen.text)
