"""Two machines sharing only PostgreSQL and the object store: a report with images sent to the web
server on the first is hashed, matched against a hash list and linked by the worker on the second.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from django.db import connection
from PIL import Image

from tipline.geo.services import geo_seed_defaults
from tipline.media.hashing import pdq_from_image
from tipline.media.models import FileMatch, HashList, HashListEntry, HashListVersion
from tipline.media.published import matcher_publish
from tipline.media.tests.seaweed import SeaweedServer
from tipline.ops.tests.machines import Machine, database_url, stop, wait_for
from tipline.reports.choices import ReportStatus
from tipline.reports.models import Report, ReportFile

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two machines share a PostgreSQL server; SQLite is one file on one machine",
    ),
]
PHONE = "0803 555 0199"


def _picture(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 255, size=(8, 8, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(blocks).resize((320, 240), Image.Resampling.NEAREST).save(buffer, "PNG")
    return buffer.getvalue()


def _known(picture: bytes) -> HashListEntry:
    """The picture is on a hash list: by its MD5 and by its PDQ."""
    import hashlib  # noqa: PLC0415

    hash_list = HashList.objects.create(name="Invented known images", source="test")
    pdq = pdq_from_image(Image.open(io.BytesIO(picture))).hash
    entry = HashListEntry.objects.create(
        hash_list=hash_list,
        md5=hashlib.md5(picture, usedforsecurity=False).hexdigest(),
        pdq=pdq,
        label="invented known image",
    )
    HashListVersion.bump()
    return entry


def _send(url: str, picture: bytes, name: str) -> None:
    """What a reporter's browser does: load the form, send it with a picture."""
    browser = requests.Session()
    form = browser.get(f"{url}/en/", timeout=30).text
    fields = dict(re.findall(r'name="(csrfmiddlewaretoken|submission)" value="([^"]+)"', form))
    data = {
        **fields,
        "incident_type": "online_enticement",
        "description": f"An invented man tells an invented girl to call {PHONE}.",
        "state": "LA",
    }
    files = {"attachments": (name, picture, "image/png")}
    answer = browser.post(f"{url}/en/", data=data, files=files, timeout=60)
    assert answer.status_code == 200 and answer.url.endswith("/received/"), answer.text[:500]


def _blobs_on_disk(root: Path, keys: set[str]) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and p.name in keys]


def test_a_report_sent_to_one_machine_is_hashed_matched_and_linked_on_the_other(
    s3_settings: str, s3_server: SeaweedServer, tmp_path: Path, settings: Any
) -> None:
    geo_seed_defaults()
    known, other = _picture(1), _picture(2)
    entry = _known(known)
    assert matcher_publish() == "v000001"  # the index the worker must fetch from the store
    shared = {"database": database_url(connection.settings_dict), "store": s3_settings}
    web_machine = Machine(tmp_path / "web", endpoint=s3_server.endpoint, **shared)
    worker_machine = Machine(tmp_path / "worker", endpoint=s3_server.endpoint, **shared)
    web = worker = None
    try:
        web, url = web_machine.start_web()
        _send(url, known, "first.png")
        _send(url, other, "second.png")
        worker = worker_machine.start_worker()
        done = Report.objects.filter(status=ReportStatus.AWAITING_TRIAGE)
        wait_for(lambda: done.count() == 2, what="both reports processed", process=worker)
    finally:
        stop(web, worker)
    files = ReportFile.objects.order_by("report__id")
    assert all(f.md5 and f.pdq for f in files)
    matches = FileMatch.objects.filter(entry=entry)
    assert {m.kind for m in matches} == {"md5", "pdq"}
    assert {m.file_id for m in matches} == {files[0].pk}
    first, second = Report.objects.order_by("id")
    assert first.cluster_id is not None and first.cluster_id == second.cluster_id
    keys = {f.storage_key for f in files}
    assert not _blobs_on_disk(tmp_path, keys)  # the blobs live in the store only
    cache = list((tmp_path / "worker" / "matcher-cache").glob("*/v000001"))
    assert cache, "the worker loaded the index published to the store"
