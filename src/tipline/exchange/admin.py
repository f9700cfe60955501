"""Partners in the admin: every change goes through `partner_create` / `partner_update`, and a
secret rotation through `webhook_secret_rotate` (an action), so each is audited."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tipline.accounts.auth import acting_user
from tipline.common.http import client_ip
from tipline.exchange.choices import DEFAULT_SECTIONS, PARTNER_LEVELS, Section
from tipline.exchange.models import Partner
from tipline.exchange.services import (
    PartnerInput,
    partner_create,
    partner_update,
    webhook_secret_rotate,
)


class PartnerForm(forms.ModelForm):  # type: ignore[type-arg]
    webhook_url = forms.URLField(required=False, max_length=500, assume_scheme="https")
    max_level = forms.ChoiceField(choices=PARTNER_LEVELS, label="Highest TLP level")
    sections = forms.MultipleChoiceField(
        choices=Section.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The redaction profile. Left empty on a new partner: its kind's default.",
    )
    jurisdictions_text = forms.CharField(
        required=False, label="Jurisdictions", help_text="Country or state codes, comma-separated."
    )
    contacts_json = forms.CharField(
        required=False,
        widget=forms.Textarea,
        label="Contacts",
        help_text='A JSON list, e.g. [{"name": "…", "email": "…", "phone": "…"}].',
    )

    class Meta:
        model = Partner
        fields = ["code", "name", "kind", "api_client", "webhook_url", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["max_level"] = self.instance.max_level
            self.initial["sections"] = self.instance.sections
            self.initial["jurisdictions_text"] = ", ".join(self.instance.jurisdictions)
            self.initial["contacts_json"] = json.dumps(self.instance.contacts or [])

    def clean_contacts_json(self) -> list[dict[str, str]]:
        text = self.cleaned_data["contacts_json"].strip() or "[]"
        try:
            value = json.loads(text)
        except ValueError:
            raise forms.ValidationError("Contacts must be a JSON list.") from None
        if not isinstance(value, list) or not all(isinstance(c, dict) for c in value):
            raise forms.ValidationError("Contacts must be a JSON list of objects.")
        return value

    def partner_input(self) -> PartnerInput:
        data = self.cleaned_data
        sections = list(data["sections"]) or list(DEFAULT_SECTIONS.get(data["kind"], ()))
        codes = [c.strip().upper() for c in data["jurisdictions_text"].split(",") if c.strip()]
        return PartnerInput(
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            max_level=data["max_level"],
            sections=sections,
            jurisdictions=codes,
            contacts=data["contacts_json"],
            webhook_url=data["webhook_url"],
            api_client=data["api_client"],
            is_active=data["is_active"],
        )


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin[Partner]):
    form = PartnerForm
    list_display = ["name", "kind", "max_level", "webhook_url", "is_active"]
    list_filter = ["kind", "is_active"]
    actions = ["rotate_secret"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data, ip = form.partner_input(), client_ip(request)
        if change:
            partner_update(partner=obj, data=data, actor=acting_user(request), ip=ip)
            return
        obj.pk = partner_create(data=data, actor=acting_user(request), ip=ip).pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # no related objects: nothing for the admin to write itself

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # shares and deliveries point at it; deactivate instead

    @admin.action(description="Rotate the webhook signing secret (old one kept for the overlap)")
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Partner]) -> None:
        for partner in queryset:
            secret = webhook_secret_rotate(partner=partner, actor=acting_user(request))
            # In clear only now, for the partner's verifier: shown once, stored encrypted.
            messages.warning(request, f"New secret for {partner.name}, shown once: {secret}")
