"""Council staff write and publish the information pages here."""

from django.contrib import admin

from directory.models import AdvicePage


@admin.register(AdvicePage)
class AdvicePageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "published", "updated_at"]
    list_filter = ["published"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
