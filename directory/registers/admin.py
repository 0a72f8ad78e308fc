"""Admin for the regulators' registers: upload a register file, watch the import run."""

from __future__ import annotations

from pathlib import Path

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from accounts.admin import VettingOfficerAccess
from directory.models import GradeChange, ListingClaim, RegisteredProvider, RegisterImport, Registration
from directory.registers.services import register_import_start

ERRORS_SHOWN = 100


@admin.register(RegisterImport)
class RegisterImportAdmin(VettingOfficerAccess, admin.ModelAdmin):
    vetting_officer_may_add = True  # uploading a register file starts its import
    list_display = ["__str__", "regulator", "status", "progress", "created_at", "finished_at"]
    list_filter = ["regulator", "status"]
    actions = ["start_import"]
    readonly_fields = [
        "file_name",
        "file_sha256",
        "status",
        "stage",
        "progress",
        "started_by",
        "started_at",
        "finished_at",
        "summary",
        "message",
        "error_rows",
    ]

    def get_fields(self, request: HttpRequest, obj: RegisterImport | None = None) -> list[str]:
        if obj is None:  # the add form: choose the register and upload its file
            return ["regulator", "file"]
        return ["regulator", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: RegisterImport | None = None) -> list[str]:
        return [*self.readonly_fields, "regulator", "file"] if obj else []

    @admin.display(description="progress")
    def progress(self, obj: RegisterImport) -> str:
        if obj.status == RegisterImport.Status.RUNNING:
            return f"{obj.progress_percent}% ({obj.processed_rows:,} of {obj.total_rows:,} rows) {obj.stage}"
        return f"{obj.progress_percent}%" if obj.total_rows else obj.get_status_display()

    @admin.display(description="what changed")
    def summary(self, obj: RegisterImport) -> str:
        return format_html_join(", ", "{}: {}", sorted(obj.counts.items())) or "-"

    @admin.display(description="rows with errors")
    def error_rows(self, obj: RegisterImport) -> str:
        errors = obj.errors.all()[:ERRORS_SHOWN]
        if not errors:
            return "None"
        rows = format_html_join("", "<li>row {} {}: {}</li>", ((e.row_number, e.reference, e.reason) for e in errors))
        more = obj.errors.count() - len(errors)
        return format_html("<ul>{}</ul>{}", rows, f"... and {more} more" if more > 0 else "")

    def save_model(self, request: HttpRequest, obj: RegisterImport, form: object, change: bool) -> None:
        if not change and obj.file:
            obj.file_name = Path(obj.file.name).name
            obj.started_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            register_import_start(actor=request.user, register_import=obj)
            self.message_user(request, "The import has started: this page shows its progress when you refresh it.")

    @admin.action(description="Start (or retry) the import of the selected files")
    def start_import(self, request: HttpRequest, queryset: QuerySet[RegisterImport]) -> None:
        started = 0
        for register_import in queryset:
            if register_import.status in (RegisterImport.Status.PENDING, RegisterImport.Status.FAILED):
                register_import_start(actor=request.user, register_import=register_import)
                started += 1
        self.message_user(request, f"Started {started} import(s).", messages.SUCCESS if started else messages.WARNING)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["registration_number", "registered_name", "regulator", "status", "graded_on"]
    list_filter = ["regulator", "status", "service_type"]
    search_fields = ["registration_number", "registered_name"]
    raw_id_fields = ["service", "registered_provider", "source_import"]


@admin.register(RegisteredProvider)
class RegisteredProviderAdmin(admin.ModelAdmin):
    list_display = ["provider_number", "registered_name", "regulator", "provider_type"]
    search_fields = ["provider_number", "registered_name"]
    raw_id_fields = ["provider", "source_import"]


@admin.register(GradeChange)
class GradeChangeAdmin(admin.ModelAdmin):
    list_display = ["registration", "key", "old_grade", "new_grade", "graded_on", "register_import"]
    raw_id_fields = ["registration", "register_import"]


@admin.register(ListingClaim)
class ListingClaimAdmin(admin.ModelAdmin):
    list_display = ["provider", "claimant", "status", "created_at", "decided_by"]
    list_filter = ["status"]
    raw_id_fields = ["provider", "service", "claimant", "decided_by"]
