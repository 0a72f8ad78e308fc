"""Staff create community groups and list their events here (providers use the portal)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from carehub.errors import DomainError
from directory.events.services import event_locate
from directory.models import CommunityGroup, Event


@admin.register(CommunityGroup)
class CommunityGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email"]
    search_fields = ["name"]


class EventAdminForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The database constraints would refuse these too, but as a 500 rather than a message.
        if bool(data.get("provider")) == bool(data.get("community_group")):
            raise ValidationError("Choose either a provider or a community group as the organiser")
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "The end must be after the start")
        if data.get("postcode") and not self.errors:
            event = Event(postcode=data["postcode"])
            try:
                event_locate(event=event)
            except DomainError as exc:
                raise ValidationError({"postcode": exc.message}) from exc
        return data


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    list_display = ["title", "starts_at", "postcode", "provider", "community_group", "published"]
    list_filter = ["published"]
    search_fields = ["title", "venue", "postcode"]
    exclude = ["latitude", "longitude"]
    autocomplete_fields = ["community_group"]
    raw_id_fields = ["provider"]

    def save_model(self, request: Any, obj: Event, form: Any, change: bool) -> None:
        event_locate(event=obj)  # the form checked the postcode; this sets the position
        super().save_model(request, obj, form, change)
