"""Folding, splitting and quoting words: the same rules for the index and for queries."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tipline.search import terms


def test_tone_marks_and_case_fold_away() -> None:
    assert terms.fold("Ọmọ́ ÀBÚRÒ") == "omo aburo"
    assert terms.fold("Ɗan ƘASA") == "ɗan ƙasa"  # Hausa hooked letters are letters, kept
    assert terms.fold("İkeja") == "ikeja"


def test_combining_tone_marks_do_not_split_a_word() -> None:
    # "ọ̀rẹ́" typed with combining marks rather than precomposed letters.
    assert terms.words("o\u0323\u0300re\u0301") == ["ore"]


def test_punctuation_underscores_and_emoji_separate_words() -> None:
    assert terms.words("naija-boy inv_guy 👶🏽dey@Ikeja!") == [
        "naija",
        "boy",
        "inv",
        "guy",
        "dey",
        "ikeja",
    ]


def test_query_syntax_characters_never_reach_the_database() -> None:
    words = terms.query_words('"kano" * NEAR(boy girl) -dey :* & | ! \' ; --')
    assert words == ["kano", "near", "boy", "girl", "dey"]
    assert terms.tsquery(words) == "kano:* & near:* & boy & girl:* & dey"
    assert terms.fts5_query(words) == '"kano"* "near"* "boy" "girl"* "dey"'


def test_short_words_match_whole_and_long_ones_as_prefixes() -> None:
    assert terms.tsquery(["dem", "abuj"]) == "dem & abuj:*"
    assert terms.fts5_query(["dem", "abuj"]) == '"dem" "abuj"*'
    assert terms.matches("abuja", ["abuj"]) and not terms.matches("demand", ["dem"])


def test_queries_keep_at_most_twelve_distinct_words() -> None:
    assert terms.query_words("a a b") == ["a", "b"]
    assert len(terms.query_words(" ".join(f"w{i}" for i in range(50)))) == terms.MAX_QUERY_WORDS


def test_overlong_words_are_dropped() -> None:
    assert terms.words("x" * 101 + " ok") == ["ok"]


@given(st.text(max_size=200))
def test_any_text_gives_only_alphanumeric_words(text: str) -> None:
    for word in terms.query_words(text):
        assert word and all(c.isalnum() for c in word)
        assert '"' not in terms.fts5_query([word]).strip('"*')
