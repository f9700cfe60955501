"""Cases are read-only in the admin: every change goes through the services (and the audit).
Organisations (referral partners) are data administrators edit here, through a service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tipline.accounts.auth import acting_user
from tipline.cases.models import Case, LegalTemplate, Organisation
from tipline.cases.services.legal import legal_template_save
from tipline.cases.services.support import organisation_save
from tipline.common.http import client_ip


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    list_display = ("reference", "title", "command", "status", "lead", "opened_at")
    list_filter = ("status", "command")
    search_fields = ("reference",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    """Shelters, clinics, NGOs and agencies; retired by unticking `is_active`, never deleted
    (referrals name them)."""

    list_display = ("name", "kind", "state", "country", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        organisation_save(organisation=obj, actor=acting_user(request), ip=client_ip(request))


@admin.register(LegalTemplate)
class LegalTemplateAdmin(admin.ModelAdmin[LegalTemplate]):
    """The wording of preservation requests and production orders. Check the statutes and
    sections cited before use; retire a template by unticking `is_active` (requests name it)."""

    list_display = ("name", "kind", "holder_kind", "days_to_respond", "is_active")
    list_filter = ("kind", "holder_kind", "is_active")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: LegalTemplate, form: Any, change: bool) -> None:
        legal_template_save(template=obj, actor=acting_user(request), ip=client_ip(request))
