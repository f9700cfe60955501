"""The providers' signatures against their published vectors."""

from __future__ import annotations

import hashlib

import pytest

from tipline.intake.channels.signatures import (
    hub_signature_256,
    hub_signature_valid,
    twilio_signature,
    twilio_valid,
)

# Twilio's published example (its security documentation and api-snippets): auth token 12345.
TWILIO_TOKEN = "12345"
TWILIO_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_PARAMS = {
    "CallSid": ["CA1234567890ABCDE"],
    "Caller": ["+14158675310"],
    "Digits": ["1234"],
    "From": ["+14158675310"],
    "To": ["+18005551212"],
}
TWILIO_EXPECTED = "GvWf1cFY/Q7PnoempGyD5oXAezc="
# Twilio's published JSON-body example: the body and the bodySHA256 it signs in the URL.
TWILIO_JSON_BODY = b'{"CallSid":"CA1234567890ABCDE","Caller":"+12349013030"}'
TWILIO_JSON_SHA = "5ccde7145dfb8f56479710896586cb9d5911809d83afbe34627818790db0aec9"


def test_twilio_signature_matches_twilios_published_example() -> None:
    signature = twilio_signature(auth_token=TWILIO_TOKEN, url=TWILIO_URL, params=TWILIO_PARAMS)
    assert signature == TWILIO_EXPECTED
    assert twilio_valid(
        auth_token=TWILIO_TOKEN,
        url=TWILIO_URL,
        params=TWILIO_PARAMS,
        body=b"",
        signature=TWILIO_EXPECTED,
    )


def test_twilio_signature_fails_for_a_changed_parameter_url_or_token() -> None:
    changed = {**TWILIO_PARAMS, "Digits": ["1235"]}
    cases = [
        (TWILIO_TOKEN, TWILIO_URL, changed),
        (TWILIO_TOKEN, TWILIO_URL + "&baz=3", TWILIO_PARAMS),
        ("54321", TWILIO_URL, TWILIO_PARAMS),
    ]
    for token, url, params in cases:
        assert not twilio_valid(
            auth_token=token, url=url, params=params, body=b"", signature=TWILIO_EXPECTED
        )


def test_twilio_signature_holds_with_or_without_the_default_port() -> None:
    with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2"
    assert twilio_valid(
        auth_token=TWILIO_TOKEN,
        url=with_port,
        params=TWILIO_PARAMS,
        body=b"",
        signature=TWILIO_EXPECTED,
    )
    signed_with_port = twilio_signature(
        auth_token=TWILIO_TOKEN, url=with_port, params=TWILIO_PARAMS
    )
    assert twilio_valid(
        auth_token=TWILIO_TOKEN,
        url=TWILIO_URL,
        params=TWILIO_PARAMS,
        body=b"",
        signature=signed_with_port,
    )


def test_a_json_body_is_checked_against_its_signed_sha256() -> None:
    assert hashlib.sha256(TWILIO_JSON_BODY).hexdigest() == TWILIO_JSON_SHA  # the published pair
    url = f"https://example.com/myapp?bodySHA256={TWILIO_JSON_SHA}"
    signature = twilio_signature(auth_token=TWILIO_TOKEN, url=url, params={})
    assert twilio_valid(
        auth_token=TWILIO_TOKEN,
        url=url,
        params={"ignored": ["x"]},
        body=TWILIO_JSON_BODY,
        signature=signature,
    )
    assert not twilio_valid(
        auth_token=TWILIO_TOKEN,
        url=url,
        params={},
        body=TWILIO_JSON_BODY + b" ",
        signature=signature,
    )


def test_the_official_twilio_validator_agrees() -> None:
    """Runs where the `twilio` package is installed (it is not a dependency of ours)."""
    validator = pytest.importorskip("twilio.request_validator").RequestValidator(TWILIO_TOKEN)
    params = {key: values[0] for key, values in TWILIO_PARAMS.items()}
    ours = twilio_signature(auth_token=TWILIO_TOKEN, url=TWILIO_URL, params=TWILIO_PARAMS)
    assert validator.compute_signature(TWILIO_URL, params) == ours
    assert validator.validate(TWILIO_URL, params, ours)


def test_hub_signature_matches_the_published_hmac_sha256_vector() -> None:
    # The X-Hub-Signature-256 scheme's published example (GitHub's webhook documentation, the
    # same HMAC-SHA256-of-the-raw-body that Meta's webhooks send).
    secret, body = "It's a Secret to Everybody", b"Hello, World!"
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert hub_signature_256(secret=secret, body=body) == expected
    assert hub_signature_valid(secret=secret, body=body, header=expected)
    assert not hub_signature_valid(secret=secret, body=body + b" ", header=expected)
    assert not hub_signature_valid(secret=secret, body=body, header="")
    assert not hub_signature_valid(secret="", body=body, header=expected)
