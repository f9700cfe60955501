"""A 200 MB upload streams through /ispws/upload with bounded server memory."""

from __future__ import annotations

import base64
import hashlib
import http.client
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tipline.accounts.choices import ClientKind, Scope
from tipline.accounts.services import api_client_create
from tipline.intake.models import IspwsFile

SIZE = 200 * 1024 * 1024
CHUNK = 1024 * 1024
BOUNDARY = "tiplineboundary7d8a9"


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


class PeakRss(threading.Thread):
    """Samples this process's resident memory while the upload runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = _rss_bytes()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.peak = max(self.peak, _rss_bytes())


def _body(report_id: str, digest: Any) -> Iterator[bytes]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="id"\r\n\r\n{report_id}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
    )
    yield head.encode()
    block = bytes(range(256)) * (CHUNK // 256)
    for i in range(SIZE // CHUNK):
        chunk = block[i % 256 :] + block[: i % 256]
        digest.update(chunk)
        yield chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def _content_length(report_id: str) -> int:
    return (
        sum(
            len(part)
            for part in _body(report_id, hashlib.md5(usedforsecurity=False))
            if len(part) < CHUNK
        )
        + SIZE
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_200_mb_upload_grows_server_memory_by_less_than_100_mb(live_server: Any, geo: Any) -> None:
    api_client_create(
        name="big",
        kind=ClientKind.PLATFORM,
        scopes=[Scope.ISPWS],
        ispws_username="big",
        ispws_password="an-invented-password",
    )
    url = urlparse(live_server.url)
    auth = "Basic " + base64.b64encode(b"big:an-invented-password").decode()
    minimal = (Path(__file__).parent / "fixtures" / "report-minimal.xml").read_bytes()
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=300)
    conn.request(
        "POST", "/ispws/submit", minimal, {"Authorization": auth, "Content-Type": "text/xml"}
    )
    report_id = re.search(rb"<reportId>(\d+)</reportId>", conn.getresponse().read())
    assert report_id is not None
    rid = report_id.group(1).decode()
    digest = hashlib.md5(usedforsecurity=False)
    sampler = PeakRss()
    baseline = _rss_bytes()
    sampler.start()
    started = time.monotonic()
    conn.request(
        "POST",
        "/ispws/upload",
        _body(rid, digest),
        {
            "Authorization": auth,
            "Content-Length": str(_content_length(rid)),
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        },
    )
    answer = conn.getresponse().read()
    sampler.done.set()
    sampler.join()
    growth = sampler.peak - baseline
    print(f"200 MB upload: {time.monotonic() - started:.1f} s, RSS growth {growth / 2**20:.1f} MB")
    assert b"<responseCode>0</responseCode>" in answer, answer
    assert f"<hash>{digest.hexdigest()}</hash>".encode() in answer
    assert IspwsFile.objects.get().size == SIZE
    assert growth < 100 * 1024 * 1024
