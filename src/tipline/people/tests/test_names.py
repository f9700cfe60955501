"""Names: folding, the short-form file, nicknames and phonetic codes group what they should."""

from __future__ import annotations

import pytest

from tipline.people import names


def test_fold_strips_tone_marks_diacritics_and_hooked_letters() -> None:
    assert names.fold("Jürgen") == "jurgen"
    assert names.fold("Adébáyọ̀") == "adebayo"
    assert names.fold("Ɗanjuma") == "danjuma"


def test_tokens_drop_titles_and_join_apostrophes() -> None:
    assert names.tokens("Alhaji Musa", "O'Brien-Okafor") == ["musa", "obrien", "okafor"]


@pytest.mark.parametrize(
    ("variants", "canonical"),
    [
        (["mohammed", "muhammad", "muhammed", "mohammad", "mohamed"], "muhammad"),
        (["abubakar", "abubakr"], "abubakar"),
        (["ibrahim", "ibraheem"], "ibrahim"),
        (["yusuf", "yusuph"], "yusuf"),
        (["fatima", "fatimah"], "fatima"),
        (["abdullahi", "abdulahi"], "abdullahi"),
    ],
)
def test_metaphone_groups_the_common_spellings_of_a_name(
    variants: list[str], canonical: str
) -> None:
    assert len({names.phonetic(v) for v in variants}) == 1
    assert all(canonical in names.canonical_forms(v) for v in variants)


def test_every_spelling_variant_in_the_file_shares_a_code_or_a_canonical() -> None:
    rows = names.short_form_rows()
    assert len(rows) >= 40
    for (form, canonical), kind in rows.items():
        assert kind in {"short", "variant"}
        assert canonical in names.canonical_forms(form)
        assert names.fold(form) == form and names.fold(canonical) == canonical


def test_short_forms_and_nicknames_are_put_into_words() -> None:
    shown = {"tope": "Tope", "temitope": "Temitope", "mike": "Mike", "michael": "Michael"}
    assert names.alias_words("temitope", "tope", shown) == "'Tope' is a short form of 'Temitope'"
    assert names.alias_words("mike", "michael", shown) == "'Mike' is a nickname of 'Michael'"
    assert names.alias_words("tope", "mike", shown) is None


def test_a_name_no_list_knows_has_no_canonical_form() -> None:
    assert names.canonical_forms("zzqxw") == frozenset()
    assert names.canonical_forms("bayo") == {"adebayo"}


def test_tokens_are_a_fresh_list_each_time_though_kept() -> None:
    first = names.tokens("Mr Jürgen", "O'Brien")
    first.append("changed")
    assert names.tokens("Mr Jürgen", "O'Brien") == ["jurgen", "obrien"]
