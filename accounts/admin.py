from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from accounts.forms import PersonProfileAdminForm
from accounts.models import (
    AuditEvent,
    CarerLink,
    CommissionerMembership,
    PersonProfile,
    ProviderInvitation,
    ProviderMembership,
    User,
)
from accounts.permissions import is_vetting_officer


class VettingOfficerAccess:
    """Admin pages vetting officers use (the README promises them register imports and
    disputes): they may see and change these rows (running an admin action is a change),
    and add them when `vetting_officer_may_add`. Decided in code, by the same rule as the
    vetting pages (accounts.permissions.is_vetting_officer), not by Django permission rows
    that a fresh database would lack."""

    vetting_officer_may_add = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_vetting_officer(request.user) or super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_vetting_officer(request.user) or super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_vetting_officer(request.user) or super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        if self.vetting_officer_may_add and is_vetting_officer(request.user):
            return True
        return super().has_add_permission(request, *args)  # type: ignore[misc]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]
    filter_horizontal = ["groups"]


@admin.register(PersonProfile)
class PersonProfileAdmin(admin.ModelAdmin):
    form = PersonProfileAdminForm
    list_display = ["user", "preferred_name", "postcode"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]


@admin.register(CarerLink)
class CarerLinkAdmin(admin.ModelAdmin):
    list_display = ["carer", "person", "status", "can_view", "can_book", "can_manage_budget"]
    list_filter = ["status"]
    raw_id_fields = ["carer", "person"]


@admin.register(ProviderMembership)
class ProviderMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "provider", "role"]
    raw_id_fields = ["user", "provider"]


@admin.register(ProviderInvitation)
class ProviderInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "provider", "role", "expires_at", "accepted_at"]
    exclude = ["token_hash"]
    raw_id_fields = ["provider", "invited_by", "accepted_by"]


@admin.register(CommissionerMembership)
class CommissionerMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "council", "role"]
    raw_id_fields = ["user", "council"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["object_id", "actor__email"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
