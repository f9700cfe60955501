"""Case forms. They parse; the services decide (scope, team, the transition table)."""

from __future__ import annotations

import re

from django import forms

from tipline.cases.choices import CaseStatus, CourtOutcome


def split_words(text: str) -> list[str]:
    """References or usernames typed with commas, spaces or new lines between them."""
    return [w for w in re.split(r"[\s,;]+", text.strip()) if w]


class CaseOpenForm(forms.Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    command = forms.CharField(max_length=16, help_text="The command's code, e.g. LAG.")
    lead = forms.CharField(max_length=150, required=False, help_text="Username; you if empty.")
    members = forms.CharField(required=False, help_text="Usernames of the rest of the team.")
    reports = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Report references (TL-…), one or more; or leave empty.",
    )
    cluster = forms.IntegerField(required=False, min_value=1, help_text="A whole cluster.")


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=CaseStatus.choices)
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(required=False, choices=[("", "—"), *CourtOutcome.choices])


class NoteForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)


class ReferenceForm(forms.Form):
    reference = forms.CharField(max_length=20)


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150)


class TaskForm(forms.Form):
    title = forms.CharField(max_length=500)
    assignee = forms.CharField(max_length=150)
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
