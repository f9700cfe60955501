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
from django.db.models import Count, Max, Min, Q

from tipline.common.db import bulk_save_fields, insert_rows
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
# OR-ed index ranges per statement: SQLite refuses an expression tree deeper than 1000, and
# PostgreSQL plans a long OR in more than linear time.
IP_RANGES_PER_STATEMENT = 200


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


# The columns `_links` and `_observations` give, in order: plain rows, no model per row.
_LINK_FIELDS = ("report", "identifier", "source", "as_written", "details")
_OBSERVATION_FIELDS = ("report", "ip", "port", "observed_at", "event", "private")


def _links(
    report: Report, harvest: Harvest, stored: dict[tuple[str, str], Identifier]
) -> Iterator[tuple[Any, ...]]:
    for key, (found, source) in harvest.found.items():
        yield report.pk, stored[key].pk, source, found.value[:500], dict(found.details)


def _observations(report: Report, harvest: Harvest) -> Iterator[tuple[Any, ...]]:
    for ip, port, at, event, private in harvest.ips:
        yield report.pk, ip, port, at, event[:40], private


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
        # Plain rows (COPY on PostgreSQL): a batch's links are a few hundred, and building and
        # compiling a model for each cost more than writing them.
        insert_rows(
            ReportIdentifier,
            _LINK_FIELDS,
            [link for report, harvest in harvests for link in _links(report, harvest, stored)],
        )
        insert_rows(
            IpObservation,
            _OBSERVATION_FIELDS,
            [obs for report, harvest in harvests for obs in _observations(report, harvest)],
        )
    return {report.pk: len(harvest.found) for report, harvest in harvests}


def _seen_near(observations: list[IpObservation]) -> Iterator[tuple[int, str, int, datetime]]:
    """Every observation at the same IP and port within the window of one of these."""
    ranges = Q()
    for obs in observations:
        assert obs.observed_at is not None  # noqa: S101  # only timed observations are given
        ranges |= Q(
            ip=obs.ip,
            port=obs.port,
            observed_at__gte=obs.observed_at - IP_LINK_WINDOW,
            observed_at__lte=obs.observed_at + IP_LINK_WINDOW,
        )
    rows = IpObservation.objects.filter(ranges).values_list(
        "report_id", "ip", "port", "observed_at"
    )
    for other, ip, port, at in rows:
        if port is not None and at is not None:  # always, given the ranges
            yield other, ip, port, at


def _ip_neighbours_many(timed: dict[int, list[IpObservation]]) -> dict[int, dict[int, str]]:
    """By report, the reports seen at the same IP and port within the window of one of its timed
    observations: a statement per 200 observations of the batch, each one range of the index."""
    every = [obs for group in timed.values() for obs in group]
    seen: dict[tuple[str, int | None], list[tuple[int, datetime]]] = defaultdict(list)
    for start in range(0, len(every), IP_RANGES_PER_STATEMENT):
        for other, ip, port, at in _seen_near(every[start : start + IP_RANGES_PER_STATEMENT]):
            seen[(ip, port)].append((other, at))
    found: dict[int, dict[int, str]] = defaultdict(dict)
    for report_id, group in timed.items():
        for obs in group:
            when = obs.observed_at
            for other, at in seen[(obs.ip, obs.port)]:
                if when and other != report_id and abs(at - when) <= IP_LINK_WINDOW:
                    found[report_id][other] = "ip+port+time"
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
    result, batch, near = {}, set(ids), _ip_neighbours_many(timed)
    for report in reports:
        by_ip = near.get(report.pk, {})
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


def report_link(*, report: Report) -> int | None:
    """Join the report to the cluster of every report sharing a strong identifier or IP+port+time.

    Incremental union-find: the oldest cluster absorbs the others and every union is recorded.
    Weak identifiers (an IP alone, a display name) never link. Returns the cluster id or None.
    """
    reports_link(reports=[report])
    return report.cluster_id


def reports_link(*, reports: list[Report]) -> dict[int, int]:
    """`report_link` for each report of a batch in turn (oldest first), as one union-find pass.

    Neighbours, their clusters and those clusters' members are read all at once; the unions are
    worked out in memory, each report building on the ones before, then written in a few
    statements. Returns, by report id, the size of its cluster just after it joined (1 if alone):
    what the priority rules would see running the reports one at a time.
    """
    reports = sorted(reports, key=lambda report: report.pk)
    with transaction.atomic():
        neighbours = _neighbours_many(reports)
        unions = _Unions.load(reports, neighbours)
        sizes = {report.pk: unions.join(report, neighbours[report.pk]) for report in reports}
        unions.store()
    for report in reports:
        report.cluster_id = unions.cluster_id_of(report.pk)
    return sizes


@dataclass
class _Clustered:
    """A cluster as the batch sees it: its counts and span, and where it was merged to."""

    row: Cluster
    order: tuple[int, int]  # stored clusters by id, then new ones in the order they were made
    size: int = 0
    first: datetime | None = None
    last: datetime | None = None
    parent: _Clustered | None = None
    touched: bool = False

    def settle(self) -> None:
        """Put the worked-out size and span into the row."""
        self.row.size = self.size
        if self.first is not None and self.last is not None:  # a cluster always has a report
            self.row.first_seen, self.row.last_seen = self.first, self.last

    def root(self) -> _Clustered:
        node = self
        while node.parent is not None:
            node = node.parent
        return node

    def add(self, size: int, first: datetime | None, last: datetime | None) -> None:
        self.size += size
        if first is not None and (self.first is None or first < self.first):
            self.first = first
        if last is not None and (self.last is None or last > self.last):
            self.last = last
        self.touched = True


def _members_of_locked_clusters(
    members: set[int],
) -> tuple[dict[int, tuple[int | None, datetime]], dict[int, _Clustered]]:
    """Each member's cluster and time received, read again once its cluster is locked: another
    batch may have moved it (merged its cluster away) between the first read and the lock."""
    clusters: dict[int, _Clustered] = {}
    while True:
        rows = Report.objects.filter(pk__in=members).values_list("pk", "cluster_id", "received_at")
        at = {pk: (cluster_id, received) for pk, cluster_id, received in rows}
        missing = sorted({c for c, _ in at.values() if c is not None} - set(clusters))
        if not missing:
            return at, clusters
        locked = Cluster.objects.select_for_update().filter(pk__in=missing).order_by("pk")
        found = {row.pk: _Clustered(row=row, order=(0, row.pk)) for row in locked}
        if not found:  # clusters are never deleted: say so rather than loop
            raise RuntimeError(f"Reports point at clusters that do not exist: {missing}")
        clusters.update(found)


class _Unions:
    """Incremental union-find over the clusters a batch touches, written back at the end."""

    def __init__(
        self, loaded: dict[int, tuple[int | None, datetime]], clusters: dict[int, _Clustered]
    ) -> None:
        self.loaded = loaded  # each member's stored cluster id and time received
        self.stored = clusters
        self.cluster_of = {pk: clusters.get(c) if c else None for pk, (c, _) in loaded.items()}
        self.new: list[_Clustered] = []
        self.merges: list[ClusterMerge] = []

    @classmethod
    def load(cls, reports: list[Report], neighbours: dict[int, dict[int, str]]) -> _Unions:
        """Read the members' clusters, locked in id order (two batches never wait on each other
        crosswise), with each cluster's size and span counted from its reports."""
        members = {report.pk for report in reports}.union(*map(set, neighbours.values()))
        at, clusters = _members_of_locked_clusters(members)
        counted = (
            Report.objects.filter(cluster_id__in=list(clusters))
            .values_list("cluster_id")
            .annotate(n=Count("pk"), first=Min("received_at"), last=Max("received_at"))
        )
        for cluster_id, n, first, last in counted:
            node = clusters[cluster_id]
            node.size, node.first, node.last = n, first, last
        return cls(at, clusters)

    def _cluster(self, pk: int) -> _Clustered | None:
        node = self.cluster_of.get(pk)
        return node.root() if node is not None else None

    def cluster_id_of(self, pk: int) -> int | None:
        node = self._cluster(pk)
        return node.row.pk if node is not None else None

    def join(self, report: Report, neighbours: dict[int, str]) -> int:
        """The report and its neighbours become one cluster: the oldest absorbs the others, and
        every union is recorded. Returns the cluster's size after it (1 if there is none)."""
        if not neighbours:
            return 1
        via = ", ".join(sorted(set(neighbours.values())))
        members = [*neighbours, report.pk]
        found = {node.order: node for pk in members if (node := self._cluster(pk)) is not None}
        ordered = [found[order] for order in sorted(found)]
        target = ordered[0] if ordered else self._new_cluster()
        for other in ordered[1:]:
            other.parent = target
            target.add(other.size, other.first, other.last)
            self._merge(target, report, via, absorbed=other)
        joining = [pk for pk in members if self._cluster(pk) is None]
        for pk in joining:
            self.cluster_of[pk] = target
            received = self.loaded[pk][1]
            target.add(1, received, received)
        if joining:
            self._merge(target, report, via)
        return target.size

    def _new_cluster(self) -> _Clustered:
        row = Cluster(created_at=utcnow())
        node = _Clustered(row=row, order=(1, len(self.new)))
        self.new.append(node)
        return node

    def _merge(
        self, into: _Clustered, report: Report, via: str, absorbed: _Clustered | None = None
    ) -> None:
        self.merges.append(
            ClusterMerge(
                into=into.row,
                absorbed=absorbed.row if absorbed else None,
                report=report,
                via=via,
                at=utcnow(),
            )
        )

    def store(self) -> None:
        """Write what the unions changed: new clusters, cluster counts and merges, and every
        report's cluster (all of an absorbed stored cluster's reports move, read or not)."""
        nodes = [*self.stored.values(), *self.new]
        for node in nodes:
            node.settle()
        Cluster.objects.bulk_create([node.row for node in self.new])
        for node in nodes:  # after the new clusters have ids to point at
            if node.parent is not None:
                node.row.merged_into = node.parent.row
        changed = [node.row for node in self.stored.values() if node.touched or node.parent]
        bulk_save_fields(changed, ["size", "first_seen", "last_seen", "merged_into"])
        bulk_save_fields([node.row for node in self.new if node.parent], ["merged_into"])
        for node in self.stored.values():
            if node.parent is not None:
                moved = Report.objects.filter(cluster_id=node.row.pk)
                moved.update(cluster_id=node.root().row.pk)
        self._store_members()
        ClusterMerge.objects.bulk_create(self.merges)

    def _store_members(self) -> None:
        # Members of an absorbed stored cluster were moved with all its reports just before.
        moved = [
            Report(pk=pk, cluster_id=final)
            for pk, (stored, _) in sorted(self.loaded.items())  # rows locked in id order
            if (stored is None or self.stored[stored].parent is None)
            and stored != (final := self.cluster_id_of(pk))
        ]
        bulk_save_fields(moved, ["cluster_id"])
