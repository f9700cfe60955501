"""Hostile documents over HTTP at /ispws: each gets a clear CyberTipline code, never a 500, and
nothing is stored. The parser-level cases (entities, DOCTYPEs, 10,000 levels) are in
test_xml_parsing.py; these go through the views, with the sizes and encodings clients can send.
"""

from __future__ import annotations

import base64
import re
import time
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tipline.accounts.choices import ClientKind, Scope
from tipline.accounts.services import api_client_create
from tipline.intake.models import IspwsFile, IspwsOpenReport
from tipline.reports.models import Report

PASSWORD = "an-invented-esp-password"
TOKEN = base64.b64encode(f"esp:{PASSWORD}".encode()).decode()
BODY = (
    b"<report><incidentSummary>"
    b"<incidentType>Child Pornography (possession, manufacture, and distribution)</incidentType>"
    b"<incidentDateTime>2024-05-01T12:00:00Z</incidentDateTime></incidentSummary>"
    b"<reporter><reportingPerson><firstName>NAME</firstName><lastName>Invented</lastName>"
    b"<email>invented@example.test</email></reportingPerson></reporter></report>"
)


def _named(name: bytes, declaration: bytes = b"") -> bytes:
    return declaration + BODY.replace(b"NAME", name)


def _declared(encoding: str) -> bytes:
    return f'<?xml version="1.0" encoding="{encoding}"?>'.encode()


# name: (document, code, words the message must contain)
CASES: dict[str, tuple[bytes, int, str]] = {
    "nested 100,000 deep": (
        b"<report>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</report>",
        4100,
        "depth",
    ),
    "declared UTF-16, sent UTF-8": (_named(b"Ada", _declared("UTF-16")), 4110, "Malformed"),
    "declared an unknown encoding": (_named(b"Ada", _declared("x-no-such")), 4110, "encoding"),
    # Known to libxml2 (through iconv) but not to Python, which keeps the raw record as text.
    "declared ARMSCII-8": (_named(b"Ada", _declared("ARMSCII-8")), 4110, "encoding"),
    "declared VISCII": (_named(b"Ada", _declared("VISCII")), 4110, "encoding"),
    "declared US-ASCII, sent Latin-1": (_named(b"Ad\xe9", _declared("US-ASCII")), 4110, "bytes"),
    "UTF-32 byte order mark": (b"\x00\x00\xfe\xff" + _named(b"Ada"), 4110, "Malformed"),
    "invalid UTF-8: bytes FF FE": (_named(b"A\xff\xfeda"), 4110, "Invalid bytes"),
    "invalid UTF-8: lone continuation": (_named(b"A\x80da"), 4110, "Invalid bytes"),
    "invalid UTF-8: overlong slash": (_named(b"A\xc0\xafda"), 4110, "Invalid bytes"),
    "invalid UTF-8: encoded surrogate": (_named(b"A\xed\xa0\x80da"), 4110, "Invalid bytes"),
    "invalid UTF-8: cut sequence": (_named(b"A\xe2\x82da"), 4110, "Invalid bytes"),
    "invalid UTF-8 after a UTF-8 declaration": (
        _named(b"A\xffda", _declared("UTF-8")),
        4110,
        "Invalid bytes",
    ),
}


@pytest.fixture
def esp(geo: Any) -> Client:
    api_client_create(
        name="Invented Platform",
        kind=ClientKind.PLATFORM,
        scopes=[Scope.ISPWS],
        ispws_username="esp",
        ispws_password=PASSWORD,
    )
    return Client(HTTP_AUTHORIZATION=f"Basic {TOKEN}")


def _code(response: Any) -> int:
    match = re.search(rb"<responseCode>(\d+)</responseCode>", response.content)
    assert match, response.content
    return int(match.group(1))


def _nothing_stored() -> bool:
    return not (
        IspwsOpenReport.objects.exists() or IspwsFile.objects.exists() or Report.objects.exists()
    )


@pytest.mark.parametrize("endpoint", ["submit", "fileinfo"])
@pytest.mark.parametrize("name", list(CASES))
def test_hostile_document_gets_a_clear_code(esp: Client, name: str, endpoint: str) -> None:
    document, code, words = CASES[name]
    started = time.perf_counter()
    response = esp.post(f"/ispws/{endpoint}", data=document, content_type="text/xml")
    assert time.perf_counter() - started < 5
    assert response.status_code == 400, response.content
    assert _code(response) == code
    assert words in response.content.decode("iso-8859-1"), response.content
    assert _nothing_stored()


def test_a_supported_encoding_still_works(esp: Client) -> None:
    """The control: the same document in a declared encoding both sides know is accepted."""
    document = _named("Adé".encode("cp1252"), _declared("windows-1252"))
    response = esp.post("/ispws/submit", data=document, content_type="text/xml")
    assert response.status_code == 200 and _code(response) == 0, response.content
    assert "Adé" in IspwsOpenReport.objects.get().report_xml


class HugeAttribute:
    """A request body: a `<report>` whose one attribute is `size` bytes, made as it is read
    (never held whole); counts how much the server read."""

    def __init__(self, size: int) -> None:
        self.head, self.tail = b'<report note="', b'"/>'
        self.size = len(self.head) + size + len(self.tail)
        self.offset = 0

    def read(self, count: int = -1) -> bytes:
        end = self.size if count is None or count < 0 else min(self.size, self.offset + count)
        chunk = b"".join(self._byte_range(self.offset, end))
        self.offset = end
        return chunk

    def readline(self, limit: int = -1) -> bytes:
        return self.read(limit)  # no newline anywhere in it: a line is the rest

    def _byte_range(self, start: int, end: int) -> list[bytes]:
        body_start, body_end = len(self.head), self.size - len(self.tail)
        parts = [self.head[start:end]] if start < body_start else []
        parts.append(b"x" * max(0, min(end, body_end) - max(start, body_start)))
        if end > body_end:
            parts.append(self.tail[max(0, start - body_end) : end - body_end])
        return parts


def _post_stream(client: Client, stream: HugeAttribute, declared: int) -> Any:
    return client.request(
        REQUEST_METHOD="POST",
        PATH_INFO="/ispws/submit",
        CONTENT_TYPE="text/xml",
        CONTENT_LENGTH=str(declared),
        **{"wsgi.input": stream},
    )


def test_the_stream_makes_the_document_it_claims() -> None:
    stream = HugeAttribute(10)
    assert stream.read(5) + stream.read() == b'<report note="xxxxxxxxxx"/>'


def test_a_50_mb_attribute_is_refused_before_its_body_is_read(esp: Client) -> None:
    stream = HugeAttribute(50 * 1024 * 1024)
    response = _post_stream(esp, stream, declared=stream.size)
    assert response.status_code == 413 and _code(response) == 4100
    assert "too large" in response.content.decode()
    assert stream.offset == 0  # refused from Content-Length alone
    assert _nothing_stored()


def test_a_50_mb_attribute_behind_a_smaller_content_length_reads_no_more(esp: Client) -> None:
    """A client that declares the limit and sends more: the server stops at what was declared,
    so the document it sees is cut short, and refused as such."""
    limit = settings.ISPWS_MAX_DOCUMENT_BYTES
    stream = HugeAttribute(50 * 1024 * 1024)
    response = _post_stream(esp, stream, declared=limit)
    assert response.status_code == 400 and _code(response) == 4110
    assert stream.offset <= limit
    assert _nothing_stored()
