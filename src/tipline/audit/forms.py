"""The filters of the supervisors' look-up page. Dates are days in West Africa Time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db.models import QuerySet

from tipline.accounts.models import User
from tipline.audit.models import LookupKind
from tipline.audit.selectors import LookupFilters
from tipline.identifiers.selectors import references_holding
from tipline.search.selectors import lookup_hashes, parse_query


def _day(label: str) -> forms.DateField:
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return forms.DateField(label=label, required=False, widget=widget)


def _wat_midnight(day: date | None, *, days_later: int = 0) -> datetime | None:
    if day is None:
        return None
    start = datetime.combine(day + timedelta(days=days_later), time.min)
    return start.replace(tzinfo=ZoneInfo(settings.DISPLAY_TIME_ZONE))


class LookupFilterForm(forms.Form):
    """Who, what kind, which days, which report, which identifier (typed in any format)."""

    person = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    kind = forms.ChoiceField(choices=[("", "Any"), *LookupKind.choices], required=False)
    since = _day("From (WAT)")
    until = _day("To (WAT, inclusive)")
    report = forms.CharField(label="Report reference", required=False, max_length=40)
    identifier = forms.CharField(
        required=False,
        max_length=200,
        help_text="A phone, email, account, wallet, bank account or IP, in any format.",
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people.order_by("username")  # type: ignore[attr-defined]  # a ModelChoiceField

    def clean_identifier(self) -> frozenset[str]:
        text = self.cleaned_data["identifier"].strip()
        if not text:
            return frozenset()
        hashes = lookup_hashes(parse_query(text))
        if not hashes:
            raise forms.ValidationError("This is not a phone, email, account or other identifier.")
        return frozenset(hashes)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            raise forms.ValidationError("The period ends before it starts.")
        return data

    def filters(self, *, actors: QuerySet[Any] | None) -> LookupFilters:
        """The valid form as the selector's filters, within the viewer's `actors`."""
        data = self.cleaned_data
        person = data["person"]
        return LookupFilters(
            actors=actors,
            actor_id=person.pk if person else None,
            kind=data["kind"],
            since=_wat_midnight(data["since"]),
            until=_wat_midnight(data["until"], days_later=1),
            object_ref=data["report"].strip().upper(),
            identifier_hashes=data["identifier"],
            holding=references_holding(data["identifier"]) if data["identifier"] else None,
        )
