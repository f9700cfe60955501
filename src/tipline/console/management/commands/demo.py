"""`tipline demo`: seed invented demo data (demo mode only)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from tipline.console.demo import demo_seed


class Command(BaseCommand):
    help = "Seed states, commands, demo users, a demo platform client and ~300 invented reports."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--reports", type=int, default=300)

    def handle(self, *args: Any, **options: Any) -> None:
        summary = demo_seed(reports=options["reports"])
        self.stdout.write(
            f"demo data ready: {summary.users} users created, {summary.reports} reports created"
        )
