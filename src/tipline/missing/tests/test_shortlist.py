"""Which of the blind index's records are decrypted and scored for a person named in a report."""

from __future__ import annotations

from tipline.missing import matching


def test_a_record_last_seen_in_the_reports_state_goes_before_a_namesake_elsewhere() -> None:
    found = [("1", 9), ("2", 8), ("3", 8), ("4", 5)]
    states = {"1": "KN", "2": "LA", "3": "KN", "4": "LA"}
    assert matching.shortlist(found, states, "LA") == ["2", "1", "3", "4"]
    assert matching.shortlist(found, states, "KN") == ["1", "3", "2", "4"]


def test_equal_with_the_bonus_more_shared_terms_go_first_then_as_found() -> None:
    found = [("1", 9), ("2", 7), ("3", 7), ("4", 7)]
    states = {"1": "KN", "2": "LA", "3": "KN", "4": "LA"}
    assert matching.shortlist(found, states, "LA") == ["1", "2", "4", "3"]


def test_without_a_state_the_index_order_stays() -> None:
    found = [("1", 9), ("2", 8), ("3", 8)]
    assert matching.shortlist(found, {"1": "KN", "2": "LA", "3": "KN"}, "") == ["1", "2", "3"]


def test_closed_records_are_dropped_and_the_list_is_cut() -> None:
    found = [(str(n), 20 - n) for n in range(10)]
    states = {str(n): "KN" for n in range(10) if n != 3}  # record 3 is not open
    kept = matching.shortlist(found, states, "KN", limit=4)
    assert kept == ["0", "1", "2", "4"]
    assert len(matching.shortlist(found * 5, states, "KN")) == matching.SCORE_LIMIT
