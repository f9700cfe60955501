"""IP addresses, with the port and time that identify a subscriber behind carrier-grade NAT."""

from __future__ import annotations

import pytest

from tipline.identifiers.extraction import extract_text, normalize


def ips(text: str) -> list[tuple[str, dict[str, str]]]:
    return [(i.normalized, i.details) for i in extract_text(text) if i.kind == "ip"]


def test_port_and_utc_time_are_kept() -> None:
    [(address, details)] = ips("41.58.1.2:51234 at 2024-05-01 12:00 UTC")
    assert address == "41.58.1.2"
    assert details == {
        "version": "4",
        "port": "51234",
        "time": "2024-05-01T12:00:00Z",
        "time_zone_given": "true",
    }


@pytest.mark.parametrize(
    ("text", "time"),
    [
        ("105.112.45.67 (port 51234) at 10:32 WAT on 3 May 2024", "2024-05-03T09:32:00Z"),
        ("105.112.45.67 on 01/05/2024 13:05 WAT", "2024-05-01T12:05:00Z"),
        ("105.112.45.67 2024-03-09T22:41:07Z", "2024-03-09T22:41:07Z"),
        ("105.112.45.67 at May 3, 2024 1:05 pm +02:00", "2024-05-03T11:05:00Z"),
        ("2024-05-01 12:00:03 UTC from 105.112.45.67", "2024-05-01T12:00:03Z"),
    ],
)
def test_time_forms_are_converted_to_utc(text: str, time: str) -> None:
    [(_, details)] = ips(text)
    assert details["time"] == time


def test_time_without_zone_is_kept_as_written_and_flagged() -> None:
    [(_, details)] = ips("IP 41.58.1.2 at 2024-05-01 12:00")
    assert details["time"] == "2024-05-01T12:00:00"
    assert details["time_zone_given"] == "false"


def test_time_of_the_previous_address_is_not_borrowed() -> None:
    found = ips("41.58.1.2 at 2024-05-01 12:00 UTC and 192.168.1.10")
    assert "time" in found[0][1] and "time" not in found[1][1]


@pytest.mark.parametrize(
    ("address", "flags"),
    [
        ("192.168.0.1", {"private": "true"}),
        ("10.1.2.3", {"private": "true"}),
        ("100.64.1.2", {"private": "true", "cgnat": "true"}),
        ("127.0.0.1", {"reserved": "true"}),
        ("169.254.1.1", {"reserved": "true"}),
        ("41.58.1.2", {}),
    ],
)
def test_private_and_reserved_addresses_are_flagged(address: str, flags: dict[str, str]) -> None:
    [(_, details)] = ips(f"from {address} today")
    assert {k: v for k, v in details.items() if k != "version"} == flags


def test_ipv6_with_bracketed_port_and_defanged_ipv4() -> None:
    found = ips("[2c0f:f7a8::5]:443 and 41[.]58[.]1[.]2")
    assert found[0] == ("2c0f:f7a8::5", {"version": "6", "port": "443"})
    assert found[1][0] == "41.58.1.2"


@pytest.mark.parametrize(
    "text",
    [
        "version 1.2.3.4 of the app",
        "Android 10.0.1.2 update",
        "1.2.3.4.5",
        "999.1.1.1",
        "MAC 00:1A:2B:3C:4D:5E",
        "at 12:30:45",
        "010.001.001.001",
    ],
)
def test_version_numbers_times_and_macs_are_not_ips(text: str) -> None:
    assert ips(text) == []


def test_structured_ip_with_port_and_time() -> None:
    ident = normalize("ip", "41.58.1.2:51234 at 2024-05-01 12:00 UTC")
    assert ident is not None and ident.normalized == "41.58.1.2"
    assert ident.details["port"] == "51234" and ident.start == -1
    assert normalize("ip", "not an ip") is None
