"""Queue filters and triage action forms."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from tipline.geo.models import RegionalCommand, State
from tipline.reports.choices import Channel, CloseReason, IncidentType, Priority, ReportStatus


def _blank(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "any"), *choices]


class NamedChoiceField(forms.ChoiceField):
    """A select of names whose value is an internal code. A typed link (`?state=Lagos`,
    `?state=la`) is read by code or name in any case, and anything else is an error the page
    shows, never a filter silently dropped."""

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value)).strip()
        folded = text.casefold()
        for code, name in list(self.choices):  # type: ignore[arg-type]  # a list once bound
            if folded and folded in (str(code).casefold(), str(name).casefold()):
                return str(code)
        return text


def _state_choices() -> list[tuple[str, str]]:
    return _blank(list(State.objects.order_by("name").values_list("code", "name")))


def _command_choices() -> list[tuple[str, str]]:
    return _blank(list(RegionalCommand.objects.order_by("name").values_list("code", "name")))


class QueueFilterForm(forms.Form):
    command = NamedChoiceField(required=False, choices=_command_choices)
    incident_type = forms.ChoiceField(required=False, choices=_blank(IncidentType.choices))
    channel = forms.ChoiceField(required=False, choices=_blank(Channel.choices))
    state = NamedChoiceField(required=False, choices=_state_choices)
    status = forms.ChoiceField(required=False, choices=_blank(ReportStatus.choices))
    priority = forms.ChoiceField(required=False, choices=_blank(Priority.choices))
    has_match = forms.BooleanField(required=False)
    in_cluster = forms.BooleanField(required=False)
    mine = forms.BooleanField(required=False, label="Assigned to me")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read once per form: callable choices are read again at every use (validating and
        # rendering each read them), a query each time.
        cast(forms.ChoiceField, self.fields["command"]).choices = _command_choices()
        cast(forms.ChoiceField, self.fields["state"]).choices = _state_choices()


class BulkForm(forms.Form):
    """One action for the selected reports. Its ids carry a `bulk-` prefix so they never
    clash with the queue's filters on the same page (a duplicate id loses its label)."""

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "bulk-%s")
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    body = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label="Note")


class ReferForm(forms.Form):
    partner = forms.CharField(max_length=8, label="Partner")
    reason = forms.CharField(max_length=2000, label="Why")


class EscalateForm(forms.Form):
    reason = forms.CharField(max_length=2000, label="Why")
