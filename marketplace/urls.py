from django.urls import path

from marketplace import bookings_views, messaging_views, views

app_name = "marketplace"

urlpatterns = [
    path("budgets/", views.budget_list, name="budget-list"),
    path("budgets/<uuid:code>/", views.budget_detail, name="budget-detail"),
    path("budgets/<uuid:code>/statement/", views.budget_statement, name="budget-statement"),
    path("budgets/<uuid:code>/alert/", views.budget_alert, name="budget-alert"),
    path("budgets/<uuid:code>/top-up/", views.budget_topup, name="budget-topup"),
    # Bookings, messages and notifications (issue 6)
    path("bookings/", bookings_views.booking_list, name="booking-list"),
    path("bookings/provider/", bookings_views.booking_inbox, name="booking-inbox"),
    path("bookings/new/<uuid:service_code>/", bookings_views.booking_new, name="booking-new"),
    path("bookings/plan/<uuid:service_code>/", bookings_views.plan_new, name="plan-new"),
    path("bookings/<uuid:code>/", bookings_views.booking_detail, name="booking-detail"),
    path("bookings/<uuid:code>/messages/", messaging_views.booking_thread, name="booking-thread"),
    path("bookings/<uuid:code>/<slug:action>/", bookings_views.booking_action, name="booking-action"),
    path("messages/", messaging_views.thread_list, name="thread-list"),
    path("messages/new/<uuid:service_code>/", messaging_views.thread_start, name="thread-start"),
    path("messages/<uuid:code>/", messaging_views.thread_detail, name="thread-detail"),
    path("notifications/", messaging_views.notification_list, name="notification-list"),
]
