from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

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
