"""Walk the phone channels without a phone: the same services the providers' callbacks call.

`tipline simulate ussd|sms|whatsapp` is interactive (or takes `--script`); `tipline simulate
demo` walks one invented report through each channel for the demo (once).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable

from tipline.intake.channels.choices import DeliveryStatus
from tipline.intake.channels.conversation import Incoming, message_receive
from tipline.intake.channels.models import Conversation, OutboundMessage
from tipline.intake.channels.phones import normalize_phone, phone_index
from tipline.intake.channels.ussd import UssdCallback, ussd_callback

# Invented numbers (the 0809 999 range is not a reporter's) and answers, one report per channel.
DEMO = {
    "ussd": (
        "+2348099990001",
        ["4", "1", "1", "3", "1", "2", "2", "Invented demo report", "1", "1"],
    ),
    "sms": ("+2348099990002", ["AKUKO", "4", "2", "2", "1", "1", "Invented demo report", "1", "1"]),
    "whatsapp": ("2348099990003", ["RAHOTO", "3", "2", "1", "1", "3", "Invented demo", "2", "1"]),
}


def simulate_ussd(answers: Iterable[str], *, phone: str, say: Callable[[str], None]) -> str:
    """One USSD session: the first screen, then one callback per answer; the last reply."""
    session, given = f"sim-{secrets.token_hex(6)}", list[str]()
    reply = ussd_callback(UssdCallback(session_id=session, phone=phone, text=""))
    say(reply)
    for answer in answers:
        if reply.startswith("END "):
            break
        given.append(answer)
        reply = ussd_callback(UssdCallback(session_id=session, phone=phone, text="*".join(given)))
        say(reply)
    return reply


def _replies_to(phone: str) -> list[str]:
    """The replies queued for a number, marked sent (the simulator is their gateway)."""
    index = phone_index(normalize_phone(phone))
    queued = OutboundMessage.objects.filter(sender__phone_index=index, status=DeliveryStatus.QUEUED)
    bodies = []
    for message in queued.order_by("id"):
        options = "".join(f"\n[{key}] {label}" for key, label in message.options)
        bodies.append(message.body + options)
    queued.update(status=DeliveryStatus.SENT, provider_message_id="simulated")
    return bodies


def simulate_messages(
    answers: Iterable[str], *, channel: str, phone: str, say: Callable[[str], None]
) -> None:
    """Messages from one number, each answered as the conversation answers it."""
    provider = "whatsapp" if channel == "whatsapp" else "africastalking"
    for answer in answers:
        message_receive(
            Incoming(
                channel=channel,
                provider=provider,
                message_id=f"sim-{secrets.token_hex(8)}",
                phone=phone,
                text=answer,
            )
        )
        for body in _replies_to(phone):
            say(body)


def simulate_demo(say: Callable[[str], None]) -> int:
    """One invented report by each channel, unless the demo already has them."""
    made = 0
    for channel, (phone, answers) in DEMO.items():
        index = phone_index(normalize_phone(phone))
        if Conversation.objects.filter(sender__phone_index=index, report__isnull=False).exists():
            continue
        if channel == "ussd":
            simulate_ussd(answers, phone=phone, say=say)
        else:
            simulate_messages(answers, channel=channel, phone=phone, say=say)
        made += 1
    return made
