"""`tipline simulate ussd|sms|whatsapp|demo`: walk a phone channel's flow without a phone."""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tipline.intake.channels.simulate import simulate_demo, simulate_messages, simulate_ussd


class Command(BaseCommand):
    help = (
        "Walk the USSD, SMS or WhatsApp report flow from the terminal, through the same services "
        "the providers' callbacks use (replies are printed, never sent); `demo` makes one "
        "invented report by each channel."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("channel", choices=["ussd", "sms", "whatsapp", "demo"])
        parser.add_argument("--phone", default="+2348099990000", help="an invented number")
        parser.add_argument(
            "--script", default=None, help="answers separated by | instead of typing them"
        )

    def _answers(self, script: str | None) -> Iterator[str]:
        if script is not None:
            yield from script.split("|")
            return
        while True:
            try:
                yield input("> ")
            except EOFError:
                return

    def handle(self, *args: Any, **options: Any) -> None:
        channel, phone = options["channel"], options["phone"]
        say = self.stdout.write
        if channel == "demo":
            say(f"{simulate_demo(lambda _: None)} phone-channel demo reports made")
            return
        if not phone.lstrip("+").isdigit():
            raise CommandError("--phone takes digits (an invented number).")
        answers = self._answers(options["script"])
        if channel == "ussd":
            simulate_ussd(answers, phone=phone, say=say)
        else:
            say("Send REPORT (or RAHOTO, IROYIN, AKUKO, TALK), STATUS <code>, STOP, or any text.")
            simulate_messages(answers, channel=channel, phone=phone, say=say)
