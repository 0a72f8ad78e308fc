"""Read-only admin for vetting (issue 8). Decisions are made on the officers' pages
(/vetting/), which audit them; the admin only looks."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from directory.models import ProviderVetting, VettingCheck, VettingEvidence


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ProviderVetting)
class ProviderVettingAdmin(_ReadOnly):
    list_display = ["provider", "vetted_at", "valid_until", "updated_at"]
    list_filter = [("vetted_at", admin.EmptyFieldListFilter)]
    search_fields = ["provider__name"]
    list_select_related = ["provider"]


@admin.register(VettingCheck)
class VettingCheckAdmin(_ReadOnly):
    list_display = ["provider", "kind", "status", "checked_at", "valid_until", "is_current"]
    list_filter = ["kind", "status", "is_current"]
    search_fields = ["provider__name", "detail"]
    list_select_related = ["provider"]


@admin.register(VettingEvidence)
class VettingEvidenceAdmin(_ReadOnly):
    list_display = ["provider", "kind", "uploaded_at", "review"]
    list_filter = ["kind", "review"]
    search_fields = ["provider__name"]
    list_select_related = ["provider"]
    exclude = ["file"]  # downloaded through the permission-checked page, never a media URL
