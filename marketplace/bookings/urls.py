"""URLs of bookings: pages (in marketplace.urls) and the booking, plan, thread and notification API
(in marketplace.api_urls)."""

from django.urls import path

from marketplace.bookings import api, views
from marketplace.bookings.transitions import USER_ACTIONS

urlpatterns = [
    path("bookings/", views.booking_list, name="booking-list"),
    path("bookings/provider/", views.booking_inbox, name="booking-inbox"),
    path("bookings/new/<uuid:service_code>/", views.booking_new, name="booking-new"),
    path("bookings/plan/<uuid:service_code>/", views.plan_new, name="plan-new"),
    path("bookings/<uuid:code>/", views.booking_detail, name="booking-detail"),
]

# Registered after the messaging pages, so "bookings/<code>/messages/" is not read as an action.
action_urlpatterns = [
    path("bookings/<uuid:code>/<slug:action>/", views.booking_action, name="booking-action"),
]

api_urlpatterns = [
    path("bookings/", api.BookingListApi.as_view(), name="booking-list"),
    path("bookings/<uuid:code>/", api.BookingDetailApi.as_view(), name="booking-detail"),
    # One URL for each of the person's and provider's actions in the state machine's table.
    *[
        path(f"bookings/<uuid:code>/{action}/", api.BookingActionApi.as_view(action=action), name=f"booking-{action}")
        for action in USER_ACTIONS
    ],
    path("services/<uuid:code>/free-hours/", api.FreeHoursApi.as_view(), name="service-free-hours"),
    path("recurring-plans/", api.PlanListApi.as_view(), name="plan-list"),
    path("threads/", api.ThreadListApi.as_view(), name="thread-list"),
    path("threads/<uuid:code>/", api.ThreadDetailApi.as_view(), name="thread-detail"),
    path("notifications/", api.NotificationListApi.as_view(), name="notification-list"),
]
