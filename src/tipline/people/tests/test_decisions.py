"""Reviewers' decisions are kept and audited, and the model re-fits from them."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.people.choices import Decision
from tipline.people.models import FittedProfile, MatchDecision
from tipline.people.scoring import Score
from tipline.people.selectors import people_profile
from tipline.people.services import people_decide, people_fit

KIND = "test_fit"


def _score(probability: float, **comparison: str | None) -> Score:
    return Score(probability, 0.0, (), dict(comparison))


def _pattern(weights: dict[str, int]) -> list[str]:
    """Levels in the given proportions (out of 20), interleaved, for a deterministic label set."""
    levels = [level for level, n in weights.items() for _ in range(n)]
    return [levels[(i * 7) % len(levels)] for i in range(len(levels))]


@pytest.mark.django_db
def test_a_decision_is_kept_with_what_the_reviewer_saw_and_audited(
    lagos_analyst: User,
) -> None:
    score = _score(0.83, given_name="alias", dob="age", phone=None)
    row = people_decide(
        owner_kind=KIND, left_id=11, right_id="22", decision=Decision.CONFIRMED,
        by=lagos_analyst, score=score,
    )  # fmt: skip
    assert (row.left_id, row.right_id, row.probability_then) == ("11", "22", 0.83)
    assert row.comparison == {"given_name": "alias", "dob": "age", "phone": None}
    event = AuditEvent.objects.get(action="people.decide")
    assert event.actor_id == lagos_analyst.pk and event.object_id == str(row.pk)
    assert event.after["decision"] == "confirmed" and event.before is None

    people_decide(
        owner_kind=KIND, left_id=11, right_id=22, decision=Decision.REJECTED,
        by=lagos_analyst, score=score,
    )  # fmt: skip
    assert MatchDecision.objects.get().decision == "rejected"
    changed = AuditEvent.objects.filter(action="people.decide").order_by("-seq").first()
    assert changed is not None and changed.before == {"decision": "confirmed"}


@pytest.mark.django_db
def test_the_fit_recovers_m_and_u_from_labels(make_user: Callable[..., User]) -> None:
    reviewer = make_user()
    truth_m = {"exact": 12, "alias": 4, "phonetic": 2, "else": 2}
    truth_u = {"exact": 1, "jw80": 1, "else": 18}
    for n in range(10):
        for i, level in enumerate(_pattern(truth_m)):
            _decide(reviewer, f"c{n}-{i}", Decision.CONFIRMED, level, "exact" if i % 4 else "year")
        for i, level in enumerate(_pattern(truth_u)):
            _decide(reviewer, f"r{n}-{i}", Decision.REJECTED, level, "mismatch")

    profile, row = people_fit(owner_kind=KIND, by=reviewer)

    assert (row.confirmed, row.rejected) == (200, 200)
    for level, count in truth_m.items():
        assert profile.m["given_name"][level] == pytest.approx(count / 20, abs=0.02)
    for level, count in truth_u.items():
        assert profile.u["given_name"][level] == pytest.approx(count / 20, abs=0.02)
    assert profile.m["dob"]["exact"] == pytest.approx(0.75, abs=0.02)
    assert profile.u["dob"]["mismatch"] == pytest.approx(1.0, abs=0.03)
    assert profile.calibration is not None
    assert people_profile(owner_kind=KIND).m == profile.m
    assert AuditEvent.objects.filter(action="people.fit", object_id=str(row.pk)).exists()


def _decide(by: User, left: str, decision: Decision, given: str, dob: str) -> Any:
    return people_decide(
        owner_kind=KIND, left_id=left, right_id="x", decision=decision, by=by,
        score=_score(0.5, given_name=given, dob=dob),
    )  # fmt: skip


@pytest.mark.django_db
def test_the_fit_command_prints_the_fitted_parameters(lagos_analyst: User) -> None:
    _decide(lagos_analyst, "a", Decision.CONFIRMED, "exact", "exact")
    _decide(lagos_analyst, "b", Decision.REJECTED, "else", "mismatch")
    out = io.StringIO()
    call_command("people_fit", "--kind", KIND, stdout=out)
    text = out.getvalue()
    fitted = FittedProfile.objects.get(owner_kind=KIND).parameters
    assert "Fitted test_fit on 1 confirmed and 1 rejected pairs" in text
    assert f"m={fitted['m']['given_name']['exact']:.4f}" in text
    assert "calibration: a=" in text
