"""The public 'check a job offer' form. Labels and messages are translated."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

OFFER_MAX = 5_000


class OfferCheckForm(forms.Form):
    """The text of an offer, pasted or typed by a member of the public."""

    offer = forms.CharField(
        label=_("Paste or type the job offer or message"),
        max_length=OFFER_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Leave out your own name and number. Nothing is kept unless you report it."),
        error_messages={
            "required": _("Paste or type the offer to check."),
            "max_length": _("Shorten this to at most %(limit_value)d characters."),
        },
    )
