"""Queue filters and triage action forms."""

from __future__ import annotations

from django import forms

from tipline.reports.choices import Channel, CloseReason, IncidentType, Priority, ReportStatus


def _blank(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "any"), *choices]


class QueueFilterForm(forms.Form):
    command = forms.CharField(required=False, max_length=16)
    incident_type = forms.ChoiceField(required=False, choices=_blank(IncidentType.choices))
    channel = forms.ChoiceField(required=False, choices=_blank(Channel.choices))
    state = forms.CharField(required=False, max_length=2)
    status = forms.ChoiceField(required=False, choices=_blank(ReportStatus.choices))
    priority = forms.ChoiceField(required=False, choices=_blank(Priority.choices))
    has_match = forms.BooleanField(required=False)
    in_cluster = forms.BooleanField(required=False)
    mine = forms.BooleanField(required=False, label="Assigned to me")


class BulkForm(forms.Form):
    ACTIONS = [
        ("assign", "Assign to"),
        ("duplicate", "Mark as duplicate of"),
        ("close", "Close with reason"),
        ("priority", "Change priority"),
    ]
    references = forms.CharField(widget=forms.MultipleHiddenInput, required=False)
    action = forms.ChoiceField(choices=ACTIONS)
    assignee = forms.CharField(required=False, max_length=150)
    duplicate_of = forms.CharField(required=False, max_length=20)
    reason = forms.ChoiceField(required=False, choices=_blank(CloseReason.choices))
    priority = forms.ChoiceField(required=False, choices=_blank(Priority.choices))
    note = forms.CharField(required=False, max_length=2000)


class NoteForm(forms.Form):
    body = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label="Note")


class ReferForm(forms.Form):
    partner = forms.CharField(max_length=8, label="Partner")
    reason = forms.CharField(max_length=2000, label="Why")


class EscalateForm(forms.Form):
    reason = forms.CharField(max_length=2000, label="Why")
