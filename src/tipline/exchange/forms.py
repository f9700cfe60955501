"""Forms of the exchange pages."""

from __future__ import annotations

from django import forms


class ShareForm(forms.Form):
    partner = forms.SlugField(max_length=40)
    reason = forms.CharField(max_length=2000, required=False)
