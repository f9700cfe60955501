"""The licensed agencies' list, kept by administrators; reports' findings are read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from tipline.accounts.auth import acting_user
from tipline.screening.engine import agency_key
from tipline.screening.models import LicensedAgency, ReportScreening
from tipline.screening.services import licensed_agency_delete, licensed_agency_save


class LicensedAgencyForm(forms.ModelForm[LicensedAgency]):
    class Meta:
        model = LicensedAgency
        fields = ["name", "licence_number", "licensed_by", "active"]

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        same = LicensedAgency.objects.filter(key=agency_key(name)).exclude(pk=self.instance.pk)
        if not agency_key(name):
            raise forms.ValidationError("Give the agency's name.")
        if same.exists():
            raise forms.ValidationError("An agency with this name is already on the list.")
        return name


@admin.register(LicensedAgency)
class LicensedAgencyAdmin(admin.ModelAdmin[LicensedAgency]):
    form = LicensedAgencyForm
    list_display = ("name", "licence_number", "licensed_by", "active", "updated_at")
    list_filter = ("active",)
    search_fields = ("name", "licence_number")

    def save_model(
        self, request: HttpRequest, obj: LicensedAgency, form: Any, change: bool
    ) -> None:
        licensed_agency_save(agency=obj, actor=acting_user(request))

    def delete_model(self, request: HttpRequest, obj: LicensedAgency) -> None:
        licensed_agency_delete(agency=obj, actor=acting_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[LicensedAgency]) -> None:
        for agency in queryset:
            licensed_agency_delete(agency=agency, actor=acting_user(request))


@admin.register(ReportScreening)
class ReportScreeningAdmin(admin.ModelAdmin[ReportScreening]):
    list_display = ("report", "level", "score", "screened_at")
    list_filter = ("level",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
