"""`tipline storage migrate --to s3://BUCKET/PREFIX` and `tipline storage verify`.

Moving media to object storage, with the platform running (docs/deploy.md)::

    tipline storage migrate --to s3://tipline-media/prod --copy-only   # optional warm-up; resumes
    tipline storage migrate --to s3://tipline-media/prod   # copies what is left, verifies every
                                                           # copy, then switches the platform
    tipline storage verify

The switch is recorded in the database: every web and worker process configured with the old
store uses the new one within TIPLINE_MEDIA_STORE_RECHECK_SECONDS (reading through to the old
store what is not copied yet); the command then waits that long and copies what processes wrote
to the old store before they saw the switch.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.media.blobs import MigrateResult, journal_path, storage_migrate, storage_verify
from tipline.media.services import store_switch_record
from tipline.media.storage import (
    BlobStore,
    StorageError,
    active_store_url,
    default_store,
    store_from_url,
)


class Command(BaseCommand):
    help = (
        "Copy every blob to another store (verified, resumable) and switch the platform to it, "
        "or verify the blobs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        migrate = sub.add_parser(
            "migrate", help="copy every blob, verifying each copy, then switch to the copy"
        )
        migrate.add_argument("--to", required=True, help="s3://BUCKET/PREFIX or file:///PATH")
        migrate.add_argument(
            "--from", dest="source", help="copy from this store, no switch (default: the one used)"
        )
        migrate.add_argument(
            "--copy-only", action="store_true", help="copy and verify, do not switch (a warm-up)"
        )
        migrate.add_argument(
            "--settle",
            type=float,
            help="seconds to wait after switching before the last copy "
            "(default TIPLINE_MEDIA_STORE_RECHECK_SECONDS)",
        )
        verify = sub.add_parser("verify", help="every blob a record names exists and decrypts")
        verify.add_argument("--store", help="default: the store in use")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "migrate":
                self._migrate(options)
            else:
                self._verify(options["store"])
        except StorageError as exc:
            raise CommandError(str(exc)) from exc

    def _migrate(self, options: dict[str, Any]) -> None:
        in_use = active_store_url()
        source = store_from_url(options["source"] or in_use)
        target = store_from_url(options["to"])
        if source.describe() == target.describe():
            raise CommandError("The source and the target are the same store.")
        self.stdout.write(f"Copying {source.describe()} -> {target.describe()}")
        result = self._copy(source, target)
        if options["copy_only"] or source.describe() != in_use:
            why = "--copy-only" if options["copy_only"] else f"the store in use is {in_use}"
            self.stdout.write(f"Every blob is in {target.describe()}; not switched ({why}).")
            return
        blobs = result.copied + result.already
        store_switch_record(source=in_use, target=target.describe(), blobs=blobs, actor=None)
        settle = options["settle"]
        settle = settings.MEDIA_STORE_RECHECK_SECONDS + 1 if settle is None else settle
        self.stdout.write(
            f"Switched: media is in {target.describe()} now. Waiting {settle:g} s for every "
            "process to see the switch, then copying what they wrote meanwhile."
        )
        time.sleep(settle)
        self._copy(source, target)
        self.stdout.write(
            f"Done. Set TIPLINE_MEDIA_STORE={options['to']} in every process's environment at "
            "its next restart (the recorded switch redirects until then), then run "
            "`tipline storage verify`."
        )

    def _copy(self, source: BlobStore, target: BlobStore) -> MigrateResult:
        """One pass; a copy that does not verify stops the command before any switch."""
        result = storage_migrate(source=source, target=target, progress=self._progress)
        self.stdout.write(
            f"{result.copied} copied and verified now, {result.already} already copied, "
            f"{len(result.failed)} failed (journal {journal_path(target)})."
        )
        if result.failed:
            raise CommandError(
                "Copies that did not verify (nothing switched): " + " ".join(result.failed[:20])
            )
        return result

    def _progress(self, result: MigrateResult) -> None:
        self.stdout.write(f"  {result.copied} copied...")

    def _verify(self, store_url: str | None) -> None:
        store = store_from_url(store_url) if store_url else default_store()
        result = storage_verify(store=store)
        for problem in result.problems:
            self.stdout.write(problem)
        self.stdout.write(
            f"{result.checked} blob(s) checked in {store.describe()}, "
            f"{len(result.problems)} problem(s)."
        )
        if result.problems:
            raise CommandError(f"{len(result.problems)} blob(s) missing or not decrypting.")
