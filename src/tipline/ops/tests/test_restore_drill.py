"""The restore drill of docs/deploy.md, automated: back a platform up (pg_dump and a copy of the
store), lose it, restore into a fresh database and store, and check it is whole: `tipline audit
verify` passes, every blob decrypts, and the reporters' receipt codes still work."""

from __future__ import annotations

import io
import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection
from PIL import Image

from tipline.audit.models import AuditEvent
from tipline.conftest import draft
from tipline.geo.services import geo_seed_defaults
from tipline.media.s3 import S3Store
from tipline.media.storage import EncryptedWriter, default_store
from tipline.media.tests.seaweed import BUCKET, SeaweedServer
from tipline.ops.tests.machines import Machine, database_url
from tipline.pipeline.services import pipeline_run
from tipline.reports.drafts import FileDraft
from tipline.reports.services import report_submit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the drill backs up PostgreSQL with pg_dump, as docs/deploy.md says",
    ),
]

RECEIPTS = """
import json
from tipline.reports.selectors import report_for_receipt
pairs = json.loads(%r)
print(json.dumps([report_for_receipt(reference=r, receipt_code=c) is not None for r, c in pairs]))
"""


def _reports(count: int) -> list[tuple[str, str]]:
    """Reports with pictures, processed: (reference, receipt code) of each."""
    receipts = []
    for number in range(count):
        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), (40 * number, 90, 200)).save(buffer, "PNG")
        writer = EncryptedWriter()
        writer.write(buffer.getvalue())
        blob = writer.close()
        file = FileDraft(
            md5=blob.md5,
            sha256=blob.sha256,
            size=blob.size,
            content_type="image/png",
            storage_key=blob.key,
        )
        result = report_submit(draft=draft(files=[file]))
        pipeline_run(report_id=result.report.pk)
        receipts.append((result.report.reference, result.receipt_code))
    return receipts


def _pg(*args: str) -> None:
    subprocess.run(list(args), check=True, capture_output=True, timeout=300)  # noqa: S603


def _wipe(store: S3Store) -> None:
    """The live store is lost."""
    for key in list(store.keys_older_than(float("inf"))):
        store.delete(key)


def test_a_backup_restored_into_a_fresh_database_and_store_is_whole(
    s3_settings: str, s3_server: SeaweedServer, tmp_path: Path
) -> None:
    geo_seed_defaults()
    receipts = _reports(3)
    assert AuditEvent.objects.count() >= 3
    live = default_store()
    assert isinstance(live, S3Store)
    live_url = database_url(connection.settings_dict)
    site = Machine(
        tmp_path / "live", database=live_url, store=s3_settings, endpoint=s3_server.endpoint
    )

    # Backup, as docs/deploy.md says: the database first, then the store.
    dump, copy = tmp_path / "backup" / "tipline.dump", tmp_path / "backup" / "media"
    dump.parent.mkdir()
    _pg("pg_dump", "--format=custom", "--no-owner", f"--file={dump}", live_url)
    site.tipline("storage", "migrate", "--to", copy.as_uri())
    _wipe(live)

    # Restore into a fresh database and a fresh store.
    host = connection.settings_dict
    fresh = f"tipline_restore_{os.getpid()}_{time.time_ns() % 10**6}"
    admin = ["-h", host.get("HOST") or "127.0.0.1", "-U", host.get("USER") or "postgres"]
    restored_url = live_url.rsplit("/", 1)[0] + "/" + fresh
    restored_store = f"s3://{BUCKET}/{fresh}"
    _pg("createdb", *admin, fresh)
    try:
        _pg("pg_restore", "--no-owner", f"--dbname={restored_url}", str(dump))
        restored = Machine(
            tmp_path / "restored",
            database=restored_url,
            store=restored_store,
            endpoint=s3_server.endpoint,
        )
        restored.tipline("storage", "migrate", "--from", copy.as_uri(), "--to", restored_store)
        audit = restored.tipline("audit", "verify", check=False)
        assert audit.returncode == 0, audit.stdout + audit.stderr
        blobs = restored.tipline("storage", "verify", check=False)
        assert blobs.returncode == 0, blobs.stdout + blobs.stderr
        assert "3 blob(s) checked" in blobs.stdout and "0 problem(s)" in blobs.stdout
        tried = [*receipts, (receipts[0][0], "WRONG-CODE-0000")]
        answer = restored.tipline("shell", "-c", RECEIPTS % json.dumps(tried))
        assert json.loads(answer.stdout.strip().splitlines()[-1]) == [True, True, True, False]
    finally:
        subprocess.run(["dropdb", *admin, "--if-exists", "--force", fresh], check=False)  # noqa: S603,S607
