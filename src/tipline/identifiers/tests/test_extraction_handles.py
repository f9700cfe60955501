"""Platform accounts from profile URLs and from "@name" next to a platform's name."""

from __future__ import annotations

import pytest

from tipline.identifiers.extraction import extract_text, normalize


def handles(text: str) -> list[str]:
    return [i.normalized for i in extract_text(text) if i.kind == "handle"]


@pytest.mark.parametrize(
    ("url", "handle"),
    [
        ("https://www.instagram.com/Jane.Doe/", "instagram:jane.doe"),
        ("instagram.com/stories/jane_d/123", "instagram:jane_d"),
        ("https://www.tiktok.com/@Jane_D", "tiktok:jane_d"),
        ("https://t.me/janebot", "telegram:janebot"),
        ("https://t.me/s/naija_channel", "telegram:naija_channel"),
        ("https://x.com/naija_plug01/status/1234567890", "x:naija_plug01"),
        ("twitter.com/naija_plug01", "x:naija_plug01"),
        ("https://www.snapchat.com/add/jane-d22", "snapchat:jane-d22"),
        ("https://web.facebook.com/jane.doe.5", "facebook:jane.doe.5"),
        ("https://www.facebook.com/profile.php?id=100087654321098", "facebook:100087654321098"),
        ("m.facebook.com/people/Jane-Doe/100087654321098/", "facebook:100087654321098"),
    ],
)
def test_profile_url_gives_the_account(url: str, handle: str) -> None:
    assert handles(f"profile: {url}") == [handle]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.instagram.com/p/C0dE123/",
        "https://t.me/joinchat/AbCdEf123",
        "t.me/+AbCdEf",
        "https://x.com/home",
        "https://www.facebook.com/groups/123456",
        "https://vm.tiktok.com/ZMabc123/",
        "https://www.tiktok.com/music/some-sound",
    ],
)
def test_posts_invites_and_site_sections_are_not_accounts(url: str) -> None:
    assert handles(url) == []


def test_whatsapp_links_are_phones() -> None:
    found = extract_text("wa.me/2348031234567 or api.whatsapp.com/send?phone=2348051234567")
    phones = [(i.normalized, i.details["source"]) for i in found if i.kind == "phone"]
    assert phones == [("+2348031234567", "whatsapp_link"), ("+2348051234567", "whatsapp_link")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("His IG is @Jane_Doe22.", ["instagram:jane_doe22"]),
        ("@jane_doe (Instagram)", ["instagram:jane_doe"]),
        ("on IG @jane and snap @jane2", ["instagram:jane", "snapchat:jane2"]),
        ("Na im tiktok be @fast.cash", ["tiktok:fast.cash"]),
        ("A Telegram yana amfani da @kano_deals", ["telegram:kano_deals"]),
        ("Lórí X, orúkọ rẹ̀ ni @ade_99", ["x:ade_99"]),
        ("IG: lagos_baby22", ["instagram:lagos_baby22"]),
        ("tiktok username is kanoqueen", ["tiktok:kanoqueen"]),
        ("my snap na jane.doe22", ["snapchat:jane.doe22"]),
    ],
)
def test_mentions_next_to_a_platform_name(text: str, expected: list[str]) -> None:
    assert handles(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "My daughter met @sweetboy on a game",
        "Email agent@example.com",
        "IG: she sent me a message",
        "x marks the spot @here",
        "telegram @abc",  # too short for Telegram
    ],
)
def test_mentions_without_platform_or_impossible_names_are_dropped(text: str) -> None:
    assert handles(text) == []


def test_structured_handle_forms() -> None:
    for value in ("instagram:Jane_Doe", "Instagram / @jane_doe", "https://instagram.com/jane_doe"):
        ident = normalize("handle", value)
        assert ident is not None and ident.normalized == "instagram:jane_doe", value
    twitter = normalize("handle", "twitter:Naija_Plug")
    assert twitter is not None and twitter.normalized == "x:naija_plug"
    assert normalize("handle", "@jane_doe") is None  # no platform: cannot be normalised
    assert normalize("handle", "telegram:ab") is None
