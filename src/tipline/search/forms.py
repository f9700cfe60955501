"""The search form: what to look for, plus the queue's filters."""

from __future__ import annotations

from django import forms

from tipline.search.selectors import MAX_PAGES, MAX_QUERY_CHARS
from tipline.triage.forms import QueueFilterForm


class SearchForm(QueueFilterForm):
    """A query (words, an identifier in any format, or a reference) and the queue filters."""

    q = forms.CharField(
        required=False,
        max_length=MAX_QUERY_CHARS,
        label="Search",
        help_text="Words, a phone, email, account, URL, wallet or bank account, or a reference.",
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True}),
    )
    # The dashboards' period (whole days in WAT), so a state on their map opens what it counts.
    received_from = forms.DateField(
        required=False,
        label="Received from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    received_to = forms.DateField(
        required=False,
        label="Received to",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    page = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGES, widget=forms.HiddenInput
    )

    field_order = ["q"]
