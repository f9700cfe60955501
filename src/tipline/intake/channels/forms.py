"""The providers' form-encoded callbacks, checked field by field (a malformed body is a 400)."""

from __future__ import annotations

from django import forms


class UssdCallbackForm(forms.Form):
    """Africa's Talking's USSD callback. Unknown network codes are accepted as they come."""

    sessionId = forms.CharField(max_length=100)  # noqa: N815  # the provider's field names
    phoneNumber = forms.CharField(max_length=40)  # noqa: N815
    serviceCode = forms.CharField(max_length=40, required=False)  # noqa: N815
    networkCode = forms.CharField(max_length=40, required=False)  # noqa: N815
    text = forms.CharField(max_length=2000, required=False, strip=False)
