"""Round trips per imported package, pinned: the importer's cost on a loaded machine was its
database round trips (15 a package); a folder's packages are looked up together, the lock and
the race check are one statement, and the two audit rows join the chain in one write."""

from __future__ import annotations

import io
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tipline.intake.ncmec.samples import SampleFile, SampleReferral, sample_png, zip_bytes
from tipline.intake.ncmec.services import ALREADY, IMPORTED, ncmec_import_sources
from tipline.intake.ncmec.sources import ZipSource

# Per package of two files, ten packages at once: the batch look-up (shared by the ten), the
# savepoint, the lock with the race check (PostgreSQL; the check alone on SQLite), the reference
# counter, the report, its people, internet details and files, NOTIFY (PostgreSQL; SQLite saves
# the head instead), the chain head and the audit rows, the release. It was 15.
PINNED = {"postgresql": 11.1, "sqlite": 11.1}


def _package(number: int) -> ZipSource:
    files = [
        SampleFile(path=f"files/image{k}.png", content=sample_png(number * 10 + k))
        for k in range(2)
    ]
    body = zip_bytes([SampleReferral(number=str(number), files=files)])
    return ZipSource(io.BytesIO(body), f"p{number}.zip")


def test_a_folder_of_packages_costs_its_pinned_round_trips(geo: Any) -> None:
    ncmec_import_sources(sources=[_package(100)])  # the chain head and the counters exist
    with CaptureQueriesContext(connection) as first:
        outcomes = ncmec_import_sources(sources=[_package(n) for n in range(101, 111)])
    assert {o.status for o in outcomes} == {IMPORTED}
    assert len(first.captured_queries) / 10 == PINNED[connection.vendor]
    with CaptureQueriesContext(connection) as again:
        outcomes = ncmec_import_sources(sources=[_package(n) for n in range(101, 111)])
    assert {o.status for o in outcomes} == {ALREADY}
    assert len(again.captured_queries) / 10 <= 2.1  # the report and its addenda's digests


def test_the_same_number_twice_in_one_batch_is_stored_once(geo: Any) -> None:
    outcomes = ncmec_import_sources(sources=[_package(200), _package(200)])
    assert [o.status for o in outcomes] == [IMPORTED, ALREADY]
    assert outcomes[0].reference == outcomes[1].reference
