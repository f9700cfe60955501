"""Fellegi-Sunter scoring of one pair, with the maths written out here rather than splink's.

Why not splink: splink (5.0, MIT) needs DuckDB, pyarrow and sqlglot (Spark or a SQLAlchemy
PostgreSQL backend optionally) and is built to link whole tables in batch through SQL. The
matcher's path is online: one person against a few dozen candidates the blind index found, in
memory, in a request. The model itself is small, so it is written out here, in splink's terms:

- each field compares at a level (`compare.LEVELS`); a level has m = P(level | same person) and
  u = P(level | different people); a field missing on either side contributes nothing;
- the match weight is log2(lambda / (1 - lambda)) + sum of log2(m / u), lambda the prior
  probability that a pair put to the matcher is one person;
- the probability is 2^w / (1 + 2^w), optionally recalibrated on reviewers' labels by a logistic
  fit on w (Platt scaling), since the fields are not independent as the model assumes.

Each caller supplies its own `MatchProfile` (fields, m, u, prior); `people_fit` re-estimates m and
u from decisions.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from tipline.people.compare import LEVELS, Level, compare
from tipline.people.person import PersonFields

Probabilities = Mapping[str, Mapping[str, float]]
# Hand-set starting points, from how often each level occurs for one person seen twice (m) and
# for two people drawn at random from a national registry (u). A fit on labels replaces them.
DEFAULT_M: dict[str, dict[str, float]] = {
    "given_name": {
        "exact": 0.70, "alias": 0.12, "phonetic": 0.06, "jw90": 0.05, "jw80": 0.03, "else": 0.04
    },
    "family_name": {
        "exact": 0.75, "alias": 0.04, "phonetic": 0.07, "jw90": 0.06, "jw80": 0.03, "else": 0.05
    },
    "dob": {"exact": 0.70, "year": 0.17, "age": 0.09, "mismatch": 0.04},
    "sex": {"same": 0.97, "different": 0.03},
    "phone": {"shared": 0.60, "different": 0.40},
    "email": {"shared": 0.60, "different": 0.40},
    "username": {"shared": 0.55, "different": 0.45},
    "document": {"shared": 0.85, "different": 0.15},
    "place": {"lga": 0.50, "state": 0.30, "else": 0.20},
    "nationality": {"same": 0.95, "different": 0.05},
    # A child seen again is mostly seen near where they went missing, and soon.
    "distance": {"close": 0.45, "near": 0.25, "region": 0.18, "far": 0.12},
    "elapsed": {"days": 0.45, "weeks": 0.25, "months": 0.20, "years": 0.10},
    "photo": {"match": 0.60, "similar": 0.25, "different": 0.15},
}  # fmt: skip
DEFAULT_U: dict[str, dict[str, float]] = {
    "given_name": {
        "exact": 0.01, "alias": 0.004, "phonetic": 0.01, "jw90": 0.01, "jw80": 0.04, "else": 0.926
    },
    "family_name": {
        "exact": 0.01, "alias": 0.001, "phonetic": 0.01, "jw90": 0.01, "jw80": 0.03, "else": 0.939
    },
    "dob": {"exact": 0.0003, "year": 0.06, "age": 0.01, "mismatch": 0.9297},
    "sex": {"same": 0.5, "different": 0.5},
    "phone": {"shared": 0.0001, "different": 0.9999},
    "email": {"shared": 0.0001, "different": 0.9999},
    "username": {"shared": 0.0001, "different": 0.9999},
    "document": {"shared": 0.00001, "different": 0.99999},
    "place": {"lga": 0.01, "state": 0.05, "else": 0.94},
    "nationality": {"same": 0.6, "different": 0.4},
    "distance": {"close": 0.01, "near": 0.04, "region": 0.15, "far": 0.80},
    "elapsed": {"days": 0.05, "weeks": 0.10, "months": 0.25, "years": 0.60},
    "photo": {"match": 0.0005, "similar": 0.02, "different": 0.9795},
}  # fmt: skip
# m and u are kept away from 0 and 1, so no single level can make a pair certain or impossible.
FLOOR = 1e-6


@dataclass(frozen=True, kw_only=True)
class MatchProfile:
    """A caller's model: which fields it compares, their m and u per level, the prior lambda,
    and an optional recalibration (a, b): probability = sigmoid(a * weight * ln 2 + b)."""

    name: str
    fields: tuple[str, ...]
    m: Probabilities = field(default_factory=lambda: DEFAULT_M)
    u: Probabilities = field(default_factory=lambda: DEFAULT_U)
    prior: float = 1e-3
    calibration: tuple[float, float] | None = None

    def with_parameters(
        self, *, m: Probabilities, u: Probabilities, calibration: tuple[float, float] | None
    ) -> MatchProfile:
        """The same profile with fitted parameters."""
        return replace(self, m=m, u=u, calibration=calibration)

    # Worked out once per profile (every pair of every look-up weighs with them); a profile is
    # frozen and `with_parameters` makes a new one.
    @cached_property
    def bits(self) -> dict[str, dict[str, float]]:
        """log2(m / u) of each level of each of the profile's fields (`level_bits`)."""
        return {f: {lv: level_bits(self, f, lv) for lv in self.m[f]} for f in self.fields}

    @cached_property
    def prior_weight(self) -> float:
        """The prior in bits (`prior_bits`)."""
        return prior_bits(self.prior)

    @cached_property
    def most_bits(self) -> dict[str, float]:
        """The most each field can add (0 when no level adds anything)."""
        return {f: max(0.0, *self.bits[f].values()) for f in self.fields}


@dataclass(frozen=True)
class Reason:
    """One field's part of a score: its level, what it adds in bits, and the words."""

    field: str
    level: str | None
    bits: float
    text: str


@dataclass(frozen=True)
class Score:
    """A pair's probability of being one person, with the field-by-field reasons, the match
    weight (bits) and the comparison vector (field -> level, None when not compared)."""

    probability: float
    weight: float
    reasons: tuple[Reason, ...]
    comparison: dict[str, str | None]


def level_bits(profile: MatchProfile, field_name: str, level: str | None) -> float:
    """log2(m / u) of one field's level; 0 when the field was not compared."""
    if level is None:
        return 0.0
    m = min(max(profile.m[field_name][level], FLOOR), 1 - FLOOR)
    u = min(max(profile.u[field_name][level], FLOOR), 1 - FLOOR)
    return math.log2(m / u)


def prior_bits(prior: float) -> float:
    return math.log2(prior / (1 - prior))


def probability(profile: MatchProfile, weight: float) -> float:
    """The posterior for a match weight in bits, recalibrated when the profile says so."""
    if profile.calibration:
        a, b = profile.calibration
        return sigmoid(a * weight * math.log(2) + b)
    return sigmoid(weight * math.log(2))


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)


def weight_of(profile: MatchProfile, comparison: Mapping[str, str | None]) -> float:
    """The match weight of a stored comparison vector under (perhaps other) parameters."""
    bits = prior_bits(profile.prior)
    for name in profile.fields:
        bits += level_bits(profile, name, comparison.get(name))
    return bits


def people_score(*, profile: MatchProfile, left: PersonFields, right: PersonFields) -> Score:
    """Score one pair: each of the profile's fields compared, weighed and put into words."""
    return _weighed(profile, [compare(name, left, right) for name in profile.fields])


def _weighed(profile: MatchProfile, levels: list[Level]) -> Score:
    bits = profile.bits
    reasons = tuple(
        Reason(lv.field, lv.level, bits[lv.field][lv.level] if lv.level else 0.0, lv.reason)
        for lv in levels
    )
    weight = profile.prior_weight + sum(r.bits for r in reasons)
    comparison = {lv.field: lv.level for lv in levels}
    return Score(probability(profile, weight), weight, reasons, comparison)


# The fields `people_score_from` compares last: the costly ones (a place named loosely, the stay)
# and those that can add little, so a pair that the others rule out never reaches them.
LATE_FIELDS = ("venue", "stay", "nationality_said", "sex", "nationality")


def people_score_from(
    *, profile: MatchProfile, left: PersonFields, right: PersonFields, least: float
) -> Score | None:
    """`people_score`, or None when the pair cannot reach probability `least`: the fields of
    LATE_FIELDS are compared only if the others' weight, with the most those could add, still
    reaches it. Exact: a pair given None would have scored below `least`. For a caller that
    keeps only the pairs above a floor (the travel matcher's shortlist of 50)."""
    late = [f for f in profile.fields if f in LATE_FIELDS]
    a = profile.calibration[0] if profile.calibration else 1.0
    if not late or a <= 0:  # a probability that does not grow with the weight: no bound
        return people_score(profile=profile, left=left, right=right)
    bits = profile.bits
    early = {name: compare(name, left, right) for name in profile.fields if name not in late}
    weight = profile.prior_weight + sum(
        bits[name][lv.level] for name, lv in early.items() if lv.level
    )
    if probability(profile, weight + sum(profile.most_bits[f] for f in late)) < least:
        return None
    return _weighed(
        profile, [early.get(name) or compare(name, left, right) for name in profile.fields]
    )


# Pseudo-counts pulling a fitted m or u towards the profile it starts from: a handful of labels
# nudge it, hundreds decide it.
PRIOR_STRENGTH = 5.0
Vector = Mapping[str, str | None]


def fit_profile(
    profile: MatchProfile,
    labelled: Sequence[tuple[Vector, bool]],
    *,
    unmatched: Sequence[Vector] = (),
) -> MatchProfile:
    """m from the pairs labelled the same person, u from those labelled different plus any
    `unmatched` vectors (random pairs), then the recalibration on all the labels.

    Each estimate is smoothed towards the profile's value with PRIOR_STRENGTH pseudo-counts, so a
    level no reviewer has seen keeps its prior rather than falling to zero.
    """
    matches = [v for v, same in labelled if same]
    others = [v for v, same in labelled if not same] + list(unmatched)
    # Fields outside the profile keep their values, so a fitted profile has every field's table.
    m = {**profile.m, **{f: _estimate(profile.m[f], matches, f) for f in profile.fields}}
    u = {**profile.u, **{f: _estimate(profile.u[f], others, f) for f in profile.fields}}
    fitted = profile.with_parameters(m=m, u=u, calibration=None)
    weights = [weight_of(fitted, v) for v, _ in labelled]
    calibration = fit_calibration(weights, [same for _, same in labelled])
    return fitted.with_parameters(m=m, u=u, calibration=calibration)


def _estimate(
    prior: Mapping[str, float], vectors: list[Vector], field_name: str
) -> dict[str, float]:
    """P(level) among the vectors that compared the field, smoothed towards `prior`."""
    counts = Counter(v.get(field_name) for v in vectors)
    seen = sum(n for level, n in counts.items() if level in LEVELS[field_name])
    return {
        level: (counts[level] + PRIOR_STRENGTH * prior[level]) / (seen + PRIOR_STRENGTH)
        for level in LEVELS[field_name]
    }


def fit_calibration(
    weights: Sequence[float], labels: Sequence[bool], *, steps: int = 50
) -> tuple[float, float] | None:
    """Platt scaling: (a, b) of the logistic fit of the labels on the weights (nats), by Newton's
    method with a little ridge so a separable set still converges; None without both labels."""
    if len(set(labels)) < 2:
        return None
    xs = [w * math.log(2) for w in weights]
    # From zero every p is 1/2 and the curvature is at its largest, where Newton is safe.
    a, b, ridge = 0.0, 0.0, 1e-2
    for _ in range(steps):
        ga, gb, haa, hab, hbb = ridge * a, ridge * b, ridge, 0.0, ridge
        for x, y in zip(xs, labels, strict=True):
            p = sigmoid(a * x + b)
            ga, gb = ga + (p - y) * x, gb + (p - y)
            h = p * (1 - p)
            haa, hab, hbb = haa + h * x * x, hab + h * x, hbb + h
        det = haa * hbb - hab * hab
        if det <= 0:
            break
        a, b = a - (hbb * ga - hab * gb) / det, b - (haa * gb - hab * ga) / det
    return a, b


def expected_calibration_error(
    probabilities: Sequence[float], labels: Sequence[bool], *, bins: int = 10
) -> float:
    """ECE: the gap between predicted and observed match rates, over equal-width bins, weighted
    by each bin's share of the pairs."""
    if not probabilities:
        return 0.0
    total, error = len(probabilities), 0.0
    for index in range(bins):
        low, high = index / bins, (index + 1) / bins
        members = [
            (p, y)
            for p, y in zip(probabilities, labels, strict=True)
            if low <= p < high or (index == bins - 1 and p == 1.0)
        ]
        if members:
            predicted = sum(p for p, _ in members) / len(members)
            observed = sum(1 for _, y in members if y) / len(members)
            error += len(members) / total * abs(predicted - observed)
    return error


def check_profile(profile: MatchProfile) -> None:
    """Refuse a profile that names a field or level the comparisons do not know."""
    for name in profile.fields:
        if name not in LEVELS:
            raise ValueError(f"Unknown field {name!r} in profile {profile.name!r}.")
        for table in (profile.m, profile.u):
            if set(table.get(name, {})) != set(LEVELS[name]):
                raise ValueError(f"Profile {profile.name!r} lacks levels of {name!r}.")
