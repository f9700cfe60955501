"""`tipline storage migrate --to s3://BUCKET/PREFIX` and `tipline storage verify`.

Moving media to object storage, with the platform running::

    tipline storage migrate --to s3://tipline-media/prod     # copies and verifies; rerun resumes
    # stop the web servers and workers, then copy what arrived meanwhile:
    tipline storage migrate --to s3://tipline-media/prod
    # set TIPLINE_MEDIA_STORE=s3://tipline-media/prod everywhere, start them again, then:
    tipline storage verify
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.media.blobs import MigrateResult, journal_path, storage_migrate, storage_verify
from tipline.media.storage import StorageError, default_store, store_from_url


class Command(BaseCommand):
    help = "Copy every blob to another store (verified, resumable), or verify the blobs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        migrate = sub.add_parser("migrate", help="copy every blob, verifying each copy")
        migrate.add_argument("--to", required=True, help="s3://BUCKET/PREFIX or file:///PATH")
        migrate.add_argument("--from", dest="source", help="default: the configured store")
        verify = sub.add_parser("verify", help="every blob a record names exists and decrypts")
        verify.add_argument("--store", help="default: the configured store")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "migrate":
                self._migrate(options["source"], options["to"])
            else:
                self._verify(options["store"])
        except StorageError as exc:
            raise CommandError(str(exc)) from exc

    def _migrate(self, source_url: str | None, target_url: str) -> None:
        source = store_from_url(source_url) if source_url else default_store()
        target = store_from_url(target_url)
        if source.describe() == target.describe():
            raise CommandError("The source and the target are the same store.")
        self.stdout.write(f"Copying {source.describe()} -> {target.describe()}")
        result = storage_migrate(source=source, target=target, progress=self._progress)
        self.stdout.write(
            f"{result.copied} copied and verified now, {result.already} already copied, "
            f"{len(result.failed)} failed (journal {journal_path(target)})."
        )
        if result.failed:
            raise CommandError("Copies that did not verify: " + " ".join(result.failed[:20]))
        self.stdout.write(
            f"Every blob is in {target.describe()}. Once the web servers and workers are stopped "
            f"and a last run copies nothing new, set TIPLINE_MEDIA_STORE={target_url} and start "
            "them again."
        )

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
