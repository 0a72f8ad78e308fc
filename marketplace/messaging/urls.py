"""URLs of messaging pages (threads, a booking's messages) and the notifications inbox."""

from django.urls import path

from marketplace.messaging import views

urlpatterns = [
    path("bookings/<uuid:code>/messages/", views.booking_thread, name="booking-thread"),
    path("messages/", views.thread_list, name="thread-list"),
    path("messages/new/<uuid:service_code>/", views.thread_start, name="thread-start"),
    path("messages/<uuid:code>/", views.thread_detail, name="thread-detail"),
    path("notifications/", views.notification_list, name="notification-list"),
]
