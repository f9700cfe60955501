"""Writes of the identifiers app: record a report's identifiers, and link reports into clusters."""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from tipline.common.time import utcnow
from tipline.identifiers.extraction import STRONG_KINDS, extract_text, normalize
from tipline.identifiers.extraction import Identifier as Found
from tipline.identifiers.models import (
    Cluster,
    ClusterMerge,
    Identifier,
    IpObservation,
    ReportIdentifier,
)
from tipline.reports.models import Report

IP_LINK_WINDOW = timedelta(minutes=2)
LAST_SEEN_GRANULARITY = timedelta(hours=1)


def identifier_hash(kind: str, normalized: str) -> str:
    """Keyed hash of an identifier: equal values match, the table holds no clear value."""
    key = hmac.new(settings.SECRET_KEY.encode(), b"tipline-identifier-index", hashlib.sha256)
    return hmac.new(key.digest(), f"{kind}\0{normalized}".encode(), hashlib.sha256).hexdigest()


@dataclass
class Harvest:
    """Everything found in one report: identifiers by (kind, normalised) and IP observations."""

    found: dict[tuple[str, str], tuple[Found, str]] = field(default_factory=dict)
    ips: set[tuple[str, int | None, datetime | None, str, bool]] = field(default_factory=set)

    def add(self, item: Found | None, source: str) -> None:
        if item is not None and item.valid:
            self.found.setdefault((item.kind, item.normalized), (item, source))

    def add_text(self, text: str | None, source: str) -> None:
        for item in extract_text(text or ""):
            self.add(item, source)


def _structured(person: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for phone in person.get("phones", []):
        yield "phone", phone.get("number", "")
    for email in person.get("emails", []):
        yield "email", email.get("address", "")
    for account in person.get("accounts", []):
        platform, name = account.get("platform"), account.get("screen_name")
        if platform and name:
            yield "handle", f"{platform}:{name}"
        for url in account.get("profile_urls", []):
            yield "url", url
            yield "handle", url


def _account_ids(person: dict[str, Any]) -> Iterator[Found]:
    """A platform's own account id is the strongest identifier there is."""
    for account in person.get("accounts", []):
        platform, account_id = account.get("platform"), account.get("esp_identifier")
        if platform and account_id:
            normalized = f"{platform.strip().lower()}#id:{account_id.strip()}"
            yield Found(
                kind="handle",
                value=account_id,
                normalized=normalized,
                valid=True,
                details={"platform": platform.strip().lower(), "account_id": "true"},
            )


def _ip_event(harvest: Harvest, event: dict[str, Any], source: str) -> None:
    ip = normalize("ip", str(event.get("ip", "")))
    if ip is None or not ip.valid:
        return
    at = datetime.fromisoformat(event["at"]) if event.get("at") else None
    private = ip.details.get("private") == "true" or ip.details.get("reserved") == "true"
    harvest.ips.add((ip.normalized, event.get("port"), at, str(event.get("event") or ""), private))
    harvest.add(ip, source)


def _harvest_people(harvest: Harvest, report: Report) -> None:
    for person in report.people.all():
        details = person.details or {}
        for kind, value in _structured(details):
            harvest.add(normalize(kind, value), f"{person.role}.{kind}")
        for found in _account_ids(details):
            harvest.add(found, f"{person.role}.account_id")
        for event in details.get("ip_events", []):
            _ip_event(harvest, event, f"{person.role}.ip")
        harvest.add_text(details.get("notes"), f"{person.role}.notes")


def _harvest_internet(harvest: Harvest, report: Report) -> None:
    for detail in report.internet_details.all():
        data = detail.data or {}
        for url in data.get("urls", []):
            harvest.add(normalize("url", url), f"{detail.kind}.url")
        for email in data.get("email_addresses", []):
            harvest.add(normalize("email", email), f"{detail.kind}.email")
        if data.get("phone_number"):
            harvest.add(normalize("phone", data["phone_number"]), f"{detail.kind}.phone")
        for event in data.get("ip_events", []):
            _ip_event(harvest, event, f"{detail.kind}.ip")
        for key in ("content", "additional_info", "name", "chat_room"):
            harvest.add_text(data.get(key), f"{detail.kind}.{key}")


def harvest_report(report: Report) -> Harvest:
    """Pull every identifier out of every structured field and free text of a report."""
    harvest = Harvest()
    _harvest_people(harvest, report)
    _harvest_internet(harvest, report)
    for source, text in (
        ("description", report.description),
        ("location", report.location_text),
        ("escalation", report.escalation_note),
    ):
        harvest.add_text(text, source)
    for addendum in report.addenda.all():
        harvest.add_text(addendum.body, "addendum")
    return harvest


def _upsert_identifiers(
    keys: Iterable[tuple[str, str]], now: datetime
) -> dict[tuple[str, str], Identifier]:
    rows = {
        key: Identifier(
            kind=key[0],
            value_hash=identifier_hash(*key),
            display=key[1],
            strong=key[0] in STRONG_KINDS,
            first_seen=now,
            last_seen=now,
        )
        for key in keys
    }
    Identifier.objects.bulk_create(rows.values(), ignore_conflicts=True, batch_size=500)
    by_hash = {row.value_hash: key for key, row in rows.items()}
    stored = Identifier.objects.filter(value_hash__in=by_hash).only(
        "pk", "kind", "value_hash", "last_seen"
    )
    result = {
        by_hash[row.value_hash]: row for row in stored if by_hash[row.value_hash][0] == row.kind
    }
    # `last_seen` to the hour is enough, and touching it only when stale keeps the rows of common
    # identifiers from being locked by every batch that mentions them until it commits.
    stale = [row.pk for row in result.values() if row.last_seen < now - LAST_SEEN_GRANULARITY]
    if stale:
        Identifier.objects.filter(pk__in=stale).update(last_seen=now)
    return result


def _links(
    report: Report, harvest: Harvest, stored: dict[tuple[str, str], Identifier]
) -> Iterator[ReportIdentifier]:
    for key, (found, source) in harvest.found.items():
        yield ReportIdentifier(
            report=report,
            identifier=stored[key],
            source=source,
            as_written=found.value[:500],
            details=dict(found.details),
        )


def _observations(report: Report, harvest: Harvest) -> Iterator[IpObservation]:
    for ip, port, at, event, private in harvest.ips:
        yield IpObservation(
            report=report, ip=ip, port=port, observed_at=at, event=event[:40], private=private
        )


def report_record_identifiers(*, report: Report) -> int:
    """Replace the report's identifier links and IP observations with a fresh harvest.

    Replacing, not adding, is what makes a rerun give the same result. Returns the count found.
    """
    return reports_record_identifiers(reports=[report])[report.pk]


def reports_record_identifiers(*, reports: list[Report]) -> dict[int, int]:
    """`report_record_identifiers` for many reports, in the same few statements as for one.
    Returns the count found, by report id."""
    harvests = [(report, harvest_report(report)) for report in reports]
    ids = [report.pk for report in reports]
    with transaction.atomic():
        keys = {key for _, harvest in harvests for key in harvest.found}
        stored = _upsert_identifiers(keys, utcnow())
        ReportIdentifier.objects.filter(report_id__in=ids).delete()
        IpObservation.objects.filter(report_id__in=ids).delete()
        ReportIdentifier.objects.bulk_create(
            [link for report, harvest in harvests for link in _links(report, harvest, stored)],
            batch_size=1000,
        )
        IpObservation.objects.bulk_create(
            [obs for report, harvest in harvests for obs in _observations(report, harvest)],
            batch_size=1000,
        )
    return {report.pk: len(harvest.found) for report, harvest in harvests}


def _ip_neighbours(report: Report, observations: Iterable[IpObservation]) -> dict[int, str]:
    found: dict[int, str] = {}
    for obs in observations:
        assert obs.observed_at is not None  # noqa: S101  # only timed observations are given
        window = Q(
            observed_at__gte=obs.observed_at - IP_LINK_WINDOW,
            observed_at__lte=obs.observed_at + IP_LINK_WINDOW,
        )
        same = IpObservation.objects.filter(window, ip=obs.ip, port=obs.port).exclude(report=report)
        found.update({rid: "ip+port+time" for rid in same.values_list("report_id", flat=True)})
    return found


def _neighbours_many(reports: list[Report]) -> dict[int, dict[int, str]]:
    """The reports each report links to: those sharing a strong identifier (locked, so two
    workers linking reports that share one take turns) or an IP, port and time. Read in a few
    statements for all of them, as each would find them at its turn: a report does not see the
    batch-mates after it, whose identifiers one report at a time would not have recorded yet."""
    ids = [report.pk for report in reports]
    strong = ReportIdentifier.objects.filter(report_id__in=ids, identifier__strong=True)
    own: dict[int, set[int]] = defaultdict(set)
    for report_id, identifier_id in strong.values_list("report_id", "identifier_id"):
        own[report_id].add(identifier_id)
    every = sorted(set().union(*own.values())) if own else []
    list(Identifier.objects.select_for_update().filter(pk__in=every).order_by("pk").values("pk"))
    holders: dict[int, list[tuple[int, str]]] = defaultdict(list)
    shared = ReportIdentifier.objects.filter(identifier_id__in=every)
    for report_id, identifier_id, kind in shared.values_list(
        "report_id", "identifier_id", "identifier__kind"
    ):
        holders[identifier_id].append((report_id, kind))
    timed: dict[int, list[IpObservation]] = defaultdict(list)
    for obs in IpObservation.objects.filter(
        report_id__in=ids, port__isnull=False, observed_at__isnull=False, private=False
    ):
        timed[obs.report_id].append(obs)
    result, batch = {}, set(ids)
    for report in reports:
        by_ip = _ip_neighbours(report, timed[report.pk])
        by_strong = {
            other: kind
            for identifier_id in own[report.pk]
            for other, kind in holders[identifier_id]
            if other != report.pk
        }
        found = {**by_ip, **by_strong}
        result[report.pk] = {
            other: via for other, via in found.items() if not (other in batch and other > report.pk)
        }
    return result


def _lock_clusters_of(report_ids: Iterable[int]) -> None:
    """Lock, in id order, every cluster these reports are in: a batch then never waits for a
    cluster while holding a later one, which two batches could otherwise do to each other."""
    clusters = Report.objects.filter(pk__in=list(report_ids), cluster_id__isnull=False)
    ids = sorted({pk for pk in clusters.values_list("cluster_id", flat=True) if pk is not None})
    list(Cluster.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))


def _absorb(target: Cluster, others: Iterable[Cluster], report: Report, via: str) -> None:
    for other in others:
        Report.objects.filter(cluster_id=other.pk).update(cluster_id=target.pk)
        other.merged_into = target
        other.save(update_fields=["merged_into"])
        ClusterMerge.objects.create(
            into=target, absorbed=other, report=report, via=via, at=utcnow()
        )


def _refresh(cluster: Cluster) -> None:
    members = Report.objects.filter(cluster_id=cluster.pk)
    times = sorted(members.values_list("received_at", flat=True))
    cluster.size, cluster.first_seen, cluster.last_seen = len(times), times[0], times[-1]
    cluster.save(update_fields=["size", "first_seen", "last_seen"])


def report_link(*, report: Report) -> int | None:
    """Join the report to the cluster of every report sharing a strong identifier or IP+port+time.

    Incremental union-find: the oldest cluster absorbs the others and every union is recorded.
    Weak identifiers (an IP alone, a display name) never link. Returns the cluster id or None.
    """
    reports_link(reports=[report])
    return report.cluster_id


def reports_link(*, reports: list[Report]) -> dict[int, int]:
    """`report_link` for each report of a batch in turn (oldest first), their neighbours read all
    at once. Returns, by report id, the size of its cluster just after it joined (1 if alone):
    what the priority rules would see running the reports one at a time."""
    reports = sorted(reports, key=lambda report: report.pk)
    sizes = {}
    with transaction.atomic():
        neighbours = _neighbours_many(reports)
        _lock_clusters_of({pk for found in neighbours.values() for pk in found})
        for report in reports:  # in order: each union builds on the ones before
            cluster = _link(report, neighbours[report.pk])
            sizes[report.pk] = cluster.size if cluster is not None else 1
    return sizes


def _link(report: Report, neighbours: dict[int, str]) -> Cluster | None:
    """Join the report and its neighbours into one cluster; the cluster, or None if alone."""
    if not neighbours:
        return None
    via = ", ".join(sorted(set(neighbours.values())))
    members = Report.objects.filter(pk__in=[*neighbours, report.pk])
    cluster_ids = sorted({c for c in members.values_list("cluster_id", flat=True) if c})
    clusters = list(Cluster.objects.select_for_update().filter(pk__in=cluster_ids).order_by("pk"))
    target = (
        clusters[0]
        if clusters
        else Cluster.objects.create(
            created_at=utcnow(), first_seen=report.received_at, last_seen=report.received_at
        )
    )
    _absorb(target, clusters[1:], report, via)
    joining = members.exclude(cluster_id=target.pk)
    if joining.exists():
        joining.update(cluster_id=target.pk)
        ClusterMerge.objects.create(into=target, report=report, via=via, at=utcnow())
    _refresh(target)
    report.cluster_id = target.pk
    return target
