"""The dashboards' filters: a period (`from`, `to`) and an incident `type`, all optional."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms

from tipline.common.time import WAT, utcnow
from tipline.dashboards.selectors import DashboardFilters, default_filters
from tipline.reports.choices import IncidentType

EARLIEST = date(2000, 1, 1)
LONGEST_DAYS = 3 * 366


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        required=False,
        label=label,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class DashboardFilterForm(forms.Form):
    """Missing values fall back to the last 90 days and every type; bad ones are form errors."""

    field_order = ["from", "to", "type"]
    to = _date_field("To")
    type = forms.ChoiceField(
        required=False, label="Incident type", choices=[("", "any"), *IncidentType.choices]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        defaults = default_filters()
        start, end = data.get("from"), data.get("to")
        if end is None:
            end = defaults.end if start is None else max(start, defaults.end)
        start = start or end - (defaults.end - defaults.start)
        self._check_period(start, end)
        data["from"], data["to"] = start, end
        return data

    def _check_period(self, start: date, end: date) -> None:
        latest = utcnow().astimezone(WAT).date() + timedelta(days=366)
        if not EARLIEST <= start <= latest or not EARLIEST <= end <= latest:
            raise forms.ValidationError(f"Choose dates between {EARLIEST} and {latest}.")
        if start > end:
            raise forms.ValidationError("The period must not end before it starts.")
        if (end - start).days >= LONGEST_DAYS:
            raise forms.ValidationError("Choose a period of at most three years.")

    def filters(self) -> DashboardFilters:
        """The validated filters. Call only after `is_valid()`."""
        data = self.cleaned_data
        return DashboardFilters(start=data["from"], end=data["to"], incident_type=data["type"])


# "from" is a Python keyword, so it cannot be declared in the class body above.
DashboardFilterForm.base_fields["from"] = _date_field("From")
