"""The matcher's tables: blind index entries, reviewers' decisions, fitted profiles.

None of them holds a name or an identifier in clear. The people themselves stay in their owners'
tables (cases, missing, travellers), encrypted; an owner is named here by kind and id only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from tipline.people.choices import Decision


class BlindIndexEntry(models.Model):
    """One keyed digest of one term of one indexed person (CipherSweet's blind index).

    `digest` is HMAC-SHA256 under TIPLINE_BLIND_INDEX_KEY of the term kind and its normalised
    value (a name token, its canonical form or phonetic code, that code with a birth year, a
    phone...), cut to
    128 bits: no collision among a registry's terms is plausible, and the index stays small.
    """

    owner_kind = models.CharField(max_length=32)
    owner_id = models.CharField(max_length=64)
    term_kind = models.CharField(max_length=16)
    digest = models.CharField(max_length=32)

    class Meta:
        indexes = [
            # owner_id rides along so a look-up reads the index alone, never the table.
            models.Index(
                fields=["owner_kind", "term_kind", "digest", "owner_id"], name="people_blind_lookup"
            ),
            models.Index(fields=["owner_kind", "owner_id"], name="people_blind_owner"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_kind", "owner_id", "term_kind", "digest"],
                name="people_blind_term_once",
                violation_error_message="This term is already indexed for this person.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_kind}:{self.owner_id} {self.term_kind}"


class MatchDecision(models.Model):
    """A reviewer's word on one pair: the same person or not. The labels the model is fitted on.

    `comparison` is the comparison vector the reviewer saw (field -> level, no names), and
    `probability_then` the probability shown, so a re-fit and its calibration can be checked.
    A later decision on the same pair replaces the earlier one (the audit log keeps both).
    """

    owner_kind = models.CharField(max_length=32)
    left_id = models.CharField(max_length=64)
    right_id = models.CharField(max_length=64)
    decision = models.CharField(max_length=12, choices=Decision.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="match_decisions"
    )
    at = models.DateTimeField()
    probability_then = models.FloatField()
    comparison: models.JSONField[Any, Any] = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["owner_kind", "at"], name="people_decision_kind_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_kind", "left_id", "right_id"],
                name="people_one_decision_per_pair",
                violation_error_message="This pair already has a decision.",
            ),
            models.CheckConstraint(
                condition=models.Q(probability_then__gte=0) & models.Q(probability_then__lte=1),
                name="people_decision_probability_range",
                violation_error_message="A probability lies between 0 and 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner_kind}:{self.left_id}~{self.right_id} {self.decision}"


class FittedProfile(models.Model):
    """Parameters fitted on one owner kind's decisions (m and u per level, calibration); the
    newest is used over the caller's defaults. Kept, not replaced, so a fit can be compared."""

    owner_kind = models.CharField(max_length=32)
    fitted_at = models.DateTimeField()
    confirmed = models.PositiveIntegerField()
    rejected = models.PositiveIntegerField()
    parameters: models.JSONField[Any, Any] = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["owner_kind", "-fitted_at"], name="people_fit_newest")]

    def __str__(self) -> str:
        return f"{self.owner_kind} fitted {self.fitted_at:%Y-%m-%d %H:%M}"
