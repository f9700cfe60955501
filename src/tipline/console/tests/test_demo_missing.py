"""The demo's missing children: records from every source, alerts, matched sightings."""

from __future__ import annotations

import random
from collections.abc import Callable

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.console.demo_missing import CHILDREN, demo_missing
from tipline.missing.choices import CandidateState, MessageType, RecordStatus
from tipline.missing.models import AlertMessage, MatchCandidate, MissingRecord, Sighting


def test_demo_children_alerts_and_a_confirmed_sighting(make_user: Callable[..., User]) -> None:
    make_user(Role.ANALYST, ("LAG",))
    make_user(Role.SUPERVISOR, (), national=True)
    made = demo_missing(rng=random.Random(7))
    assert made.records == CHILDREN == MissingRecord.objects.count()
    assert {r.source for r in MissingRecord.objects.all()} == {"console", "public", "api"}
    assert made.alerts == AlertMessage.objects.filter(msg_type=MessageType.ALERT).count() > 0
    assert all(r.photos.exists() for r in MissingRecord.objects.all())
    assert MatchCandidate.objects.filter(state=CandidateState.OPEN).exists()
    assert Sighting.objects.count() == 1
    assert MissingRecord.objects.filter(status=RecordStatus.SIGHTED).count() == 1
    assert demo_missing(rng=random.Random(7)).records == 0  # once only
