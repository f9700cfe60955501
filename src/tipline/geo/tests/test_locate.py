"""Geolocation from text, coordinates, IP addresses and phone numbers, all offline."""

from __future__ import annotations

import io
import json

import pytest

from tipline.geo.locate import (
    best_location,
    locate_coordinates,
    locate_ip,
    locate_phone,
    locate_text,
    main_locate,
)


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("I dey for ikeja, near oshodi", "LA"),
        ("She was collected at Benin City and taken north", "ED"),
        ("the madam lives in PORT HARCOURT", "RI"),
        ("port-harcourt", "RI"),
        ("Minna, Niger State", "NI"),
        ("Katsina-Ala market", "BE"),
        ("Okada town, near the university", "ED"),
        ("a house in Fagge", "KN"),
        ("Obio/Akpor, near the park", "RI"),
        ("we were in Ogbomosho North", "OY"),
    ],
)
def test_text_names_a_state(text: str, state: str) -> None:
    found = locate_text(text)
    assert found is not None
    assert (found.country, found.state_code, found.source) == ("NG", state, "text")
    assert found.detail.startswith("text names")


@pytest.mark.parametrize(
    "text",
    [
        "he took okada to the market",  # the motorbike taxi, not the town
        "Niger Delta militants",  # a region of several states
        "it was a real challenge",
        "",
        "   ",
    ],
)
def test_words_that_are_not_places_place_nothing(text: str) -> None:
    assert locate_text(text) is None


def test_a_nigerian_state_outranks_a_foreign_destination() -> None:
    found = locate_text("recruited in Benin City, sent through Agadez to Libya")
    assert found is not None and found.state_code == "ED"


def test_foreign_destination_alone_gives_the_country() -> None:
    found = locate_text("they moved her to Dubai last month")
    assert found is not None
    assert (found.country, found.state_code) == ("AE", None)


def test_benin_republic_is_not_edo() -> None:
    found = locate_text("crossed into Benin Republic at Seme")
    assert found is not None and found.country == "BJ"


def test_two_states_equally_named_lower_the_confidence() -> None:
    found = locate_text("Kano and Kaduna")
    assert found is not None
    assert found.confidence <= 0.3
    assert "also mentions" in found.detail


def test_a_specific_mention_outweighs_a_passing_one() -> None:
    found = locate_text("Lagos State, Ikeja, Lekki; once in Ibadan")
    assert found is not None and found.state_code == "LA"
    assert 0.5 < found.confidence < 0.8


def test_coordinates_inside_nigeria_go_to_the_nearest_lga() -> None:
    found = locate_coordinates(6.45, 3.39)
    assert found is not None
    assert (found.state_code, found.lga, found.source) == ("LA", "Lagos Island", "coordinates")
    assert "Lagos Island LGA" in found.detail


def test_a_named_lga_is_kept() -> None:
    found = locate_text("the shop is in Ikorodu, opposite the garage")
    assert found is not None
    assert (found.state_code, found.lga) == ("LA", "Ikorodu")


def test_an_lga_name_shared_by_two_states_places_nothing() -> None:
    assert locate_text("Irepodun") is None


def test_the_gazetteer_covers_all_774_lgas() -> None:
    from tipline.geo.locate import _lgas

    lgas = _lgas()
    assert len(lgas) == 774
    assert len({lga.state_code for lga in lgas}) == 37


@pytest.mark.parametrize(("lat", "lon"), [(51.5, -0.12), (0.0, 0.0), (-33.9, 18.4)])
def test_coordinates_outside_nigeria_place_no_state(lat: float, lon: float) -> None:
    assert locate_coordinates(lat, lon) is None


def test_public_ip_gives_country_and_network() -> None:
    found = locate_ip("102.89.32.1")
    assert found is not None
    assert (found.country, found.state_code, found.source) == ("NG", None, "ip")
    assert found.asn_name and "MTN" in found.asn_name
    assert "GeoLite2 data of 2024-06-18" in found.detail


@pytest.mark.parametrize("ip", ["10.1.2.3", "192.168.0.1", "127.0.0.1", "not an ip", ""])
def test_private_and_malformed_ips_place_nothing(ip: str) -> None:
    assert locate_ip(ip) is None


def test_lagos_landline_gives_lagos() -> None:
    found = locate_phone("+234 20 1234 5678")
    assert found is not None
    assert (found.country, found.state_code) == ("NG", "LA")


def test_mobile_number_gives_only_the_country() -> None:
    found = locate_phone("0803 123 4567")
    assert found is not None
    assert (found.country, found.state_code) == ("NG", None)


@pytest.mark.parametrize("number", ["12", "hello", "+999"])
def test_impossible_numbers_place_nothing(number: str) -> None:
    assert locate_phone(number) is None


def test_reporter_choice_beats_everything() -> None:
    found = best_location(
        reporter_state="KN",
        texts=["in Ikeja"],
        ips=["102.89.32.1"],
        phones=[],
        coordinates=(6.45, 3.39),
    )
    assert found is not None
    assert (found.state_code, found.source) == ("KN", "reporter")


def test_text_beats_coordinates_and_ip() -> None:
    found = best_location(
        reporter_state=None, texts=["near Kubwa"], ips=["8.8.8.8"], phones=[], coordinates=None
    )
    assert found is not None and (found.state_code, found.source) == ("FC", "text")


def test_coordinates_beat_a_foreign_name_in_text() -> None:
    found = best_location(
        reporter_state=None,
        texts=["promised work in Dubai"],
        ips=[],
        phones=[],
        coordinates=(12.0, 8.5),
    )
    assert found is not None and (found.state_code, found.source) == ("KN", "coordinates")


def test_ip_beats_phone_and_the_most_common_ip_country_wins() -> None:
    found = best_location(
        reporter_state=None,
        texts=[],
        ips=["102.89.32.1", "102.89.33.7", "8.8.8.8"],
        phones=["+447911123456"],
        coordinates=None,
    )
    assert found is not None and (found.country, found.source) == ("NG", "ip")


def test_phone_is_the_last_resort() -> None:
    found = best_location(
        reporter_state=None,
        texts=["nothing useful"],
        ips=["10.0.0.1"],
        phones=["08031234567"],
        coordinates=None,
    )
    assert found is not None and (found.country, found.source) == ("NG", "phone")


def test_nothing_to_go_on_gives_none() -> None:
    assert best_location(reporter_state=None, texts=[], ips=[], phones=[], coordinates=None) is None


def test_command_prints_one_json_object() -> None:
    out = io.StringIO()
    code = main_locate(["--ip", "102.89.32.1", "--text", "Ikeja", "--phone", "0803 123 4567"], out)
    assert code == 0
    result = json.loads(out.getvalue())
    assert result["best"]["state_code"] == "LA"
    assert result["ip"]["102.89.32.1"]["country"] == "NG"
    assert result["phone"]["0803 123 4567"]["country"] == "NG"


def test_command_without_arguments_prints_usage() -> None:
    out = io.StringIO()
    assert main_locate([], out) == 2
    assert "usage" in out.getvalue()
