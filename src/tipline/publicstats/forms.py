"""The supervisor's forms on a statistics release."""

from django import forms


class RejectForm(forms.Form):
    """Why a draft release is not published (kept on its audit row)."""

    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Say what is wrong, so the next computation can put it right.",
    )
