"""Test settings: the real settings, made fast (cheap hasher, plain static
files, eager Celery). Tests that need a real worker say so with the `redis`
marker and switch eager mode off themselves."""

from carehub.settings import *  # noqa: F403
from carehub.settings import STORAGES, env_bool

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
# Write each search-log row at once, so tests can read it back.
SEARCH_LOG_BATCH_SIZE = 1
