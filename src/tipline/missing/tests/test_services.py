"""Registering, photos, and matching reports and records through the people matcher."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.missing.choices import CandidateState, EventKind, FoundBy, RecordStatus, Source
from tipline.missing.models import MatchCandidate, MissingRecord, Sighting
from tipline.missing.services import (
    missing_candidate_decide,
    missing_photo_add,
    missing_record_create,
)
from tipline.missing.tests.conftest import record_input
from tipline.missing.tests.helpers import drawn_image, sighting_report, stored
from tipline.people.choices import Decision
from tipline.people.models import BlindIndexEntry, MatchDecision
from tipline.pipeline.models import StepRun


def test_a_record_is_stored_encrypted_indexed_audited_and_on_its_timeline(
    make_record: Callable[..., MissingRecord],
) -> None:
    record = make_record()
    assert record.reference.startswith("MC-") and record.status == RecordStatus.REPORTED
    assert record.command.code == "LAG"  # the last-seen state's command
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT given_names, guardians FROM missing_missingrecord WHERE id = %s", [record.pk]
        )
        raw = cursor.fetchone()
    assert "Temitope" not in raw[0] and "08031110000" not in raw[1]
    assert record.given_names == "Temitope" and record.guardian_phones() == ["08031110000"]
    assert BlindIndexEntry.objects.filter(owner_kind="missing_record", owner_id=str(record.pk))
    audit = AuditEvent.objects.get(action="missing.registered")
    assert "Temitope" not in str(audit.after) and audit.after["source"] == "console"
    assert [e.kind for e in record.events.all()] == [EventKind.REGISTERED]


def test_a_record_gets_a_receipt_code_kept_only_as_a_hash(lagos_analyst: User) -> None:
    registered = missing_record_create(data=record_input(), source=Source.PUBLIC, actor=None)
    assert registered.receipt_code and registered.receipt_code not in registered.record.receipt_hash


def test_bad_input_is_refused_with_the_field(lagos_analyst: User) -> None:
    with pytest.raises(ValidationError) as refused:
        missing_record_create(
            data=record_input(last_seen_state="ZZ"), source=Source.CONSOLE, actor=lagos_analyst
        )
    assert "last_seen_state" in refused.value.message_dict
    with pytest.raises(ValueError, match="name"):
        record_input(given_names="", family_name="")


def test_a_photo_is_stored_encrypted_and_pdq_hashed(
    make_record: Callable[..., MissingRecord], lagos_analyst: User
) -> None:
    record = make_record()
    data = drawn_image()
    blob = stored(data)
    photo = missing_photo_add(record=record, blob=blob, sniffed="image/png", actor=lagos_analyst)
    assert len(photo.pdq) == 64 and photo.pdq_quality is not None
    on_disk = b"".join(p.read_bytes() for p in Path(settings.MEDIA_STORE_DIR).rglob(blob.key + "*"))
    assert on_disk and data[:8] not in on_disk and b"IHDR" not in on_disk
    with pytest.raises(ValidationError, match="image"):
        missing_photo_add(
            record=record, blob=stored(b"%PDF-1.4"), sniffed="application/pdf", actor=lagos_analyst
        )
    with pytest.raises(ValidationError, match="readable"):
        broken = stored(b"\x89PNG\r\n\x1a\nbroken")
        missing_photo_add(record=record, blob=broken, sniffed="image/png", actor=lagos_analyst)


def test_an_incoming_sighting_becomes_a_candidate_with_reasons(
    verified_record: MissingRecord,
) -> None:
    report = sighting_report()
    assert StepRun.objects.get(report=report, step="missing").status == "done"
    candidate = MatchCandidate.objects.get(record=verified_record)
    assert candidate.found_by == FoundBy.REPORT and candidate.report == report
    assert candidate.probability > 0.5
    reasons = {r["field"]: r["text"] for r in candidate.reasons}
    assert reasons["given_name"].startswith("Given name 'Tope'")
    assert reasons["family_name"] == "Family name 'Adebayo' matches exactly"
    assert "km apart" in reasons["distance"] or "known by state" in reasons["distance"]
    assert reasons["elapsed"].startswith("Seen ")
    assert reasons["phone"] == "Both have a phone, none in common"
    assert {r["field"]: r["bits"] for r in candidate.reasons}["phone"] > -0.5  # a stranger's


def test_an_unrelated_report_is_no_candidate(verified_record: MissingRecord) -> None:
    sighting_report(first="Musa", last="Bello", age=9, state="KN")
    assert not MatchCandidate.objects.exists()


def test_rerunning_the_step_replaces_undecided_candidates(verified_record: MissingRecord) -> None:
    from tipline.pipeline.services import pipeline_run

    report = sighting_report()
    pipeline_run(report_id=report.pk, force=True)
    assert MatchCandidate.objects.filter(record=verified_record).count() == 1


def test_a_new_record_finds_a_recent_report(lagos_analyst: User) -> None:
    report = sighting_report(first="Chiamaka", last="Okafor", age=9)
    record = missing_record_create(
        data=record_input(given_names="Chiamaka", family_name="Okafor", other_names=[], age=9),
        source=Source.CONSOLE,
        actor=lagos_analyst,
    ).record
    candidate = MatchCandidate.objects.get(record=record)
    assert candidate.found_by == FoundBy.RECORD and candidate.report == report


def test_a_guardians_phone_on_the_report_counts(
    lagos_analyst: User, verified_record: MissingRecord
) -> None:
    report = sighting_report()
    candidate = MatchCandidate.objects.get(record=verified_record, report=report)
    assert candidate.comparison["phone"] == "different"  # the reporter is not the guardian


def test_confirming_links_the_report_records_a_sighting_and_moves_the_record(
    verified_record: MissingRecord, supervisor: User
) -> None:
    report = sighting_report()
    candidate = MatchCandidate.objects.get(record=verified_record)
    missing_candidate_decide(candidate=candidate, decision=Decision.CONFIRMED, actor=supervisor)
    verified_record.refresh_from_db()
    assert verified_record.status == RecordStatus.SIGHTED
    sighting = Sighting.objects.get(record=verified_record)
    assert sighting.report == report and sighting.state is not None
    label = MatchDecision.objects.get(owner_kind="missing_record")
    assert label.decision == "confirmed" and label.right_id == str(verified_record.pk)
    assert label.comparison == candidate.comparison
    with pytest.raises(ValidationError, match="already"):
        missing_candidate_decide(candidate=candidate, decision=Decision.REJECTED, actor=supervisor)


def test_a_second_confirmation_can_say_found(
    verified_record: MissingRecord, supervisor: User
) -> None:
    sighting_report()
    sighting_report(age=12)
    first, second = MatchCandidate.objects.filter(record=verified_record).order_by("pk")
    missing_candidate_decide(candidate=first, decision=Decision.CONFIRMED, actor=supervisor)
    missing_candidate_decide(
        candidate=second, decision=Decision.CONFIRMED, outcome=RecordStatus.FOUND, actor=supervisor
    )
    verified_record.refresh_from_db()
    assert verified_record.status == RecordStatus.FOUND
    assert verified_record.sightings.count() == 2


def test_rejecting_keeps_a_label_and_leaves_the_status(
    verified_record: MissingRecord, supervisor: User
) -> None:
    sighting_report()
    candidate = MatchCandidate.objects.get(record=verified_record)
    missing_candidate_decide(candidate=candidate, decision=Decision.REJECTED, actor=supervisor)
    candidate.refresh_from_db()
    verified_record.refresh_from_db()
    assert candidate.state == CandidateState.REJECTED
    assert verified_record.status == RecordStatus.VERIFIED
    assert MatchDecision.objects.get().decision == "rejected"


def test_an_unverified_record_cannot_be_confirmed(
    make_record: Callable[..., MissingRecord], supervisor: User
) -> None:
    record = make_record()
    sighting_report()
    candidate = MatchCandidate.objects.get(record=record)
    with pytest.raises(ValidationError, match="Verify"):
        missing_candidate_decide(candidate=candidate, decision=Decision.CONFIRMED, actor=supervisor)
    assert not MatchDecision.objects.exists() and not Sighting.objects.exists()


def test_a_reports_photo_is_compared_with_the_records_and_only_then_loaded(
    verified_record: MissingRecord, lagos_analyst: User
) -> None:
    from django.test.utils import CaptureQueriesContext

    from tipline.missing.services import missing_match_report
    from tipline.reports.models import Report, ReportFile

    def photo_reads(queries: CaptureQueriesContext) -> int:
        return sum('FROM "missing_missingphoto"' in q["sql"] for q in queries.captured_queries)

    photo = missing_photo_add(
        record=verified_record, blob=stored(drawn_image()), sniffed="image/png", actor=lagos_analyst
    )
    report = sighting_report()
    loaded = Report.objects.select_related("state").prefetch_related("people", "files")
    with CaptureQueriesContext(connection) as queries:
        [without] = missing_match_report(report=loaded.get(pk=report.pk))
    assert photo_reads(queries) == 0  # no photo on the report: the records' are not read
    assert without.comparison["photo"] is None
    ReportFile.objects.create(
        report=report, file_id="f-photo", pdq=photo.pdq, pdq_quality=photo.pdq_quality
    )
    with CaptureQueriesContext(connection) as queries:
        [candidate] = missing_match_report(report=loaded.get(pk=report.pk))
    assert photo_reads(queries) == 1  # the records' photos, once
    assert candidate.comparison["photo"] == "match"
    assert candidate.probability > without.probability
