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


class AtSmsForm(forms.Form):
    """Africa's Talking's incoming SMS callback."""

    id = forms.CharField(max_length=200)
    text = forms.CharField(max_length=5000, required=False, strip=False)
    to = forms.CharField(max_length=40, required=False)
    date = forms.CharField(max_length=64, required=False)
    linkId = forms.CharField(max_length=200, required=False)  # noqa: N815  # the provider's names
    networkCode = forms.CharField(max_length=40, required=False)  # noqa: N815

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # a Form's own signature
        # `from` is a Python keyword: declared here so the field keeps the provider's name.
        self.fields["from"] = forms.CharField(max_length=40)


class AtDeliveryForm(forms.Form):
    """Africa's Talking's delivery report."""

    id = forms.CharField(max_length=200)
    status = forms.CharField(max_length=40)
    phoneNumber = forms.CharField(max_length=40, required=False)  # noqa: N815
    networkCode = forms.CharField(max_length=40, required=False)  # noqa: N815
    failureReason = forms.CharField(max_length=200, required=False)  # noqa: N815


class TwilioSmsForm(forms.Form):
    """Twilio's incoming message webhook (the fields used; the signature covers them all)."""

    MessageSid = forms.CharField(max_length=64)
    From = forms.CharField(max_length=40)
    To = forms.CharField(max_length=40, required=False)
    Body = forms.CharField(max_length=5000, required=False, strip=False)


class TwilioStatusForm(forms.Form):
    """Twilio's status callback of a message we sent."""

    MessageSid = forms.CharField(max_length=64)
    MessageStatus = forms.CharField(max_length=40)


class FollowUpForm(forms.Form):
    """A staff member's question to a reporter."""

    question = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Up to 300 characters (about two SMS).",
    )
