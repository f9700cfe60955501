"""The providers' signatures against their published vectors."""

from __future__ import annotations

import hashlib

from tipline.intake.channels.signatures import (
    hub_signature_256,
    hub_signature_valid,
    twilio_signature,
    twilio_valid,
)

# Twilio's published example: the request-validation page of its documentation (twilio-php's
# "Validate Incoming Requests": auth token 12345, this URL, these POST variables, this header),
# which the official `twilio` library's own tests assert too
# (twilio-python tests/unit/test_request_validator.py, whose other vectors follow).
TWILIO_TOKEN = "12345"
TWILIO_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_PARAMS = {
    "CallSid": ["CA1234567890ABCDE"],
    "Caller": ["+14158675309"],
    "Digits": ["1234"],
    "From": ["+14158675309"],
    "To": ["+18005551212"],
}
TWILIO_EXPECTED = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
# twilio-python's vectors for the same request signed with the default port written out, and
# for plain http with its default port and with port 1234.
TWILIO_SIGNED_WITH_PORT_443 = "kvajT1Ptam85bY51eRf/AJRuM3w="
TWILIO_HTTP_SIGNED_WITH_PORT_80 = "0ZXoZLH/DfblKGATFgpif+LLRf4="
TWILIO_HTTP_1234_SIGNED_WITHOUT_PORT = "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="
# twilio-python's vector for a repeated parameter (Digits twice, in either order).
TWILIO_REPEATED_PARAMS = {
    "Sid": ["CA123"],
    "SidAccount": ["AC123"],
    "Digits": ["5678", "1234"],
}
TWILIO_REPEATED_EXPECTED = "IK+Dwps556ElfBT0I3Rgjkr1wJU="
# twilio-python's JSON-body vector: the body, its bodySHA256, and the signature of the URL
# that carries it.
TWILIO_JSON_BODY = b'{"property": "value", "boolean": true}'
TWILIO_JSON_SHA = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
TWILIO_JSON_EXPECTED = "a9nBmqA0ju/hNViExpshrM61xv4="


def _valid(url: str, params: dict[str, list[str]], signature: str, body: bytes = b"") -> bool:
    return twilio_valid(
        auth_token=TWILIO_TOKEN, url=url, params=params, body=body, signature=signature
    )


def test_twilio_signature_matches_twilios_published_example() -> None:
    signature = twilio_signature(auth_token=TWILIO_TOKEN, url=TWILIO_URL, params=TWILIO_PARAMS)
    assert signature == TWILIO_EXPECTED
    assert _valid(TWILIO_URL, TWILIO_PARAMS, TWILIO_EXPECTED)


def test_twilio_signature_fails_for_a_changed_parameter_url_or_token() -> None:
    changed = {**TWILIO_PARAMS, "Digits": ["1235"]}
    assert not _valid(TWILIO_URL, changed, TWILIO_EXPECTED)
    assert not _valid(TWILIO_URL + "&baz=3", TWILIO_PARAMS, TWILIO_EXPECTED)
    assert not twilio_valid(
        auth_token="54321",
        url=TWILIO_URL,
        params=TWILIO_PARAMS,
        body=b"",
        signature=TWILIO_EXPECTED,
    )


def test_twilio_signature_holds_with_or_without_the_default_port_as_the_library_tests() -> None:
    http_url = TWILIO_URL.replace("https", "http")
    assert _valid(TWILIO_URL, TWILIO_PARAMS, TWILIO_SIGNED_WITH_PORT_443)
    assert _valid(http_url, TWILIO_PARAMS, TWILIO_HTTP_SIGNED_WITH_PORT_80)
    assert _valid(TWILIO_URL.replace(".com", ".com:1234"), TWILIO_PARAMS, TWILIO_EXPECTED)
    http_1234 = http_url.replace(".com", ".com:1234")
    assert _valid(http_1234, TWILIO_PARAMS, TWILIO_HTTP_1234_SIGNED_WITHOUT_PORT)
    assert not _valid(http_url, TWILIO_PARAMS, TWILIO_SIGNED_WITH_PORT_443)


def test_twilio_signature_of_a_repeated_parameter_matches_the_librarys_vector() -> None:
    signature = twilio_signature(
        auth_token=TWILIO_TOKEN, url=TWILIO_URL, params=TWILIO_REPEATED_PARAMS
    )
    assert signature == TWILIO_REPEATED_EXPECTED
    reordered = {**TWILIO_REPEATED_PARAMS, "Digits": ["1234", "5678"]}
    assert _valid(TWILIO_URL, reordered, TWILIO_REPEATED_EXPECTED)


def test_a_json_body_is_checked_against_its_signed_sha256() -> None:
    assert hashlib.sha256(TWILIO_JSON_BODY).hexdigest() == TWILIO_JSON_SHA  # the published pair
    url = f"{TWILIO_URL}&bodySHA256={TWILIO_JSON_SHA}"
    assert _valid(url, {"ignored": ["x"]}, TWILIO_JSON_EXPECTED, body=TWILIO_JSON_BODY)
    assert not _valid(url, {}, TWILIO_JSON_EXPECTED, body=TWILIO_JSON_BODY + b" ")
    assert not _valid(url, {}, TWILIO_EXPECTED, body=TWILIO_JSON_BODY)


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
