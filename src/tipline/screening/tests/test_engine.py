"""The screening engine on invented offers: findings named with their words, levels, languages."""

from __future__ import annotations

import json

import pytest

from tipline.screening.engine import agency_key, fold, raise_level, screen_text
from tipline.screening.indicators import (
    INDICATORS_PATH,
    LANGUAGES,
    IndicatorsError,
    load_indicators,
    parse_indicators,
)

DECEPTIVE = (
    "URGENT! Free visa and ticket to Dubai. Work as housemaid, no experience needed, salary "
    "$1,500 monthly. Sponsor will pay for your ticket and you will pay back from your salary. "
    "Send your passport. Contact us on WhatsApp only."
)
HONEST = (
    "Accounts officer wanted in Ikeja. HND or BSc in accounting and three years' experience "
    "required. Apply through our website with your CV; interviews hold at our office."
)


def _ids(text: str, **kwargs: object) -> set[str]:
    return {f.id for f in screen_text(text, **kwargs).findings}  # type: ignore[arg-type]


def test_a_deceptive_offer_is_high_with_each_sign_named_and_its_words_quoted() -> None:
    result = screen_text(DECEPTIVE)
    assert result.level == "high"
    found = {f.id: f for f in result.findings}
    assert {"free_travel", "travel_debt", "passport_request", "whatsapp_only"} <= set(found)
    assert "Free visa" in found["free_travel"].triggers
    assert "Send your passport" in found["passport_request"].triggers
    assert found["travel_debt"].indicator.name("en") == "A debt for the journey"
    assert "ILO" in found["travel_debt"].indicator.explanation("en")


def test_an_honest_job_advert_shows_no_sign() -> None:
    result = screen_text(HONEST)
    assert (result.level, result.findings) == ("none", ())


def test_pidgin_offer_is_read() -> None:
    text = (
        "Oga for Italy dey find fine girls. Dem go pay for your visa and ticket, you go pay am "
        "back when you start work. You go swear for shrine before you travel. No tell your mama."
    )
    assert {"free_travel", "travel_debt", "oath", "secrecy"} <= _ids(text)
    assert screen_text(text).level == "high"


@pytest.mark.parametrize(
    ("text", "indicator"),
    [
        ("Za mu biya maka biza kyauta zuwa Saudiyya", "free_travel"),
        ("Aiko fasfo dinka yau", "passport_request"),
        ("Fi ìwé ìrìnnà rẹ ranṣẹ́ si wa", "passport_request"),
        ("O ni lati ṣe ìbúra ni ojubọ", "oath"),
        ("Ziga paspọtụ gị taa", "passport_request"),
        ("Ị ga-akwụghachi ego njem", "travel_debt"),
    ],
)
def test_main_phrases_in_hausa_yoruba_and_igbo_are_read_with_or_without_tone_marks(
    text: str, indicator: str
) -> None:
    assert indicator in _ids(text)


def test_a_negation_in_the_same_clause_cancels_the_sign() -> None:
    assert "passport_request" not in _ids("We will never ask you to send your passport.")
    assert "passport_request" in _ids("No fee. Send your passport today.")


def test_licensed_agency_is_named_and_an_unlisted_one_raises_the_score() -> None:
    text = "Apply through Bright Future Recruitment Ltd or Golden Gate Travels."
    licensed = frozenset({agency_key("Bright Future Recruitment")})
    result = screen_text(text, licensed=licensed)
    found = {f.id: f.triggers for f in result.findings}
    assert found["licensed_agency"] == ("Bright Future Recruitment Ltd",)
    assert found["unlicensed_agency"] == ("Golden Gate Travels",)
    assert result.score == 2


def test_identifiers_come_from_the_extraction_library_including_given_phones() -> None:
    result = screen_text("Call 0803 123 4567", extra_identifiers=[("phone", "+2348091234567")])
    assert {(i.kind, i.normalized) for i in result.identifiers} == {
        ("phone", "+2348031234567"),
        ("phone", "+2348091234567"),
    }


def test_levels_rise_one_step_and_stop_at_high() -> None:
    assert [raise_level(x) for x in ("none", "low", "medium", "high")] == [
        "low",
        "medium",
        "high",
        "high",
    ]


def test_fold_keeps_the_way_back_to_the_words_as_written() -> None:
    folded, origin = fold("Ìwé ìrìnnà")
    assert folded == "iwe irinna"
    assert origin[-1] == len("Ìwé ìrìnnà") - 1


def test_every_indicator_cites_a_source_and_is_named_in_every_language() -> None:
    rules = load_indicators()
    assert len(rules.indicators) >= 15
    for indicator in rules.indicators + rules.computed:
        assert indicator.sources
        assert all(indicator.names.get(lang) for lang in LANGUAGES), indicator.id
        assert all(indicator.explanations.get(lang) for lang in LANGUAGES), indicator.id
    assert {"ilo", "polaris", "htcds", "ng"} == set(rules.sources)


def test_the_data_file_asks_for_native_speaker_review() -> None:
    data = json.loads(INDICATORS_PATH.read_text(encoding="utf-8"))
    assert all("review" in data["review"][lang] for lang in ("ha", "yo", "ig"))


def test_a_bad_indicators_file_is_refused_with_a_clear_message() -> None:
    raw = {"sources": {"ilo": "x"}, "indicators": [{"id": "a", "weight": 1, "sources": ["nope"]}]}
    with pytest.raises(IndicatorsError, match="lacks"):
        parse_indicators(raw)
    good = {"id": "a", "weight": 1, "sources": ["nope"], "name": {"en": "A"}}
    good |= {"explain": {"en": "A"}, "patterns": {"en": ["a"]}}
    with pytest.raises(IndicatorsError, match="unknown sources"):
        parse_indicators({"sources": {"ilo": "x"}, "indicators": [good]})
    with pytest.raises(IndicatorsError, match="bad pattern"):
        bad = good | {"sources": ["ilo"], "patterns": {"en": ["(unclosed"]}}
        parse_indicators({"sources": {"ilo": "x"}, "indicators": [bad]})
