"""On invented Nigerian people with corrupted sightings of them, the true record ranks first in
most cases and the probabilities are calibrated (the figures are printed with `-s`)."""

from __future__ import annotations

import math

import pytest

from tipline.people.profiles import default_profile
from tipline.people.scoring import expected_calibration_error, fit_calibration, sigmoid
from tipline.people.services import people_index_many
from tipline.people.synthetic import Population, evaluate, summary

KIND = "test_evaluation"


@pytest.mark.django_db
def test_true_records_rank_first_and_probabilities_are_calibrated() -> None:
    population = Population(2026)
    registry = [population.person() for _ in range(800)]
    people_index_many(owner_kind=KIND, people=enumerate(registry))
    queries = population.queries(registry, 200, absent_share=0.2)
    outcome = evaluate(
        owner_kind=KIND,
        profile=default_profile("case_person"),
        queries=queries,
        load=lambda ids: {owner: registry[int(owner)] for owner in ids},
    )
    figures = summary(outcome)
    print(figures)  # shown with -s: the figures quoted in the report

    assert figures["recall_at_1"] >= 0.9
    assert figures["recall_at_5"] >= 0.95
    assert figures["precision"] >= 0.9
    assert figures["ece"] <= 0.03
    # Recalibrated on the first half of the pairs, still calibrated on the second half.
    half = len(outcome.pairs) // 2
    logits = [math.log2(max(p, 1e-12) / max(1 - p, 1e-12)) for p, _ in outcome.pairs]
    fitted = fit_calibration(logits[:half], [y for _, y in outcome.pairs[:half]])
    assert fitted is not None
    held_out = [sigmoid(fitted[0] * w * math.log(2) + fitted[1]) for w in logits[half:]]
    assert expected_calibration_error(held_out, [y for _, y in outcome.pairs[half:]]) <= 0.03
