"""The Celery app. Settings come from Django's settings (CELERY_* names).

Reliability defaults live in settings.py: acks_late with prefetch 1 so a task
that dies mid-way is delivered again, time limits, and retry delays kept
below the broker's visibility timeout.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")

app = Celery("carehub")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app's tasks module, and the sub-packages that keep their own (see LAYOUT in README).
app.autodiscover_tasks()
app.autodiscover_tasks(
    [
        "accounts.notifications",
        "directory.registers",
        "directory.portal",
        "directory.vetting",
        "marketplace.budgets",
        "marketplace.bookings",
        "marketplace.choosing",
    ]
)
