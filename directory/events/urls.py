"""URLs of the events pages, public and in the provider portal."""

from django.urls import path

from directory.events import views

urlpatterns = [
    path("events/", views.event_search, name="event-search"),
    path("events/<uuid:code>/", views.event_detail, name="event-detail"),
    path("events/<uuid:code>/calendar.ics", views.event_calendar, name="event-calendar"),
    path("portal/providers/<uuid:code>/events/", views.portal_provider_events, name="portal-provider-events"),
    path(
        "portal/providers/<uuid:code>/events/new/",
        views.portal_provider_event_create,
        name="portal-provider-event-create",
    ),
    path("portal/events/<uuid:code>/edit/", views.portal_event_edit, name="portal-event-edit"),
    path("portal/events/<uuid:code>/delete/", views.portal_event_delete, name="portal-event-delete"),
]
