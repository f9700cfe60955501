from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from unittest import mock

from django.db import connection

from tipline.conftest import draft
from tipline.identifiers.models import (
    Cluster,
    ClusterMerge,
    Identifier,
    IpObservation,
    ReportIdentifier,
)
from tipline.identifiers.services import report_link, report_record_identifiers, reports_link
from tipline.reports.choices import PersonRole
from tipline.reports.drafts import Account, IncidentDraft, IpEvent, PersonDraft, Phone
from tipline.reports.models import Report
from tipline.reports.services import report_submit

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _suspect(**values: Any) -> Report:
    person = PersonDraft(role=PersonRole.REPORTED_PERSON, **values)
    report = report_submit(draft=draft(people=[person])).report
    report_record_identifiers(report=report)
    report_link(report=report)
    return Report.objects.get(pk=report.pk)


def test_same_phone_written_two_ways_links(geo: Any) -> None:
    first = _suspect(phones=[Phone(number="0803 123 4567")])
    second = _suspect(phones=[Phone(number="+234-803-123-4567")])
    assert first.cluster_id is None or first.cluster_id == second.cluster_id
    assert second.cluster_id is not None
    assert Report.objects.get(pk=first.pk).cluster_id == second.cluster_id
    merge = ClusterMerge.objects.get()
    assert merge.via == "phone" and merge.report_id == second.pk


def test_same_ip_with_different_ports_does_not_link(geo: Any) -> None:
    _suspect(ip_events=[IpEvent(ip="41.58.10.10", port=40001, at=T0)])
    second = _suspect(ip_events=[IpEvent(ip="41.58.10.10", port=40002, at=T0)])
    assert second.cluster_id is None


def test_same_ip_without_port_never_links(geo: Any) -> None:
    _suspect(ip_events=[IpEvent(ip="41.58.10.11")])
    assert _suspect(ip_events=[IpEvent(ip="41.58.10.11")]).cluster_id is None


def test_same_ip_and_port_within_two_minutes_links(geo: Any) -> None:
    _suspect(ip_events=[IpEvent(ip="41.58.10.12", port=5555, at=T0)])
    near = _suspect(
        ip_events=[IpEvent(ip="41.58.10.12", port=5555, at=T0.replace(minute=1, second=59))]
    )
    far = _suspect(ip_events=[IpEvent(ip="41.58.10.12", port=5555, at=T0.replace(minute=5))])
    assert near.cluster_id is not None and far.cluster_id is None


def test_display_names_alone_never_link(geo: Any) -> None:
    _suspect(accounts=[Account(display_names=["Big Uncle"])])
    assert _suspect(accounts=[Account(display_names=["Big Uncle"])]).cluster_id is None


def test_platform_account_links_and_two_clusters_merge(geo: Any) -> None:
    a = _suspect(accounts=[Account(platform="Instagram", screen_name="made_up_1")])
    b = _suspect(accounts=[Account(platform="Instagram", screen_name="made_up_1")])
    c = _suspect(phones=[Phone(number="08091112222")])
    d = _suspect(phones=[Phone(number="08091112222")])
    assert b.cluster_id != d.cluster_id
    bridge = _suspect(
        accounts=[Account(platform="instagram", screen_name="Made_Up_1")],
        phones=[Phone(number="0809 111 2222")],
    )
    clusters = set(
        Report.objects.filter(pk__in=[a.pk, b.pk, c.pk, d.pk, bridge.pk]).values_list(
            "cluster_id", flat=True
        )
    )
    assert clusters == {bridge.cluster_id}
    assert ClusterMerge.objects.filter(absorbed__isnull=False).count() == 1


def test_identifiers_are_stored_hashed_and_encrypted(geo: Any) -> None:
    _suspect(phones=[Phone(number="08031239999")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT value_hash, display FROM identifiers_identifier")
        rows = cursor.fetchall()
    assert rows and all("8031239999" not in h + d for h, d in rows)
    assert Identifier.objects.get(kind="phone").display == "+2348031239999"


def test_recording_twice_changes_nothing(geo: Any) -> None:
    report = _suspect(
        phones=[Phone(number="08031230000")], ip_events=[IpEvent(ip="41.58.1.1", port=1, at=T0)]
    )
    before = (
        ReportIdentifier.objects.count(),
        IpObservation.objects.count(),
        Identifier.objects.count(),
    )
    report_record_identifiers(report=report)
    report_link(report=report)
    after = (
        ReportIdentifier.objects.count(),
        IpObservation.objects.count(),
        Identifier.objects.count(),
    )
    assert before == after


def test_free_text_identifiers_are_found(geo: Any) -> None:
    text = "He said call 0803 555 0101 or mail him at invented.man@example.com"
    report = report_submit(
        draft=draft(incident=IncidentDraft(type="online_enticement", description=text))
    ).report
    report_record_identifiers(report=report)
    kinds = set(
        ReportIdentifier.objects.filter(report=report).values_list("identifier__kind", flat=True)
    )
    assert {"phone", "email"} <= kinds


def _recorded(**values: Any) -> Report:
    person = PersonDraft(role=PersonRole.REPORTED_PERSON, **values)
    report = report_submit(draft=draft(people=[person])).report
    report_record_identifiers(report=report)
    return Report.objects.get(pk=report.pk)


def test_one_batch_unites_new_and_stored_clusters_as_one_at_a_time_would(geo: Any) -> None:
    handle = [Account(platform="Instagram", screen_name="made_up_bridge")]
    stored = [_suspect(accounts=handle) for _ in range(2)]
    stored_cluster = stored[1].cluster_id
    assert stored_cluster is not None
    p1, p2 = Phone(number="08091110001"), Phone(number="08091110002")
    batch = [
        _recorded(phones=[p1]),
        _recorded(phones=[p1]),  # a new cluster with the first
        _recorded(phones=[p2]),
        _recorded(phones=[p2]),  # a second new cluster
        _recorded(phones=[p1, p2]),  # the first new cluster absorbs the second
        _recorded(phones=[p1], accounts=handle),  # the stored, older cluster absorbs them all
    ]
    sizes = reports_link(reports=list(reversed(batch)))  # taken in id order whatever is given
    assert [sizes[r.pk] for r in batch] == [1, 2, 1, 2, 5, 8]
    members = Report.objects.filter(cluster_id=stored_cluster)
    assert set(members.values_list("pk", flat=True)) == {r.pk for r in [*stored, *batch]}
    cluster = Cluster.objects.get(pk=stored_cluster)
    received = [r.received_at for r in [*stored, *batch]]
    assert (cluster.size, cluster.first_seen, cluster.last_seen) == (
        8,
        min(received),
        max(received),
    )
    first_new, second_new = batch[1].pk, batch[3].pk
    merges = [
        (m.report_id, m.absorbed is not None, m.into_id == stored_cluster)
        for m in ClusterMerge.objects.filter(report_id__in=[r.pk for r in batch]).order_by("id")
    ]
    assert merges == [
        (first_new, False, False),
        (second_new, False, False),
        (batch[4].pk, True, False),
        (batch[4].pk, False, False),
        (batch[5].pk, True, True),
        (batch[5].pk, False, True),
    ]
    new = Cluster.objects.exclude(pk=stored_cluster).order_by("pk")
    assert [c.merged_into_id for c in new] == [stored_cluster, new[0].pk]
    assert [c.size for c in new] == [5, 2]  # as they were when absorbed
    assert all(r.cluster_id == stored_cluster for r in batch)  # the objects given are updated


def test_a_cluster_merged_away_before_the_lock_is_followed_to_where_its_reports_went(
    geo: Any,
) -> None:
    handle = [Account(platform="Instagram", screen_name="made_up_older")]
    older = [_suspect(accounts=handle) for _ in range(2)]
    later = [_suspect(phones=[Phone(number="08091110003")]) for _ in range(2)]
    moving, into = later[1].cluster_id, older[1].cluster_id
    assert moving is not None and into is not None
    newcomer = _recorded(phones=[Phone(number="08091110003")])
    real = Cluster.objects.select_for_update

    def another_batch_merges_first(*args: Any, **kwargs: Any) -> Any:
        # As if another worker absorbed the phone's cluster between our read and our lock.
        if Report.objects.filter(cluster_id=moving).exists():
            Report.objects.filter(cluster_id=moving).update(cluster_id=into)
            Cluster.objects.filter(pk=moving).update(merged_into=into)
        return real(*args, **kwargs)

    with mock.patch.object(Cluster.objects, "select_for_update", another_batch_merges_first):
        sizes = reports_link(reports=[newcomer])
    assert newcomer.cluster_id == into and sizes[newcomer.pk] == 5
    assert Cluster.objects.get(pk=into).size == 5
    assert Report.objects.filter(cluster_id=into).count() == 5


def test_a_report_with_a_thousand_timed_ip_events_links_in_any_database(geo: Any) -> None:
    earlier = _suspect(ip_events=[IpEvent(ip="41.58.20.20", port=6000, at=T0)])
    later = _recorded()
    IpObservation.objects.bulk_create(
        IpObservation(report=later, ip=f"41.58.{i // 200}.{i % 200}", port=7000 + i, observed_at=T0)
        for i in range(1200)
    )
    IpObservation.objects.create(report=later, ip="41.58.20.20", port=6000, observed_at=T0)
    sizes = reports_link(reports=[later])  # SQLite refuses one statement of 1201 ranges
    assert later.cluster_id is not None and sizes[later.pk] == 2
    assert Report.objects.get(pk=earlier.pk).cluster_id == later.cluster_id
