"""Every priority rule has its own case, positive and negative; a new rule without one fails."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest

from tipline.triage.priority import (
    RULES_PATH,
    HashMatchFact,
    ReportFacts,
    RulesError,
    load_rules,
    parse_rules,
    prioritise,
)

BASE = ReportFacts(incident_type="online_enticement")
UNIDENTIFIED = HashMatchFact("Invented unidentified-victim list", True, "vics:1", 3, "pdq")

# rule id -> (facts that fire it, facts that must not, text the reason must contain)
CASES: dict[str, tuple[ReportFacts, ReportFacts, str]] = {
    "p1_unidentified_victim_match": (
        replace(BASE, hash_matches=(UNIDENTIFIED,)),
        replace(BASE, hash_matches=(replace(UNIDENTIFIED, unidentified_victim=False),)),
        "Invented unidentified-victim list",
    ),
    "p1_ongoing_abuse_annotation": (
        replace(BASE, annotations=frozenset({"ongoing_abuse"})),
        BASE,
        "ongoing",
    ),
    "p1_ongoing_abuse_text": (
        replace(BASE, texts=("Her uncle still abuses her at night.",)),
        replace(BASE, texts=("He abused her years ago, she is safe now.",)),
        "still abuses",
    ),
    "p1_meeting_annotation": (
        replace(BASE, annotations=frozenset({"meeting_arranged"})),
        BASE,
        "meeting",
    ),
    "p1_meeting_text": (
        replace(BASE, texts=("He told her he will meet her tomorrow after school.",)),
        replace(BASE, texts=("He did not meet her tomorrow or ever.",)),
        "meet her tomorrow",
    ),
    "p1_live_streaming": (
        replace(BASE, annotations=frozenset({"live_streaming"})),
        BASE,
        "live-streamed",
    ),
    "p1_live_streaming_text": (
        replace(BASE, texts=("They are going live with the girl on the app.",)),
        replace(BASE, texts=("She watched a football match.",)),
        "going live",
    ),
    "p1_sextortion_self_harm": (
        replace(
            BASE,
            incident_type="financial_sextortion",
            texts=("He says he will kill himself if they post the pictures.",),
        ),
        replace(
            BASE,
            incident_type="financial_sextortion",
            texts=("He is scared but safe with his parents.",),
        ),
        "kill himself",
    ),
    "p2_sextortion": (replace(BASE, annotations=frozenset({"sextortion"})), BASE, "Sextortion"),
    "p2_child_sex_trafficking": (
        replace(BASE, incident_type="child_sex_trafficking"),
        BASE,
        "trafficking",
    ),
    "p2_enticement_of_minor": (
        replace(BASE, victim_ages=(13,)),
        replace(BASE, victim_ages=(19,)),
        "aged 13",
    ),
    "p2_images_asked_of_child": (
        replace(BASE, texts=("An invented man keeps asking her for pictures.",)),
        replace(
            BASE,
            incident_type="labour_exploitation",
            texts=("An invented man keeps asking her for pictures.",),
        ),
        "asking her for pictures",
    ),
    "p2_platform_escalation": (replace(BASE, escalation_requested=True), BASE, "escalated"),
    "p2_recent_with_minor": (
        replace(BASE, has_minor_victim=True, incident_age_hours=3),
        replace(BASE, has_minor_victim=True, incident_age_hours=100),
        "24 hours",
    ),
    "p2_baby_selling": (replace(BASE, incident_type="baby_selling"), BASE, "baby selling"),
    "p2_repeat_offender": (
        replace(BASE, cluster_size=6),
        replace(BASE, cluster_size=2),
        "6 reports",
    ),
    "p2_molestation": (replace(BASE, incident_type="child_sexual_molestation"), BASE, "Hands-on"),
    "p2_child_recruited_with_trafficking_signs": (
        replace(BASE, victim_ages=(15,), screening_level="high", screening_indicators=("oath",)),
        replace(BASE, victim_ages=(15,), screening_level="medium"),
        "aged 15 and strong signs of trafficking in the words (oath)",
    ),
    "p3_screening_recruitment_signs": (
        replace(BASE, screening_level="medium", screening_indicators=("free_travel", "oath")),
        replace(BASE, screening_level="low", screening_indicators=("whatsapp_only",)),
        "medium signs of deceptive recruitment or trafficking (free_travel, oath)",
    ),
    "p3_csam": (replace(BASE, incident_type="child_pornography"), BASE, "material"),
    "p3_trafficking": (
        replace(BASE, incident_type="labour_exploitation"),
        BASE,
        "labour exploitation",
    ),
    "p3_minor_victim": (
        replace(BASE, incident_type="labour_exploitation", victim_ages=(16,)),
        replace(BASE, incident_type="labour_exploitation", victim_ages=(30,)),
        "aged 16",
    ),
    "p3_enticement": (BASE, replace(BASE, incident_type="labour_exploitation"), "enticement"),
    "p3_missing_child_sighting": (
        replace(BASE, incident_type="missing_child_sighting"),
        BASE,
        "missing child",
    ),
    "p4_spam": (replace(BASE, annotations=frozenset({"spam"})), BASE, "spam"),
    "p4_misleading": (replace(BASE, incident_type="misleading_domain_name"), BASE, "Misleading"),
    "p1_travel_notice_match": (
        replace(BASE, travel_notices=("TN-2026-00001",)),
        BASE,
        "matches travel notice TN-2026-00001 during the stay",
    ),
}


def test_every_rule_in_the_file_has_a_case() -> None:
    ids = {rule.id for rule in load_rules().rules}
    assert ids == set(CASES), f"missing cases: {ids - set(CASES)}; stale: {set(CASES) - ids}"


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_on_its_case_and_names_the_evidence(rule_id: str) -> None:
    positive, _, evidence = CASES[rule_id]
    result = prioritise(positive)
    assert rule_id in result.rule_ids
    reason = result.reasons[result.rule_ids.index(rule_id)]
    assert evidence.lower() in reason.lower()


def _fired(facts: ReportFacts) -> tuple[str, ...]:
    return prioritise(facts).rule_ids


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_does_not_fire_on_its_negative(rule_id: str) -> None:
    _, negative, _ = CASES[rule_id]
    assert rule_id not in _fired(negative)


def test_highest_priority_wins_and_lower_reasons_follow() -> None:
    facts = replace(
        BASE, incident_type="financial_sextortion", texts=("I go kill myself if dem post am",)
    )
    result = prioritise(facts)
    assert result.priority == "P1"
    assert result.rule_ids[0] == "p1_sextortion_self_harm" and "p2_sextortion" in result.rule_ids


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Zai kashe kaina idan aka saki hotunan", "ha"),
        ("Ó ní òun máa pa ara rẹ", "yo"),
        ("O kwuru na ọ ga-egbu onwe ya, ọ chọrọ gbuo onwe m", "ig"),
        ("Im say I go kill myself", "pcm"),
    ],
)
def test_self_harm_in_every_language(text: str, language: str) -> None:
    facts = replace(BASE, annotations=frozenset({"sextortion"}), texts=(text,))
    assert prioritise(facts).priority == "P1", language


def test_a_13_year_old_asked_for_pictures_yesterday_evening_is_p2_with_reasons() -> None:
    # The report that came out P3 'No urgent indicators': age 13, time read as about 20 hours ago.
    facts = replace(
        BASE,
        victim_ages=(13,),
        has_minor_victim=True,
        incident_age_hours=20,
        texts=("An invented man is asking a 13-year-old for pictures.",),
    )
    result = prioritise(facts)
    assert result.priority == "P2"
    assert {"p2_enticement_of_minor", "p2_recent_with_minor", "p2_images_asked_of_child"} <= set(
        result.rule_ids
    )
    assert not any("No urgent indicators" in reason for reason in result.reasons)


def test_misleading_names_aimed_at_a_child_stay_p4() -> None:
    facts = ReportFacts(incident_type="misleading_domain_name", victim_ages=(12,))
    assert prioritise(facts).priority == "P4"


@pytest.mark.parametrize("age", range(18))
def test_no_child_under_18_is_ever_no_indicators(age: int) -> None:
    for incident_type in ("online_enticement", "labour_exploitation", "forced_marriage"):
        facts = ReportFacts(incident_type=incident_type, victim_ages=(age,), has_minor_victim=True)
        assert "No urgent indicators" not in prioritise(facts).reasons[0]


def test_defaults_when_nothing_fires() -> None:
    assert prioritise(ReportFacts(incident_type="online_enticement")).priority == "P3"
    other = prioritise(ReportFacts(incident_type="forced_criminality_unknown"))
    assert other.priority == "P4" and "No urgent indicators" in other.reasons[0]


def test_negation_in_the_same_clause_only() -> None:
    negated = replace(BASE, texts=("No meeting was arranged. She will not meet him tomorrow.",))
    assert "p1_meeting_text" not in _fired(negated)
    later = replace(BASE, texts=("She did not reply. He will meet her tomorrow at the park.",))
    assert "p1_meeting_text" in _fired(later)


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            {"rules": [{"id": "x", "priority": "P1", "reason": "r", "moon_phase": 3}]},
            "Unknown condition",
        ),
        ({"rules": [{"id": "x", "priority": "P9", "reason": "r", "spam": 1}]}, "priority must be"),
        ({"rules": [{"id": "x", "priority": "P1", "reason": "r"}]}, "no condition"),
        ({"rules": [{"priority": "P1", "reason": "r", "annotation_any": []}]}, "lacks 'id'"),
    ],
)
def test_invalid_rules_are_refused_clearly(rules: dict[str, object], message: str) -> None:
    with pytest.raises(RulesError, match=message):
        parse_rules(rules)  # deliberately malformed


def test_rules_file_is_valid_json_with_unique_ids() -> None:
    data = json.loads(RULES_PATH.read_text())
    ids = [r["id"] for r in data["rules"]]
    assert len(ids) == len(set(ids))


def test_prioritise_is_quick_enough_for_the_pipeline() -> None:
    facts = replace(
        BASE,
        texts=("An invented message about a meeting. " * 20,),
        annotations=frozenset({"sextortion"}),
        victim_ages=(12,),
    )
    prioritise(facts)
    started = time.perf_counter()
    for _ in range(200):
        prioritise(facts)
    per_call_ms = (time.perf_counter() - started) / 200 * 1000
    print(f"prioritise: {per_call_ms:.3f} ms per report")
    assert per_call_ms < 5  # generous: a sanity bound, not a benchmark
