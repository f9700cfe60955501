"""Our Twilio signatures against the official `twilio` library's RequestValidator, for any
parameters: the same signature computed, and the same requests accepted and refused."""

from __future__ import annotations

import pytest
from django.utils.datastructures import MultiValueDict
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from tipline.intake.channels.signatures import twilio_signature, twilio_valid

TOKEN = "12345"  # Twilio's documented example token
URLS = [
    "https://mycompany.com/myapp.php?foo=1&bar=2",
    "https://mycompany.com:443/myapp.php?foo=1&bar=2",
    "http://mycompany.com/sms",
    "http://mycompany.com:1234/sms",
]
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
PARAMS = st.dictionaries(TEXT, st.lists(TEXT, min_size=1, max_size=3), max_size=6)


@given(url=st.sampled_from(URLS), params=PARAMS)
def test_the_signature_is_the_librarys(url: str, params: dict[str, list[str]]) -> None:
    theirs = RequestValidator(TOKEN).compute_signature(url, MultiValueDict(params))
    assert twilio_signature(auth_token=TOKEN, url=url, params=params) == theirs


@given(url=st.sampled_from(URLS), params=PARAMS, signed=st.sampled_from(URLS))
def test_we_accept_exactly_what_the_library_accepts(
    url: str, params: dict[str, list[str]], signed: str
) -> None:
    validator = RequestValidator(TOKEN)
    signature = validator.compute_signature(signed, MultiValueDict(params))
    theirs = validator.validate(url, MultiValueDict(params), signature)
    ours = twilio_valid(auth_token=TOKEN, url=url, params=params, body=b"", signature=signature)
    assert ours == theirs


@pytest.mark.parametrize("tampered", ["Digits", "From"])
def test_a_changed_parameter_is_refused_by_both(tampered: str) -> None:
    url, params = URLS[0], {"Digits": ["1234"], "From": ["+14158675309"]}
    signature = RequestValidator(TOKEN).compute_signature(url, MultiValueDict(params))
    changed = {**params, tampered: ["0"]}
    assert not RequestValidator(TOKEN).validate(url, MultiValueDict(changed), signature)
    assert not twilio_valid(
        auth_token=TOKEN, url=url, params=changed, body=b"", signature=signature
    )
