"""USSD by Africa's Talking: each callback carries the whole session's answers (`text`, joined
by `*`), and the reply is `CON <screen>` (more to come) or `END <screen>` (session over).

The session lives in the database (a worker restart loses nothing) as a `Conversation` keyed by
the network's sessionId. A session silent for longer than the network keeps one open has timed
out; the same phone dialling again within `CHANNEL_RESUME_SECONDS` is offered to continue where it
stopped. The answers decide the screen (see `flow`), so a replayed or late callback shows the
screen of its own answers and can never send a second report: the report is made under the
conversation's row lock, once.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from tipline.common.ratelimit import rate_limit_hit
from tipline.common.time import utcnow
from tipline.intake.channels import flow
from tipline.intake.channels.choices import ConversationState, PhoneChannel
from tipline.intake.channels.menus import menu_for
from tipline.intake.channels.models import ChannelSender, Conversation
from tipline.intake.channels.services import conversation_submit, sender_get_or_create

PROVIDER = "africastalking"
MAX_TEXT = 2000  # longer than any session's answers; anything beyond is not a real callback
MAX_ANSWERS = 80  # a whole report takes about 15; paging back and forth a few dozen more


@dataclass(frozen=True)
class UssdCallback:
    """The fields of Africa's Talking's USSD callback that the flow uses."""

    session_id: str
    phone: str
    text: str
    network_code: str = ""
    service_code: str = ""


def _con(screen: flow.Screen) -> str:
    return ("END " if screen.final else "CON ") + screen.text


def _end(text: str) -> str:
    return "END " + text


def _resumable(sender: ChannelSender, session_id: str) -> Conversation | None:
    since = utcnow() - timedelta(seconds=settings.CHANNEL_RESUME_SECONDS)
    recent = Conversation.objects.filter(
        sender=sender,
        channel=PhoneChannel.USSD,
        state=ConversationState.OPEN,
        updated_at__gte=since,
    ).exclude(session_id=session_id)
    # Answers are encrypted, so "nothing answered, nothing to resume" is checked here.
    return next((c for c in recent.order_by("-updated_at")[:3] if c.inputs), None)


def _open(call: UssdCallback) -> Conversation | None:
    """The session's conversation, locked; created (offering a resume) on its first callback.
    None when the sender has opened too many sessions lately."""
    # A unique key: get() asks for no ORDER BY, and the sender (its number decrypted) is loaded
    # only by the hops that need it (the first and the last).
    session = Conversation.objects.select_for_update()
    with contextlib.suppress(Conversation.DoesNotExist):
        return session.get(channel=PhoneChannel.USSD, session_id=call.session_id)
    sender = sender_get_or_create(phone=call.phone)
    if not _allowed(sender):
        return None
    now = utcnow()
    try:
        with transaction.atomic():
            return Conversation.objects.create(
                channel=PhoneChannel.USSD,
                session_id=call.session_id,
                sender=sender,
                provider=PROVIDER,
                network_code=call.network_code[:16],
                resumes=_resumable(sender, call.session_id),
                started_at=now,
                updated_at=now,
            )
    except IntegrityError:  # the same first callback twice at once
        return session.get(channel=PhoneChannel.USSD, session_id=call.session_id)


def _answers(conversation: Conversation, inputs: list[str]) -> list[str] | None:
    """The session's answers, with a resumed session's carried in front; None while the
    resume question is still open."""
    if conversation.resumes_id is None:
        return inputs
    if not inputs:
        return None
    if inputs[0] == "1" and not conversation.carried:
        carried = conversation.resumes.inputs if conversation.resumes else []
        conversation.carried = carried or []
    return [*conversation.carried, *inputs[1:]] if inputs[0] in ("1", "2") else None


def _resume_screen(conversation: Conversation, inputs: list[str]) -> str:
    previous = conversation.resumes
    menu = menu_for(previous.language if previous and previous.language else "en")
    options = "\n".join(f"{i} {label}" for i, label in enumerate(menu["resume_options"], 1))
    header = f"{menu['invalid']}\n{menu['resume']}" if inputs else menu["resume"]
    return f"CON {header}\n{options}"


def _taken_over(conversation: Conversation, answers: list[str]) -> None:
    """A resumed (or restarted) session replaces the dropped one for good."""
    previous = conversation.resumes
    if previous is not None and previous.state == ConversationState.OPEN:
        previous.state = ConversationState.ABANDONED
        previous.save(update_fields=["state"])


def _is_stale(stored: list[str], answers: list[str]) -> bool:
    """A late callback whose answers are an earlier part of what is already stored."""
    return len(answers) < len(stored) and stored[: len(answers)] == answers


def _store(conversation: Conversation, answers: list[str], language: str, carried: int) -> None:
    """Save the hop's answers (unless a late callback's are older), and only what changed:
    each encrypted field written costs an encryption."""
    fields = ["updated_at"]
    if not _is_stale(list(conversation.inputs or []), answers):
        conversation.inputs = answers
        fields.append("inputs")
    if conversation.language != language:
        conversation.language = language
        fields.append("language")
    if len(conversation.carried or []) != carried:
        fields.append("carried")
    conversation.updated_at = utcnow()
    conversation.save(update_fields=fields)


def _not_durable() -> None:
    """Let this transaction commit without waiting for the disk (PostgreSQL only).

    A hop before the last only saves answers that the network sends again, whole, with the next
    callback; losing it to a server crash (within a fraction of a second of the commit) loses
    nothing the flow needs, so it need not wait for its WAL flush, which on a busy disk was the
    largest part of the hop. The last hop, which makes the report, stays durable."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _closing(conversation: Conversation) -> str:
    report = conversation.report
    reference = report.reference if report else ""
    screen = flow.render(
        flow.Walk(flow.Position(step=flow.Step.DONE, language=conversation.language or "en")),
        receipt=(reference, conversation.receipt_code or "-"),
    )
    return _con(screen)


def _timed_out(conversation: Conversation) -> bool:
    idle = utcnow() - conversation.updated_at
    return idle > timedelta(seconds=settings.CHANNEL_USSD_SESSION_SECONDS)


def ussd_callback(call: UssdCallback) -> str:
    """The answer to one callback: `CON ...` or `END ...`, never more than 182 characters."""
    inputs = call.text.split("*") if call.text else []
    if len(call.text) > MAX_TEXT or len(inputs) > MAX_ANSWERS:
        return _end(menu_for("en")["limited"])
    with transaction.atomic():
        conversation = _open(call)
        if conversation is None:
            return _end(menu_for("en")["limited"])
        if conversation.state == ConversationState.SUBMITTED:
            return _closing(conversation)
        if conversation.state != ConversationState.OPEN or _timed_out(conversation):
            return _end(menu_for(conversation.language or "en")["timeout"])
        return _step(conversation, inputs)


def _step(conversation: Conversation, inputs: list[str]) -> str:
    carried = len(conversation.carried or [])
    answers = _answers(conversation, inputs)
    if answers is None:
        conversation.updated_at = utcnow()
        conversation.save(update_fields=["updated_at"])
        return _resume_screen(conversation, inputs)
    _taken_over(conversation, answers)
    result = flow.walk(answers, begin=flow.start(None))
    _store(conversation, answers, result.position.language, carried)
    if result.position.step is flow.Step.DONE:
        conversation_submit(conversation=conversation, answers=flow.answers_of(result.position))
        return _closing(conversation)
    _not_durable()
    return _con(flow.render(result))


def _allowed(sender: ChannelSender) -> bool:
    # Counted per session, not per callback: the network paces a session's callbacks (one per
    # key press) and MAX_ANSWERS bounds its length, so what a flooder multiplies is sessions.
    verdict = rate_limit_hit(
        key=f"ussd-session:{sender.pk}",
        limit=settings.CHANNEL_USSD_SESSIONS_PER_HOUR,
        window_seconds=3600,
    )
    return verdict.allowed
