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
    page = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGES, widget=forms.HiddenInput
    )

    field_order = ["q"]
