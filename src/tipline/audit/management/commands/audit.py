"""`tipline audit verify`: check the audit chain; exit non-zero on any problem."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tipline.audit.models import AuditEvent
from tipline.audit.selectors import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. `verify` checks the hash chain and exits 1 when it is broken."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        problems = audit_verify()
        total = AuditEvent.objects.count()
        if not problems:
            self.stdout.write(f"audit chain intact: {total} events verified")
            return
        for problem in problems:
            self.stderr.write(f"event #{problem.seq}: {problem.problem}")
        self.stderr.write(f"audit chain BROKEN: {len(problems)} problem(s) in {total} events")
        sys.stdout.flush()
        raise CommandError("audit verification failed", returncode=1)
