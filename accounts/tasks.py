"""Celery discovers accounts' tasks here."""

from accounts.notifications_tasks import notification_deliver, notifications_redispatch  # noqa: F401
