from django.urls import path

from marketplace.api import bookings_api as api

ACTIONS = ["accept", "decline", "schedule", "deliver", "confirm", "dispute", "cancel"]

urlpatterns = [
    path("bookings/", api.BookingListApi.as_view(), name="booking-list"),
    path("bookings/<uuid:code>/", api.BookingDetailApi.as_view(), name="booking-detail"),
    *[
        path(f"bookings/<uuid:code>/{action}/", api.BookingActionApi.as_view(action=action), name=f"booking-{action}")
        for action in ACTIONS
    ],
    path("services/<uuid:code>/free-hours/", api.FreeHoursApi.as_view(), name="service-free-hours"),
    path("recurring-plans/", api.PlanListApi.as_view(), name="plan-list"),
    path("threads/", api.ThreadListApi.as_view(), name="thread-list"),
    path("threads/<uuid:code>/", api.ThreadDetailApi.as_view(), name="thread-detail"),
    path("notifications/", api.NotificationListApi.as_view(), name="notification-list"),
]
